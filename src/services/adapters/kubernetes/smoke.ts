/**
 * Smoke checks, one attempt each (the pipeline retries): through the API server's service proxy
 * for ClusterIP services, or a plain GET of a public URL. An app that answers wrongly or not at all
 * is a failed check (ok=false); only the API server refusing us is an adapter error.
 */
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import type { SmokeCheckSpec, SmokeResult } from '../../ports.js';

export async function serviceProxySmoke(
  kc: KubeConfig,
  namespace: string,
  check: Extract<SmokeCheckSpec, { kind: 'service-proxy' }>,
  timeoutMs: number,
): Promise<Result<SmokeResult>> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return err(adapterError('kubernetes', 'invalid', 'kubeconfig has no current cluster'));
  const path = check.path.startsWith('/') ? check.path : `/${check.path}`;
  const name = `${check.service}:${check.port}`;
  const url = new URL(
    `${server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}/proxy${path}`,
  );
  const opts: Parameters<typeof request>[1] = { method: 'GET', headers: { accept: '*/*' } };
  await kc.applyToHTTPSOptions(opts);
  const started = performance.now();
  const label = `service ${namespace}/${name}${path}`;
  return new Promise((resolve) => {
    const req = request(url, { ...opts, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const durationMs = Math.round(performance.now() - started);
        // The proxy answers 401/403 itself when our credentials are refused: that is not the app.
        if (status === 401 || status === 403)
          resolve(err(adapterError('kubernetes', 'auth', `service proxy refused: HTTP ${status}`, { status })));
        else
          resolve(
            ok({
              check: label,
              ok: status === check.expectStatus,
              status,
              durationMs,
              ...(status === check.expectStatus ? {} : { detail: `expected HTTP ${check.expectStatus}, got ${status}` }),
            }),
          );
      });
    });
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // No answer in time is the app being too slow (a failed check); not reaching the API server is ours.
      if (timedOut)
        resolve(
          ok({ check: label, ok: false, durationMs: Math.round(performance.now() - started), detail: `no answer within ${timeoutMs} ms` }),
        );
      else resolve(err(adapterError('kubernetes', 'transient', `service proxy: ${e.code ?? 'request failed'}`, { cause: e.code })));
    });
    req.end();
  });
}

export async function urlSmoke(
  check: Extract<SmokeCheckSpec, { kind: 'url' }>,
  timeoutMs: number,
  fetchImpl: typeof fetch,
): Promise<Result<SmokeResult>> {
  const started = performance.now();
  try {
    const res = await fetchImpl(check.url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    const durationMs = Math.round(performance.now() - started);
    const good = res.status === check.expectStatus;
    return ok({
      check: check.url,
      ok: good,
      status: res.status,
      durationMs,
      ...(good ? {} : { detail: `expected HTTP ${check.expectStatus}, got ${res.status}` }),
    });
  } catch (e) {
    const durationMs = Math.round(performance.now() - started);
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return ok({ check: check.url, ok: false, durationMs, detail: timedOut ? `no answer within ${timeoutMs} ms` : 'unreachable' });
  }
}
