import { type Result } from '../domain/result.js';
import { TrivyReport } from './schema.js';
import { type PolicyInputError } from './severity.js';

/**
 * Validate a Trivy JSON report (already-parsed JSON or its text). The error names what was wrong:
 * not JSON, not a Trivy report at all, or which field has the wrong shape.
 */
export function parseTrivyReport(input: unknown): Result<TrivyReport, PolicyInputError> {
  const fail = (message: string) => ({ ok: false as const, error: { what: 'report' as const, message } });
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (e) {
      return fail(`report is not valid JSON (${e instanceof SyntaxError ? e.message : 'unreadable'})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('report is not a Trivy JSON report (expected an object)');
  if (!('SchemaVersion' in value)) return fail('report is not a Trivy JSON report (no SchemaVersion; use `trivy … --format json`)');
  const parsed = TrivyReport.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(report)';
    const message =
      issue?.path[0] === 'SchemaVersion'
        ? `unsupported Trivy report SchemaVersion ${JSON.stringify(value.SchemaVersion)} (expected 2)`
        : `report is not a valid Trivy report: ${where}: ${issue?.message ?? 'invalid'}`;
    return fail(message);
  }
  return { ok: true, value: parsed.data };
}
