/**
 * Event recording like client-go's recorder: one core/v1 Event per (object, reason, message),
 * aggregated by bumping count and lastTimestamp when it repeats. Events expire like the API
 * server's (--event-ttl, 1 h after their last write) and at most MAX_EVENTS are kept (oldest go
 * first), so a long-running sandbox does not keep every event it ever recorded.
 */
import { randomBytes } from 'node:crypto';
import { rfc3339, type KObj, type Store } from './store.js';

export type Emit = (obj: KObj, type: 'Normal' | 'Warning', reason: string, message: string, component: string) => void;

export const EVENT_TTL_MS = 3_600_000;
export const MAX_EVENTS = 5_000;

interface Recorded {
  ns: string;
  name: string;
  lastMs: number;
}

export function eventRecorder(store: Store, now: () => Date, limits = { ttlMs: EVENT_TTL_MS, max: MAX_EVENTS }): Emit {
  const rt = store.typeFor('v1', 'Event');
  // Aggregation key (uid, reason, message) → the event, least recently written first.
  const recorded = new Map<string, Recorded>();
  const expire = (nowMs: number) => {
    for (const [key, e] of recorded) {
      if (recorded.size <= limits.max && nowMs - e.lastMs < limits.ttlMs) break;
      recorded.delete(key);
      store.delete(rt, e.ns, e.name);
    }
  };
  return (obj, type, reason, message, component) => {
    const ns = obj.metadata.namespace ?? 'default';
    const nowDate = now();
    const at = rfc3339(nowDate);
    const key = `${obj.metadata.uid}\n${reason}\n${message}`;
    const known = recorded.get(key);
    const same = known && store.get(rt, known.ns, known.name);
    recorded.delete(key);
    if (same) {
      store.update(rt, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: at });
      recorded.set(key, { ...known, lastMs: nowDate.getTime() });
      return expire(nowDate.getTime());
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    store.create(rt, {
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        namespace: ns,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
    recorded.set(key, { ns, name, lastMs: nowDate.getTime() });
    expire(nowDate.getTime());
  };
}
