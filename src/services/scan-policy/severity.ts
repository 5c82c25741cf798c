import { type Result } from '../domain/result.js';

/** Trivy's severity names, lowest first (trivy-db `SeverityNames`). */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Record<Severity, number>;

export interface PolicyInputError {
  /** Which input was wrong, so a CLI or status line can name it. */
  what: 'report' | 'ignorefile' | 'severity' | 'date';
  message: string;
}

export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Trivy writes "" (or nothing) for an unrated finding and then treats it as UNKNOWN. */
export const normalizeSeverity = (s: string | undefined): Severity => {
  const up = (s ?? '').trim().toUpperCase();
  return isSeverity(up) ? up : 'UNKNOWN';
};

export const zeroCounts = (): SeverityCounts => ({ UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 });

/** "HIGH,critical" → ['HIGH','CRITICAL'] in severity order; unknown names are an error naming them. */
export function parseSeverityList(input: string | readonly string[]): Result<Severity[], PolicyInputError> {
  const parts = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim().toUpperCase()).filter(Boolean);
  const bad = parts.filter((p) => !isSeverity(p));
  if (bad.length > 0) {
    return {
      ok: false,
      error: {
        what: 'severity',
        message: `unknown severity ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected ${SEVERITIES.join(', ')})`,
      },
    };
  }
  if (parts.length === 0)
    return { ok: false, error: { what: 'severity', message: `no severity given (expected some of ${SEVERITIES.join(', ')})` } };
  return { ok: true, value: SEVERITIES.filter((s) => parts.includes(s)) };
}
