/**
 * POST /_sandbox/knobs: the fake's control API for people and scripts driving the sandbox.
 *   {"imageBehaviour": {"match": "sha256:bad", "behaviour": "ready|unready|crash|imagepull|unschedulable"}}
 *   {"replicaFailure": {"namespace": "tail-spin", "deployment": "tailspin-server", "message": "quota exceeded"}}  (message omitted: clear)
 *   {"service": {"namespace": "tail-spin", "name": "tailspin-server", "status": 500, "delayMs": 3000, "body": "…"}}  (only namespace+name: reset)
 */
import { z } from 'zod';
import { POD_BEHAVIOURS, type PodBehaviour } from './pods.js';
import type { ServiceProxy } from './proxy.js';
import { failure, type HttpAnswer } from './status-object.js';

const Knobs = z.object({
  imageBehaviour: z.object({ match: z.string().min(1), behaviour: z.enum(POD_BEHAVIOURS as [PodBehaviour, ...PodBehaviour[]]) }).optional(),
  replicaFailure: z.object({ namespace: z.string(), deployment: z.string(), message: z.string().optional() }).optional(),
  service: z
    .object({
      namespace: z.string(),
      name: z.string(),
      status: z.number().int().optional(),
      delayMs: z.number().int().min(0).optional(),
      body: z.string().optional(),
      contentType: z.string().optional(),
    })
    .optional(),
});

export interface KnobTarget {
  setImageBehaviour(match: string, behaviour: PodBehaviour): void;
  setReplicaFailure(namespace: string, deployment: string, message: string | undefined): void;
  proxy: ServiceProxy;
}

export function applyKnobs(body: string, target: KnobTarget | undefined): HttpAnswer {
  let parsed: z.infer<typeof Knobs>;
  try {
    parsed = Knobs.parse(JSON.parse(body));
  } catch (e) {
    return failure(400, `bad knobs: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!target) return failure(503, 'not started');
  if (parsed.imageBehaviour) target.setImageBehaviour(parsed.imageBehaviour.match, parsed.imageBehaviour.behaviour);
  if (parsed.replicaFailure)
    target.setReplicaFailure(parsed.replicaFailure.namespace, parsed.replicaFailure.deployment, parsed.replicaFailure.message);
  if (parsed.service) {
    const { namespace, name, ...response } = parsed.service;
    target.proxy.set(namespace, name, Object.keys(response).length > 0 ? response : undefined);
  }
  return { status: 200, body: { ok: true, applied: parsed } };
}
