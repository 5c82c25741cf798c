/**
 * Code scanning SARIF uploads: the body (already validated against GitHub's description) carries
 * the log gzipped and base64-encoded; it is unpacked as GitHub does, and a log that is not gzip
 * or not JSON is refused with 400. Processing answers `pending` for `sarifPendingReads` reads and
 * `sarifPendingSeconds` after the upload, then `complete` with the analyses link — or `failed` with
 * errors, for an upload `sarifFailures` names.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { SarifRecord } from './objects.js';
import type { GitHubState, Handler, Reply } from './state.js';
import { notFound, str } from './state.js';

type CodeScanningOperation = 'code-scanning/upload-sarif' | 'code-scanning/get-sarif';

const bad = (message: string): Reply => ({ status: 400, body: { message, documentation_url: 'https://docs.github.com/rest' } });

function unpack(b64: string): unknown {
  try {
    return JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

interface Run {
  automationDetails?: { id?: string };
  results?: { ruleId?: string; level?: string }[];
}

export function codeScanningHandlers(s: GitHubState): Record<CodeScanningOperation, Handler> {
  return {
    'code-scanning/upload-sarif': (c) => {
      const sarif = unpack(str(c.body.sarif) ?? '');
      const runs = (sarif as { runs?: unknown } | undefined)?.runs;
      if (!Array.isArray(runs)) return bad('Invalid SARIF: the sarif field is not a gzip-compressed, base64-encoded SARIF log');
      const id = randomUUID();
      const rec: SarifRecord = {
        id,
        commitSha: String(c.body.commit_sha),
        ref: String(c.body.ref),
        ...(str(c.body.tool_name) ? { toolName: str(c.body.tool_name) } : {}),
        categories: (runs as Run[]).map((r) => (r.automationDetails?.id ?? '').replace(/\/[^/]*$/, '')),
        results: (runs as Run[]).flatMap((r) => (r.results ?? []).map((x) => ({ ruleId: x.ruleId ?? '', level: x.level ?? 'warning' }))),
        sarif,
        reads: 0,
        at: c.now,
      };
      const failWith = s.sarifFailures.shift();
      if (failWith) rec.failWith = failWith;
      s.sarifs.push(rec);
      return { status: 202, body: { id, url: `${c.url}/${id}` } };
    },
    'code-scanning/get-sarif': (c) => {
      const rec = s.sarifs.find((x) => x.id === c.params.sarif_id);
      if (!rec) return notFound;
      rec.reads++;
      const processing = rec.reads <= s.sarifPendingReads || Date.parse(c.now) < Date.parse(rec.at) + s.sarifPendingSeconds * 1000;
      if (processing) return { status: 200, body: { processing_status: 'pending', analyses_url: null, errors: null } };
      if (rec.failWith) return { status: 200, body: { processing_status: 'failed', analyses_url: null, errors: rec.failWith } };
      const analyses = c.url.replace(/\/sarifs\/[^/]+$/, `/analyses?sarif_id=${rec.id}`);
      return { status: 200, body: { processing_status: 'complete', analyses_url: analyses, errors: null } };
    },
  };
}
