/**
 * The fake's behaviour per operation, over in-memory state. Requests reaching here have already
 * been routed and validated against GitHub's description, so handlers trust their shapes.
 */
import { issueHandlers } from './handlers-issues.js';
import { repoHandlers } from './handlers-repos.js';
import { codeScanningHandlers } from './handlers-code-scanning.js';
import { historyHandlers, type CommitGraph } from './history.js';
import type { actionsHandlers } from './actions.js';
import type { Objects } from './objects.js';
import type { OperationId } from './spec.js';
import type { GitHubState, Handler } from './state.js';
import type { TreeStore } from './trees.js';

/** Operations answered by the Gate (token exchange, rate limit) rather than by state. */
export type StateOperation = Exclude<OperationId, 'apps/create-installation-access-token' | 'rate-limit/get'>;

export function makeHandlers(
  s: GitHubState,
  o: Objects,
  trees: TreeStore,
  graph: CommitGraph,
  actions: ReturnType<typeof actionsHandlers>,
): Record<StateOperation, Handler> {
  return { ...issueHandlers(s, o), ...repoHandlers(s, o, trees), ...codeScanningHandlers(s), ...historyHandlers(graph, o), ...actions };
}
