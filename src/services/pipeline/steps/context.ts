import type { Release } from '../../domain/release.js';
import type { AppSpec } from '../../domain/catalog.js';
import type { Logger, Workload } from '../../ports.js';
import type { PipelineDeps } from '../deps.js';

export interface StepContext {
  r: Release;
  d: PipelineDeps;
  now: Date;
  log: Logger;
  /** The catalog entry; undefined for manifest releases. */
  app: AppSpec | undefined;
}

export const workloadOf = (app: AppSpec): Workload => ({ namespace: app.namespace, deployment: app.deployment, container: app.container });

/** When the current wait for `what` began (a new kind of wait starts its clock now). */
export const waitingSince = (c: StepContext, what: string): Date =>
  c.r.wait && c.r.wait.for.split(':')[0] === what.split(':')[0] ? new Date(c.r.wait.since) : c.now;

export const addSeconds = (d: Date | string, s: number): Date => new Date(new Date(d).getTime() + s * 1000);
