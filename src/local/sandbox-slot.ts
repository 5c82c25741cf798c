/** The sandbox's slot contract, as the local host sees it (defined beside the fakes in src/sandbox/slot.ts). */
export type { SandboxService, SandboxSlot } from '../sandbox/slot.js';
