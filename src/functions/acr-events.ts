import type { EventGridEvent, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Intake } from '../services/intake/service.js';
import type { Logger } from '../services/ports.js';
import { judgeEvent } from '../services/intake/acr-events.js';
import type { Catalog } from '../services/domain/catalog.js';
import { boundedBody, json, mediaType, problem } from './http.js';

export interface AcrEventsDeps {
  intake: Intake;
  logger: Logger;
  catalog: Catalog;
  loginServer: string;
}

/** Event Grid delivers batches of at most 1 MB. */
const MAX_BATCH_BYTES = 1024 * 1024;
const TYPES = new Set(['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json']);

export function acrEventsHandler(d: AcrEventsDeps) {
  return async function acrEvents(req: HttpRequest, _ctx: InvocationContext): Promise<HttpResponseInit> {
    if (req.method === 'OPTIONS') return preflight(req);
    const type = mediaType(req);
    if (!TYPES.has(type)) return problem(415, `content type must be one of ${[...TYPES].join(', ')}, got "${type || '(none)'}"`);
    const body = await boundedBody(req, MAX_BATCH_BYTES);
    if (body === 'too-large') return problem(413, `batch exceeds ${MAX_BATCH_BYTES} bytes (the Event Grid maximum)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch (e) {
      return problem(400, `body is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}`);
    }
    const events = Array.isArray(parsed) ? parsed : [parsed];
    if (events.length === 0) return problem(400, 'empty event batch');

    // Event Grid's subscription handshake: echo the code. Each event is judged on its own, so any
    // other event delivered beside a validation event is still taken in.
    const validation = validationCode(events, d);
    const results = await d.intake.acrEvents(events, d.logger);
    if (validation !== undefined)
      return json(200, { validationResponse: validation, ...(results.some((r) => r.outcome !== 'validation') ? { results } : {}) });
    if (results.every((r) => r.outcome === 'invalid')) return json(400, { error: 'no valid event in the batch', results });
    return json(200, { results });
  };
}

function validationCode(events: unknown[], d: AcrEventsDeps): string | undefined {
  for (const e of events) {
    const v = judgeEvent(e, d.catalog, d.loginServer);
    if (v.kind === 'validation') {
      d.logger.info('event grid subscription validated', { event_id: v.id });
      return v.validationCode;
    }
  }
  return undefined;
}

/** CloudEvents 1.0 webhook abuse protection: allow the origin that asks. */
function preflight(req: HttpRequest): HttpResponseInit {
  const origin = req.headers.get('webhook-request-origin');
  if (!origin)
    return problem(400, 'OPTIONS without WebHook-Request-Origin; this endpoint only answers the CloudEvents validation handshake');
  return { status: 200, headers: { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*', Allow: 'POST, OPTIONS' } };
}

/** The native Event Grid trigger in Azure: same intake, one event per invocation. */
export function acrEventGridHandler(d: AcrEventsDeps) {
  return async function acrImagePushed(event: EventGridEvent, ctx: InvocationContext): Promise<void> {
    // The binding's type is a promise the sender keeps, not a check: anything may arrive here.
    const id = (event as Partial<EventGridEvent> | null)?.id;
    const [result] = await d.intake.acrEvents([event], d.logger.child({ correlation_id: id, invocation_id: ctx.invocationId }));
    // An event that can never be valid is logged, not thrown: a retry would fail the same way.
    if (result?.outcome === 'invalid') d.logger.warn('event grid delivered an invalid event', { event_id: id, reason: result.reason });
  };
}

export function registerAcrEvents(r: Registrar, d: AcrEventsDeps): void {
  r.http('acrEvents', { route: 'acr/events', methods: ['POST', 'OPTIONS'], authLevel: 'function', handler: acrEventsHandler(d) });
  r.eventGrid('acrImagePushed', { handler: acrEventGridHandler(d) });
}
