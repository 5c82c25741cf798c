/**
 * Azure Monitor alerts over ARM's REST API: for each resource an environment names, the alerts whose
 * monitor condition is Fired (GET {arm}/subscriptions/{s}/providers/Microsoft.AlertsManagement/alerts,
 * targetResource + monitorCondition=Fired + timeRange=30d, paged by nextLink). A token from the
 * credential for ARM's audience; failures are values. No retry sleeps inside a Function: a failed read
 * makes the promotion wait with the reason, and the next promotion look asks again.
 */
import type { TokenCredential } from '@azure/identity';
import { adapterError, err, kindForStatus, ok, type AdapterError, type Result } from '../../domain/result.js';
import type { Alerts, FiringAlert } from '../../promotion/ports.js';
import { createHttpsSend, type HttpSend } from '../acr/https.js';
import { ALERTS_API_VERSION, AlertsList, ArmError } from './schema.js';

const SYSTEM = 'alerts';
const ARM_SCOPE = 'https://management.azure.com/.default';
/** Pages followed per resource: 250 alerts a page, and an environment with more firing holds anyway. */
const MAX_PAGES = 4;
const SUBSCRIPTION = /^\/subscriptions\/([^/]+)\//i;

export interface AlertsOptions {
  credential: TokenCredential;
  /** ARM base URL (ARM_ENDPOINT; the sandbox's fake locally). */
  endpoint: string;
  /** PEM of an extra CA to trust (the sandbox's). */
  tlsCa?: string;
  timeoutMs: number;
  /** Replaces the HTTPS client (tests). */
  send?: HttpSend;
}

export function createAlerts(opts: AlertsOptions): Alerts {
  const base = opts.endpoint.replace(/\/+$/, '');
  const send =
    opts.send ?? createHttpsSend({ ...(opts.tlsCa ? { ca: opts.tlsCa } : {}), timeoutMs: opts.timeoutMs, maxBytes: 4 * 1024 * 1024 });

  async function token(): Promise<Result<string>> {
    try {
      const t = await opts.credential.getToken(ARM_SCOPE);
      return t ? ok(t.token) : err(adapterError(SYSTEM, 'auth', 'no token for ARM'));
    } catch (e) {
      return err(adapterError(SYSTEM, 'auth', `no token for ARM: ${e instanceof Error ? e.name : 'error'}`));
    }
  }

  async function page(url: string, bearer: string, what: string): Promise<Result<AlertsList>> {
    let res;
    try {
      res = await send({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
    } catch (e) {
      return err(adapterError(SYSTEM, 'transient', `${what}: ${e instanceof Error ? e.message : String(e)}`));
    }
    const json = parseJson(res.body);
    if (res.status !== 200) return err(failed(res.status, what, json, res.headers['retry-after']));
    const list = AlertsList.safeParse(json);
    return list.success
      ? ok(list.data)
      : err(adapterError(SYSTEM, 'invalid', `${what}: unexpected answer (${list.error.issues[0]?.message ?? 'shape'})`));
  }

  async function firingOn(target: string, bearer: string): Promise<Result<FiringAlert[]>> {
    const sub = SUBSCRIPTION.exec(target)?.[1];
    if (!sub) return err(adapterError(SYSTEM, 'invalid', `not an ARM resource id: ${target}`));
    const what = `alerts on ${target.split('/').at(-1) ?? target}`;
    const query = new URLSearchParams({
      'api-version': ALERTS_API_VERSION,
      targetResource: target,
      monitorCondition: 'Fired',
      timeRange: '30d',
      pageCount: '250',
    });
    let url: string | undefined =
      `${base}/subscriptions/${encodeURIComponent(sub)}/providers/Microsoft.AlertsManagement/alerts?${query.toString()}`;
    const out: FiringAlert[] = [];
    for (let i = 0; url && i < MAX_PAGES; i++) {
      const p = await page(url, bearer, what);
      if (!p.ok) return p;
      for (const a of p.value.value) {
        const e = a.properties.essentials;
        // A person closing an alert says it needs no more attention, even while its condition holds.
        if (e.monitorCondition !== 'Fired' || e.alertState === 'Closed') continue;
        out.push({ name: a.name, severity: e.severity, target: e.targetResource ?? target, firedAt: e.startDateTime ?? '' });
      }
      url = p.value.nextLink;
      if (url && !sameOrigin(url, base)) return err(adapterError(SYSTEM, 'invalid', `${what}: nextLink leaves ${base}; not followed`));
    }
    return ok(out);
  }

  return {
    async firing(targets) {
      if (!targets.length) return ok([]);
      const bearer = await token();
      if (!bearer.ok) return bearer;
      const all = await Promise.all(targets.map((t) => firingOn(t, bearer.value)));
      const failure = all.find((r) => !r.ok);
      if (failure && !failure.ok) return failure;
      return ok(all.flatMap((r) => (r.ok ? r.value : [])));
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function failed(status: number, what: string, body: unknown, retryAfter: string | undefined): AdapterError {
  const e = ArmError.safeParse(body);
  const code = e.success ? e.data.error.code : undefined;
  const kind = kindForStatus(status);
  const seconds = retryAfter && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
  return adapterError(SYSTEM, kind, `${what}: HTTP ${status}${code ? ` ${code}` : ''}`, {
    status,
    ...(seconds !== undefined && (kind === 'rate-limited' || kind === 'transient') ? { retryAfterMs: seconds } : {}),
  });
}

/** nextLink is followed only to the ARM endpoint we asked (the bearer token goes with it). */
function sameOrigin(link: string, base: string): boolean {
  try {
    return new URL(link).origin === new URL(base).origin;
  } catch {
    return false;
  }
}
