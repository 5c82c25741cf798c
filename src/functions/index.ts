/** Every function the deployer has, registered through whichever registrar the host provides. */
import type { Registrar } from './registrar.js';
import type { Services } from '../services/compose.js';
import { registerHealth } from './health.js';

export function registerAll(r: Registrar, s: Services): void {
  registerHealth(r, s.health);
}
