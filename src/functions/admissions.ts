import type { InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Intake } from '../services/intake/service.js';
import type { Logger } from '../services/ports.js';

export interface AdmissionsDeps {
  intake: Intake;
  logger: Logger;
}

/** Image events a large ACR batch left for later: admitted off the request path. Throwing lets the queue retry. */
export function admissionsHandler(d: AdmissionsDeps) {
  return async function acrAdmissions(message: unknown, ctx: InvocationContext): Promise<void> {
    const results = await d.intake.acrDeferred(message, d.logger.child({ invocation_id: ctx.invocationId }));
    d.logger.info('queued image events admitted', {
      count: results.length,
      releases: results.filter((r) => r.outcome === 'release').length,
    });
  };
}

export function registerAdmissions(r: Registrar, d: AdmissionsDeps, queueName: string): void {
  r.storageQueue('acrAdmissions', { queueName, connection: 'AzureWebJobsStorage', handler: admissionsHandler(d) });
}
