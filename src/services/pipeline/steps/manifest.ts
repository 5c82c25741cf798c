/** Manifest releases (k8s/ at a commit). Filled in by issue 6. */
import type { Decision } from '../decision.js';
import { finish } from './slot.js';
import type { StepContext } from './context.js';

export function manifestDeploying(c: StepContext): Promise<Decision> {
  return finish(c, 'blocked', 'manifest releases are not enabled in this build (issue 6)', {});
}
