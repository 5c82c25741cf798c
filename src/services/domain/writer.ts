/**
 * One writer per Deployment, even for a tick that runs late. Every change the deployer makes to a
 * Deployment leaves a writer token on it (which release, which step). A later change names the
 * tokens it may follow: a tick that read its release before that release ended — and then stalled
 * while the release rolled back, or while the next release took the slot and deployed — finds
 * another token there and writes nothing. Saves are compare-and-swap, but a side effect that went
 * out before a lost save cannot be taken back; this is its fencing token.
 */
export type WriteStep = 'deploy' | 'rollback';

export interface WriteFence {
  /** This write's own token: already the Deployment's last writer means the write was done (a retried tick). */
  self: string;
  /** The tokens that may be the last writer for this write to go ahead ('' = none yet); absent = any. */
  after?: string[];
}

export const writerToken = (releaseId: string, step: WriteStep): string => `${releaseId}/${step}`;

export type FenceVerdict = 'write' | 'done' | 'refuse';

/** What a fenced write does, given the Deployment's last writer ('' when the deployer never wrote). */
export function judgeFence(fence: WriteFence | undefined, current: string): FenceVerdict {
  if (!fence) return 'write';
  if (current === fence.self) return 'done';
  return !fence.after || fence.after.includes(current) ? 'write' : 'refuse';
}
