/**
 * The one place that knows how functions are registered. In Azure, src/index.ts passes a
 * registrar backed by `app` from @azure/functions; the local host passes one that records the
 * same registrations and serves them. Either way the routes, methods and auth levels are these.
 */
import type { EventGridHandler, HttpHandler, HttpMethod, StorageQueueHandler, TimerHandler } from '@azure/functions';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpRegistration {
  route: string;
  methods: HttpMethod[];
  authLevel: AuthLevel;
  handler: HttpHandler;
}
export interface QueueRegistration {
  queueName: string;
  connection: string;
  handler: StorageQueueHandler;
}
export interface TimerRegistration {
  /** NCRONTAB with seconds, e.g. "*\/30 * * * * *". */
  schedule: string;
  handler: TimerHandler;
}
export interface EventGridRegistration {
  handler: EventGridHandler;
}

export interface Registrar {
  http(name: string, r: HttpRegistration): void;
  storageQueue(name: string, r: QueueRegistration): void;
  timer(name: string, r: TimerRegistration): void;
  eventGrid(name: string, r: EventGridRegistration): void;
}
