/**
 * What the cluster adapter reads from the Kubernetes API, only the fields it uses. client-node
 * hands back model objects (timestamps as Date), so timestamps accept both Date and string.
 */
import { z } from 'zod';

const time = z
  .union([z.string(), z.date()])
  .nullish()
  .transform((v) => (v instanceof Date ? v.toISOString() : (v ?? undefined)));
const stringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});
const count = z
  .number()
  .int()
  .nullish()
  .transform((v) => v ?? 0);

const Metadata = z.object({
  name: z.string(),
  namespace: z.string().nullish(),
  uid: z.string().nullish(),
  generation: z.number().int().nullish(),
  resourceVersion: z.string().nullish(),
  annotations: stringMap,
  labels: stringMap,
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), uid: z.string() }))
    .nullish()
    .transform((v) => v ?? []),
  creationTimestamp: time,
});

const Container = z.object({ name: z.string(), image: z.string().nullish() });

export const PodTemplate = z
  .object({
    metadata: z.object({ labels: stringMap, annotations: stringMap }).passthrough().nullish(),
    spec: z.object({ containers: z.array(Container.passthrough()) }).passthrough(),
  })
  .passthrough();
export type PodTemplate = z.infer<typeof PodTemplate>;

export const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
});

export const Deployment = z.object({
  metadata: Metadata,
  spec: z.object({
    replicas: z.number().int().nullish(),
    selector: z.object({ matchLabels: stringMap }).nullish(),
    template: PodTemplate,
  }),
  status: z
    .object({
      observedGeneration: count,
      replicas: count,
      updatedReplicas: count,
      readyReplicas: count,
      availableReplicas: count,
      unavailableReplicas: count,
      conditions: z
        .array(Condition)
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
});
export type Deployment = z.infer<typeof Deployment>;

export const ReplicaSet = z.object({
  metadata: Metadata,
  spec: z.object({ replicas: z.number().int().nullish(), template: PodTemplate.nullish() }),
});
export type ReplicaSet = z.infer<typeof ReplicaSet>;
export const ReplicaSetList = z.object({ items: z.array(ReplicaSet) });

const ContainerState = z
  .object({
    waiting: z.object({ reason: z.string().nullish(), message: z.string().nullish() }).nullish(),
    terminated: z.object({ reason: z.string().nullish(), message: z.string().nullish(), exitCode: z.number().nullish() }).nullish(),
  })
  .nullish();

export const Pod = z.object({
  metadata: Metadata,
  status: z
    .object({
      phase: z.string().nullish(),
      conditions: z
        .array(Condition)
        .nullish()
        .transform((v) => v ?? []),
      containerStatuses: z
        .array(z.object({ name: z.string(), restartCount: count, state: ContainerState, lastState: ContainerState }))
        .nullish()
        .transform((v) => v ?? []),
    })
    .nullish(),
});
export type Pod = z.infer<typeof Pod>;
export const PodList = z.object({ items: z.array(Pod) });

export const Event = z.object({
  metadata: Metadata.partial({ name: true }),
  involvedObject: z.object({ kind: z.string().nullish(), name: z.string().nullish() }),
  type: z.string().nullish(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
  count: z.number().int().nullish(),
  lastTimestamp: time,
  eventTime: time,
  firstTimestamp: time,
});
export type Event = z.infer<typeof Event>;
export const EventList = z.object({ items: z.array(Event) });

export const Version = z.object({ gitVersion: z.string() });

/** The apiserver's Status body on errors (reason drives nothing; kept for messages). */
export const StatusBody = z.object({ message: z.string().optional(), reason: z.string().optional() });
