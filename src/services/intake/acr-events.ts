/**
 * ACR events as Event Grid or CloudEvents 1.0 deliver them. Each event is judged on its own, so
 * one bad event in a batch does not lose the good ones.
 */
import { z } from 'zod';
import { findAppByRepository, type AppSpec, type Catalog } from '../domain/catalog.js';
import { isDigest, isRepository, isTag } from '../domain/image-ref.js';

const Target = z.object({
  digest: z.string(),
  repository: z.string(),
  tag: z.string().optional(),
  mediaType: z.string().optional(),
});
const ImagePushedData = z.object({
  id: z.string().optional(),
  action: z.string().optional(),
  target: Target,
  request: z.object({ host: z.string().optional() }).partial().optional(),
});

const EventGridEvent = z.object({
  id: z.string().min(1),
  eventType: z.string().min(1),
  topic: z.string().optional(),
  subject: z.string().optional(),
  data: z.unknown(),
  dataVersion: z.string().optional(),
});
const CloudEvent = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().optional(),
  specversion: z.literal('1.0'),
  data: z.unknown(),
});

export interface NormalizedEvent {
  id: string;
  type: string;
  topic?: string;
  data: unknown;
  schema: 'eventgrid' | 'cloudevents';
}

export type EventVerdict =
  | { kind: 'validation'; id: string; validationCode: string }
  | { kind: 'image'; id: string; app: AppSpec; registry: string; repository: string; digest: string; tag?: string }
  | { kind: 'ignored'; id: string; reason: string }
  | { kind: 'invalid'; id?: string; reason: string };

/** Short names appear in older docs and some deliveries; full names are what Event Grid sends today. */
const shortType = (t: string): string => t.replace(/^Microsoft\.ContainerRegistry\./, '').replace(/^Microsoft\.EventGrid\./, '');

export function normalize(raw: unknown): NormalizedEvent | { invalid: string; id?: string } {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const ce = CloudEvent.safeParse(raw);
  if (ce.success)
    return {
      id: ce.data.id,
      type: ce.data.type,
      ...(ce.data.source ? { topic: ce.data.source } : {}),
      data: ce.data.data,
      schema: 'cloudevents',
    };
  const eg = EventGridEvent.safeParse(raw);
  if (eg.success)
    return {
      id: eg.data.id,
      type: eg.data.eventType,
      ...(eg.data.topic ? { topic: eg.data.topic } : {}),
      data: eg.data.data,
      schema: 'eventgrid',
    };
  return {
    invalid: 'not an Event Grid event (id, eventType, data) nor a CloudEvent 1.0 (id, type, specversion, data)',
    ...(id ? { id } : {}),
  };
}

/** The registry an event came from: the request host, else the registry name in the topic. */
function registryOf(e: NormalizedEvent, host: string | undefined): string | undefined {
  if (host) return host.toLowerCase();
  const m = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([A-Za-z0-9]+)$/i.exec(e.topic ?? '');
  return m?.[1] ? `${m[1].toLowerCase()}.azurecr.io` : undefined;
}

export function judgeEvent(raw: unknown, catalog: Catalog, loginServer: string): EventVerdict {
  const e = normalize(raw);
  if ('invalid' in e) return { kind: 'invalid', ...(e.id ? { id: e.id } : {}), reason: e.invalid };
  const type = shortType(e.type);
  if (type === 'SubscriptionValidationEvent') {
    const code = z.object({ validationCode: z.string().min(1) }).safeParse(e.data);
    return code.success
      ? { kind: 'validation', id: e.id, validationCode: code.data.validationCode }
      : { kind: 'invalid', id: e.id, reason: 'validation event without data.validationCode' };
  }
  if (type !== 'ImagePushed') return { kind: 'ignored', id: e.id, reason: `${e.type} events do not deploy` };
  const data = ImagePushedData.safeParse(e.data);
  if (!data.success)
    return {
      kind: 'invalid',
      id: e.id,
      reason: `ImagePushed data: ${data.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    };
  const { target, request } = data.data;
  if (!isDigest(target.digest)) return { kind: 'invalid', id: e.id, reason: 'data.target.digest is not a sha256 digest' };
  if (!isRepository(target.repository))
    return { kind: 'invalid', id: e.id, reason: 'data.target.repository is not a valid repository name' };
  if (target.tag !== undefined && !isTag(target.tag)) return { kind: 'invalid', id: e.id, reason: 'data.target.tag is not a valid tag' };
  if (target.mediaType?.includes('helm')) return { kind: 'ignored', id: e.id, reason: 'Helm chart pushes do not deploy' };
  const registry = registryOf(e, request?.host);
  if (registry !== loginServer.toLowerCase()) {
    return { kind: 'ignored', id: e.id, reason: `registry ${registry ?? '(unknown)'} is not the configured registry ${loginServer}` };
  }
  const app = findAppByRepository(catalog, target.repository);
  if (!app) return { kind: 'ignored', id: e.id, reason: `repository ${target.repository} belongs to no app in the catalog` };
  return {
    kind: 'image',
    id: e.id,
    app,
    registry,
    repository: target.repository,
    digest: target.digest,
    ...(target.tag ? { tag: target.tag } : {}),
  };
}
