/**
 * Which Trivy report a sandbox scan returns. Hand-made reports (not real CVEs) ship with the fake
 * so the sandbox never reads test fixtures at run time.
 * Knob: an image whose repository or one of whose tags contains "vulnerable" gets the failing
 * report (a CRITICAL and a HIGH), so `npm start` can show a blocked release end to end.
 */
import clean from './reports/clean.json' with { type: 'json' };
import vulnerable from './reports/vulnerable.json' with { type: 'json' };

export const cleanReport: unknown = clean;
export const vulnerableReport: unknown = vulnerable;

export interface Reports {
  byDigest: Map<string, unknown>;
  byRepository: Map<string, unknown>;
}

const named = (r: unknown): unknown => (r === 'vulnerable' ? vulnerable : r === 'clean' ? clean : r);

/** `artifact` is the scanned reference, written into ArtifactName as Trivy does. */
export function reportFor(reports: Reports, repository: string, digest: string, tags: string[], artifact: string): unknown {
  const chosen = reports.byDigest.get(digest) ?? reports.byRepository.get(repository);
  if (chosen !== undefined) return withArtifact(named(chosen), artifact);
  const bad = repository.includes('vulnerable') || tags.some((t) => t.includes('vulnerable'));
  return withArtifact(bad ? vulnerable : clean, artifact);
}

function withArtifact(report: unknown, name: string): unknown {
  return typeof report === 'object' && report !== null && !Array.isArray(report) ? { ...report, ArtifactName: name } : report;
}
