/**
 * The scan report travels inside the ACR run log, between two marker lines that carry the run id.
 * A run log is noisy (ACR's own lines, Trivy's coloured progress on stderr, CRLF from the agent,
 * step retries printing the report twice), so extraction is strict about markers and lenient
 * about everything around them.
 */
import { type Result, ok, err } from '../../domain/result.js';

export const BEGIN = 'TAILSPIN-TRIVY-REPORT-BEGIN';
export const END = 'TAILSPIN-TRIVY-REPORT-END';

export const markerLine = (which: typeof BEGIN | typeof END, runId: string): string => `===${which} ${runId}===`;

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) escape sequences.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export const normalizeLog = (log: string): string => log.replace(ANSI, '').replace(/\r\n?/g, '\n');

/**
 * The JSON between the last complete BEGIN/END pair for this run. A BEGIN without an END (a
 * truncated last attempt) falls back to an earlier complete pair.
 */
export function extractReport(log: string, runId: string): Result<unknown, string> {
  const lines = normalizeLog(log)
    .split('\n')
    .map((l) => l.trim());
  const begin = markerLine(BEGIN, runId);
  const end = markerLine(END, runId);
  for (let e = lines.length - 1; e >= 0; e--) {
    if (lines[e] !== end) continue;
    let b = e - 1;
    while (b >= 0 && lines[b] !== begin && lines[b] !== end) b--;
    if (b < 0 || lines[b] !== begin) continue;
    const body = lines
      .slice(b + 1, e)
      .join('\n')
      .trim();
    if (body === '') return err('the scan report between the markers is empty');
    try {
      return ok(JSON.parse(body) as unknown);
    } catch {
      return err('the scan report between the markers is not valid JSON');
    }
  }
  return lines.includes(begin)
    ? err('the scan report is incomplete (no end marker): the log may be truncated')
    : err('the run log holds no scan report (no report markers for this run)');
}
