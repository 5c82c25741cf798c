/** What every GitHub operation needs: the client, the repository and a uniform error boundary. */
import type { Octokit } from '@octokit/rest';
import type { z } from 'zod';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import type { Clock, Logger } from '../../ports.js';
import { toAdapterError } from './errors.js';

export interface GitHubContext {
  octokit: Octokit;
  owner: string;
  repo: string;
  clock: Clock;
  logger: Logger;
}

/** Run one call; RequestError and network failures become AdapterError values. */
export async function attempt<T>(ctx: GitHubContext, what: string, fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await fn());
  } catch (e) {
    const error = toAdapterError(e, ctx.clock);
    ctx.logger.warn('github call failed', { operation: what, kind: error.kind, status: error.status, error: error.message });
    return err(error);
  }
}

/** Parse a response body at the boundary; a shape we do not understand is `invalid`, not a crash. */
export function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): Result<z.infer<S>> {
  const r = schema.safeParse(data);
  return r.success
    ? ok(r.data)
    : err(adapterError('github', 'invalid', `unexpected response from ${what}: ${r.error.issues[0]?.message ?? 'bad shape'}`));
}
