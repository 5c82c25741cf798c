/**
 * Who changed which Deployment, when: each change of a Deployment's spec or of the deployer's writer
 * token (`tailspin.dev/writer`), as the fake's store saw it. The controller's status writes are not
 * changes here. Tests hold it against the release records to check "one writer per Deployment"
 * from the cluster's side; `GET /_sandbox/writes` serves it to a process that does not hold the fake.
 */
import { pushBounded, WRITE_RECORDS } from '../records.js';
import type { KObj, Store } from './store.js';

export interface DeploymentWrite {
  /** Milliseconds since the epoch, by this process's clock. */
  at: number;
  namespace: string;
  name: string;
  generation: number;
  /** The writer token after the change ('' when the deployer never wrote). */
  writer: string;
}

const WRITER = 'tailspin.dev/writer';

export function recordDeploymentWrites(store: Store, now: () => number = Date.now): DeploymentWrite[] {
  const writes: DeploymentWrite[] = [];
  const last = new Map<string, { generation: number; writer: string }>();
  store.onChange((rt, obj: KObj, change) => {
    if (rt.kind !== 'Deployment' || rt.group !== 'apps') return;
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (change === 'delete') {
      last.delete(key);
      return;
    }
    const seen = { generation: obj.metadata.generation ?? 0, writer: obj.metadata.annotations?.[WRITER] ?? '' };
    const before = last.get(key);
    last.set(key, seen);
    if (before && before.generation === seen.generation && before.writer === seen.writer) return;
    pushBounded(writes, { at: now(), namespace: obj.metadata.namespace ?? '', name: obj.metadata.name, ...seen }, WRITE_RECORDS);
  });
  return writes;
}
