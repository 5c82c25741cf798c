import type { InvocationContext, Timer } from '@azure/functions';
import { z } from 'zod';
import type { Registrar } from './registrar.js';
import type { PipelineDeps } from '../services/pipeline/deps.js';
import { reconcile } from '../services/pipeline/reconcile.js';
import { sweep } from '../services/pipeline/sweeper.js';
import { keepHistory } from '../services/pipeline/retention.js';
import { RELEASE_ID } from '../services/domain/release.js';

const WorkItem = z.object({ releaseId: z.string().regex(RELEASE_ID), correlationId: z.string().max(300) });

export function pipelineHandler(d: PipelineDeps) {
  return async function pipeline(message: unknown, ctx: InvocationContext): Promise<void> {
    const item = WorkItem.safeParse(message);
    if (!item.success) {
      // A message we cannot read will never become readable: log it and let it go, not to poison.
      d.logger.error('unreadable work item dropped', { invocation_id: ctx.invocationId, problem: item.error.issues[0]?.message });
      return;
    }
    // Throwing lets the queue retry (and, after 5 tries, park the message in the poison queue).
    await reconcile(d, item.data.releaseId);
  };
}

export function sweeperHandler(d: PipelineDeps) {
  const pace = { nextAt: -Infinity };
  return async function sweeper(_timer: Timer, _ctx: InvocationContext): Promise<void> {
    await sweep(d);
    // History after the re-drives: indexing and retention are bounded batches, never in their way.
    await keepHistory(d, pace);
  };
}

export function registerPipeline(r: Registrar, d: PipelineDeps, queueName: string): void {
  r.storageQueue('pipeline', { queueName, connection: 'AzureWebJobsStorage', handler: pipelineHandler(d) });
  r.timer('sweeper', { schedule: '*/30 * * * * *', handler: sweeperHandler(d) });
}
