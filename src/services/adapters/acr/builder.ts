/**
 * Builder port over ACR Tasks: a quick Docker build of the app folder at the exact commit, pushed
 * with the commit SHA and `latest`. A GitHub App installation token for private repositories goes
 * into the context URL only; it is scrubbed from every error, reason and log line.
 */
import { type Result, ok, err } from '../../domain/result.js';
import type { BuildRequest, BuildRun, Builder, Logger } from '../../ports.js';
import { invalid, type Redact } from './errors.js';
import { isRunning, type Runs } from './runs.js';

export type SourceToken = string | (() => Promise<string | undefined>);

export interface BuilderDeps {
  runs: Runs;
  resolveTag: (repository: string, tag: string) => Promise<Result<string>>;
  sourceToken?: SourceToken;
  runTimeoutSeconds: number;
  logger: Logger;
  /** Knows the current token too (see index.ts). */
  redact: Redact;
  rememberSecret: (s: string) => void;
}

const REPO = /^[\w.-]+\/[\w.-]+$/;
const COMMIT = /^[0-9a-f]{7,40}$/;
// A context folder or Dockerfile path inside the repository: no scheme, no "..", no URL syntax.
const PATH = /^(?!.*\.\.)[\w./-]*$/;

/** https://github.com/<repo>.git#<commit>:<context> — the git fragment form docker build understands. */
export function contextUrl(repository: string, commit: string, context: string, token?: string): string {
  const auth = token ? `x-access-token:${encodeURIComponent(token)}@` : '';
  const folder = context.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  return `https://${auth}github.com/${repository}.git#${commit}${folder ? `:${folder}` : ''}`;
}

export function createBuilderOver(d: BuilderDeps): Builder {
  const token = async (): Promise<string | undefined> => {
    const t = typeof d.sourceToken === 'function' ? await d.sourceToken() : d.sourceToken;
    if (t) d.rememberSecret(t);
    return t;
  };

  return {
    async start(req: BuildRequest): Promise<Result<{ runId: string }>> {
      if (!REPO.test(req.repository) || !COMMIT.test(req.commit) || !PATH.test(req.context) || !PATH.test(req.dockerfile)) {
        return err(invalid(`build request is malformed (repository ${req.repository}, commit ${req.commit})`));
      }
      if (req.imageNames.length === 0) return err(invalid('build request has no image names'));
      let sourceLocation: string;
      try {
        sourceLocation = contextUrl(req.repository, req.commit, req.context, await token());
      } catch {
        return err(invalid('could not obtain the source token for the build context'));
      }
      const runId = await d.runs.schedule({
        type: 'DockerBuildRequest',
        sourceLocation,
        dockerFilePath: req.dockerfile,
        imageNames: req.imageNames,
        isPushEnabled: true,
        noCache: false,
        platform: { os: 'Linux', architecture: 'amd64' },
        timeout: d.runTimeoutSeconds,
        credentials: { sourceRegistry: { loginMode: 'Default' } },
        isArchiveEnabled: false,
      });
      if (!runId.ok) return runId;
      d.logger.info('build run scheduled', { runId: runId.value, app: req.app, commit: req.commit, images: req.imageNames });
      return ok({ runId: runId.value });
    },

    async get(runId: string): Promise<Result<BuildRun>> {
      const run = await d.runs.get(runId);
      if (!run.ok) return run;
      const { status, outputImages = [], runErrorMessage } = run.value;
      if (isRunning(status)) return ok({ state: 'running', runId });
      if (status === 'Succeeded') {
        const pushed = outputImages.find((i) => i.digest);
        if (!pushed?.digest) return ok({ state: 'succeeded', runId });
        const image = pushed.registry && pushed.repository ? `${pushed.registry}/${pushed.repository}@${pushed.digest}` : undefined;
        return ok({ state: 'succeeded', runId, digest: pushed.digest, ...(image ? { image } : {}) });
      }
      const link = await d.runs.logUrl(runId);
      const detail = runErrorMessage ? `: ${d.redact(runErrorMessage)}` : '';
      return ok({ state: 'failed', runId, reason: `build run ${status}${detail}`, ...(link.ok ? { logUrl: link.value } : {}) });
    },

    resolveTag: (repository, tag) => d.resolveTag(repository, tag),
  };
}
