import type { SandboxSlot } from './slot.js';
import { acrSlot } from './acr/slot.js';
import { githubSlot } from './github/slot.js';
import { kubernetesSlot } from './kubernetes/slot.js';
import { monitorSlot } from './monitor/slot.js';
import { promotionSlot } from './promotion/slot.js';

/** The sandbox services the local host can start, in start order. Filled by later issues. */
export const sandboxSlots: SandboxSlot[] = [acrSlot, githubSlot, kubernetesSlot, monitorSlot];

/**
 * What `npm start` runs: the same, plus staging and prod clusters with a promotion graph (issue 18).
 * Promotion comes before kubernetes so that it sees only a KUBECONFIG of the user's, not the sandbox's.
 */
export const startSlots: SandboxSlot[] = [acrSlot, githubSlot, promotionSlot, kubernetesSlot, monitorSlot];
