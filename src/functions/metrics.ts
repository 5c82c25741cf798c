import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Observability } from '../services/telemetry/port.js';
import { traceIdOf } from '../services/telemetry/ids.js';
import { RELEASE_ID } from '../services/domain/release.js';

/** GET /api/metrics[?releaseId=r-…]: this instance's metrics, and the spans of one release's trace (or all it holds). */
export function metricsHandler(obs: Observability) {
  return async function metrics(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    const releaseId = req.query.get('releaseId') ?? undefined;
    if (releaseId !== undefined && !RELEASE_ID.test(releaseId))
      return { status: 400, jsonBody: { error: 'releaseId: expected r-<time>-<6 hex>' } };
    const snap = await obs.snapshot();
    if (releaseId === undefined) return { status: 200, jsonBody: snap };
    const traceId = traceIdOf(releaseId);
    return { status: 200, jsonBody: { ...snap, traceId, spans: snap.spans.filter((s) => s.traceId === traceId) } };
  };
}

export function registerMetrics(r: Registrar, obs: Observability): void {
  r.http('metrics', { route: 'metrics', methods: ['GET'], authLevel: 'function', handler: metricsHandler(obs) });
}
