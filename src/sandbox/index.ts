import type { SandboxSlot } from './slot.js';
import { acrSlot } from './acr/slot.js';
import { githubSlot } from './github/slot.js';
import { kubernetesSlot } from './kubernetes/slot.js';
import { monitorSlot } from './monitor/slot.js';

/** The sandbox services the local host can start, in start order. Filled by later issues. */
export const sandboxSlots: SandboxSlot[] = [acrSlot, githubSlot, kubernetesSlot, monitorSlot];
