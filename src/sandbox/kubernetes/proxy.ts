/**
 * The API server's service proxy (/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/{path}).
 * The real one dials a ready endpoint; here a per-service handler answers, with knobs to fail or
 * slow down, but only when the Service exists and has a Ready pod behind it, as in a cluster.
 */
import { pushBounded } from '../records.js';
import { isReady } from './spec.js';
import { matchesLabels, matchLabelsSelector } from './selectors.js';
import { failure, notFound, type HttpAnswer } from './status-object.js';
import type { Store } from './store.js';

export interface ServiceResponse {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
}

const HTML = '<!doctype html><html><head><title>Tailspin Toys</title></head><body><h1>Tailspin Toys</h1></body></html>';

export class ServiceProxy {
  private readonly overrides = new Map<string, ServiceResponse>();
  /** The newest proxied requests (FAKE_RECORDS), e.g. "tail-spin/tailspin-server:5100 GET /api/games". */
  readonly requests: string[] = [];

  constructor(private readonly store: Store) {}

  /** Override what `namespace/service` answers; undefined restores the default. */
  set(namespace: string, service: string, response: ServiceResponse | undefined): void {
    if (response) this.overrides.set(`${namespace}/${service}`, response);
    else this.overrides.delete(`${namespace}/${service}`);
  }

  async handle(namespace: string, nameAndPort: string, path: string, search: string): Promise<HttpAnswer> {
    const parts = nameAndPort.split(':');
    const name = parts.length === 3 ? parts[1]! : parts[0]!;
    const port = parts.length === 3 ? parts[2] : parts[1];
    const svc = this.store.get(this.store.typeFor('v1', 'Service'), namespace, name);
    if (!svc) return notFound('services', '', name);
    const ports = (svc.spec?.ports ?? []) as { name?: string; port: number }[];
    if (port && !ports.some((p) => String(p.port) === port || p.name === port)) {
      return failure(503, `no endpoints available for service "${nameAndPort}"`);
    }
    const selector = matchLabelsSelector({ matchLabels: svc.spec?.selector as Record<string, string> | undefined });
    const ready = this.store
      .list(this.store.typeFor('v1', 'Pod'), namespace)
      .some((p) => matchesLabels(p.metadata.labels, selector) && isReady(p));
    if (!ready) return failure(503, `no endpoints available for service "${name}"`);
    pushBounded(this.requests, `${namespace}/${nameAndPort} GET ${path}${search}`);
    const o = this.overrides.get(`${namespace}/${name}`) ?? {};
    if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
    const json = path.startsWith('/api/');
    return {
      status: o.status ?? 200,
      body: o.body ?? (json ? '[]' : HTML),
      contentType: o.contentType ?? (json ? 'application/json' : 'text/html; charset=utf-8'),
    };
  }
}
