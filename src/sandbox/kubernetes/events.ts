/**
 * Event recording like client-go's recorder: one core/v1 Event per (object, reason, message),
 * aggregated by bumping count and lastTimestamp when it repeats.
 */
import { randomBytes } from 'node:crypto';
import { rfc3339, type KObj, type Store } from './store.js';

export type Emit = (obj: KObj, type: 'Normal' | 'Warning', reason: string, message: string, component: string) => void;

export function eventRecorder(store: Store, now: () => Date): Emit {
  const rt = store.typeFor('v1', 'Event');
  return (obj, type, reason, message, component) => {
    const ns = obj.metadata.namespace ?? 'default';
    const at = rfc3339(now());
    const same = store.list(rt, ns).find((e) => {
      const io = e.involvedObject as { uid?: string } | undefined;
      return io?.uid === obj.metadata.uid && e.reason === reason && e.message === message;
    });
    if (same) {
      store.update(rt, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: at });
      return;
    }
    store.create(rt, {
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
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
  };
}
