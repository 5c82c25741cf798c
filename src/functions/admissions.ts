import type { InvocationContext } from '@azure/functions';
import type { Registrar } from './registrar.js';
import type { Intake } from '../services/intake/service.js';
import type { Logger } from '../services/ports.js';

export interface AdmissionsDeps {
  intake: Intake;
  logger: Logger;
}

/** Events the doors accepted (and the tail of large ACR batches): admitted off the request path. Throwing lets the queue retry. */
export function admissionsHandler(d: AdmissionsDeps) {
  return async function acrAdmissions(message: unknown, ctx: InvocationContext): Promise<void> {
    const out = await d.intake.admitQueued(message, d.logger.child({ invocation_id: ctx.invocationId }));
    d.logger.info('queued events admitted', { count: out.admitted, releases: out.releases });
  };
}

export function registerAdmissions(r: Registrar, d: AdmissionsDeps, queueName: string): void {
  r.storageQueue('acrAdmissions', { queueName, connection: 'AzureWebJobsStorage', handler: admissionsHandler(d) });
}
