/** The ACR door: each event of an Event Grid or CloudEvents batch judged on its own; an image push becomes an image release. */
import type { Logger } from '../ports.js';
import { judgeEvent, type EventVerdict } from './acr-events.js';
import { admitAndEnqueue, deployEnvironment, once, type IntakeDeps } from './admission.js';

export interface EventResult {
  id?: string;
  outcome: 'release' | 'duplicate' | 'ignored' | 'invalid' | 'validation';
  releaseId?: string;
  reason?: string;
}

/** A tag that is a full commit SHA (what the build tags images with) names the commit. */
const COMMIT_TAG = /^[0-9a-f]{40}$/;

export async function acrDoor(d: IntakeDeps, events: unknown[], log: Logger): Promise<EventResult[]> {
  const results: EventResult[] = [];
  for (const raw of events) {
    const v: EventVerdict = judgeEvent(raw, d.catalog, d.loginServer);
    if (v.kind === 'validation') results.push({ id: v.id, outcome: 'validation' });
    else if (v.kind === 'invalid' || v.kind === 'ignored') {
      log.info(v.kind === 'invalid' ? 'event rejected' : 'event ignored', { event_id: v.id, reason: v.reason });
      results.push({ ...(v.id ? { id: v.id } : {}), outcome: v.kind, reason: v.reason });
    } else {
      results.push(await imagePushed(d, v, log.child({ correlation_id: v.id })));
    }
  }
  return results;
}

async function imagePushed(d: IntakeDeps, v: Extract<EventVerdict, { kind: 'image' }>, log: Logger): Promise<EventResult> {
  const r = await once(d, 'acr', v.id, async () => {
    const out = await admitAndEnqueue(
      d,
      {
        app: v.app.name,
        environment: deployEnvironment(d),
        kind: 'image',
        target: v.digest,
        image: { registry: v.registry, repository: v.repository, digest: v.digest, ...(v.tag ? { tag: v.tag } : {}) },
        ...(v.tag && COMMIT_TAG.test(v.tag) ? { commit: v.tag } : {}),
        source: { door: 'acr', eventId: v.id },
        correlationId: v.id,
        semanticDedup: true,
        allowQuarantined: false,
      },
      log,
    );
    if (out.kind === 'created') return { releaseIds: [out.release.id] };
    if (out.kind === 'duplicate') return { releaseIds: [out.releaseId], ignored: out.reason };
    return { releaseIds: [], ignored: out.reason };
  });
  if (r.kind === 'duplicate')
    return { id: v.id, outcome: 'duplicate', ...(r.duplicate.releaseIds[0] ? { releaseId: r.duplicate.releaseIds[0] } : {}) };
  const id = r.result.releaseIds[0];
  if (r.result.ignored)
    return { id: v.id, outcome: id ? 'duplicate' : 'ignored', ...(id ? { releaseId: id } : {}), reason: r.result.ignored };
  return { id: v.id, outcome: 'release', ...(id ? { releaseId: id } : {}) };
}
