/**
 * GitHub code scanning: SARIF uploads (POST /repos/{o}/{r}/code-scanning/sarifs, the log gzipped and
 * base64-encoded) and their processing status (GET …/sarifs/{id}). Needs `security_events: write`
 * (App) or a token with the `security_events` scope; private repositories need GitHub code security.
 */
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import type { CodeScanning, SarifProcessing, SarifUpload } from '../../ports.js';
import { attempt, parse, type GitHubContext } from './context.js';

/** GitHub refuses a compressed SARIF larger than this (docs: "SARIF support for code scanning"). */
export const MAX_SARIF_GZIP_BYTES = 10 * 1024 * 1024;

const Uploaded = z.object({ id: z.string().min(1), url: z.string().optional() });
const Status = z.object({
  processing_status: z.enum(['pending', 'complete', 'failed']),
  analyses_url: z.string().nullish(),
  errors: z.array(z.string()).nullish(),
});

export function codeScanningOver(ctx: GitHubContext): CodeScanning {
  return {
    async upload(u: SarifUpload): Promise<Result<{ id: string; url?: string }>> {
      const packed = gzipSync(Buffer.from(JSON.stringify(withCategory(u.sarif, u.category)), 'utf8'));
      if (packed.length > MAX_SARIF_GZIP_BYTES)
        return err(
          adapterError('github', 'invalid', `SARIF is ${packed.length} bytes gzipped; GitHub takes at most ${MAX_SARIF_GZIP_BYTES}`),
        );
      const res = await attempt(ctx, 'upload-sarif', () =>
        ctx.octokit.rest.codeScanning.uploadSarif({
          owner: ctx.owner,
          repo: ctx.repo,
          commit_sha: u.commit,
          ref: u.ref,
          sarif: packed.toString('base64'),
          tool_name: 'Trivy',
        }),
      );
      if (!res.ok) return res;
      const body = parse(Uploaded, res.value.data, 'SARIF upload');
      return body.ok ? ok({ id: body.value.id, ...(body.value.url ? { url: body.value.url } : {}) }) : body;
    },
    async status(id: string): Promise<Result<SarifProcessing>> {
      const res = await attempt(ctx, 'sarif-status', () =>
        ctx.octokit.rest.codeScanning.getSarif({ owner: ctx.owner, repo: ctx.repo, sarif_id: id }),
      );
      if (!res.ok) return res;
      const s = parse(Status, res.value.data, 'SARIF status');
      if (!s.ok) return s;
      return ok({
        processing: s.value.processing_status,
        ...(s.value.analyses_url ? { analysesUrl: s.value.analyses_url } : {}),
        ...(s.value.errors?.length ? { errors: s.value.errors } : {}),
      });
    },
  };
}

/**
 * The REST body has no category: code scanning reads it from each run's `automationDetails.id`
 * ("<category>/<run id>", the part before the last slash; the upload-sarif action writes it the same way).
 */
export function withCategory(sarif: unknown, category: string): unknown {
  if (!sarif || typeof sarif !== 'object' || !Array.isArray((sarif as { runs?: unknown }).runs)) return sarif;
  const log = sarif as { runs: Record<string, unknown>[] };
  return { ...log, runs: log.runs.map((run) => ({ ...run, automationDetails: { id: `${category}/` } })) };
}
