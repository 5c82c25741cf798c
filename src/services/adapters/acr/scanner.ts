/**
 * Scanner port over ACR Tasks: a quick run of Trivy against the exact digest, its JSON report read
 * back from the run log.
 */
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository } from '../../domain/image-ref.js';
import type { Logger, ScanRun, ScanTarget, Scanner } from '../../ports.js';
import { fromStatus, fromThrown, invalid, type Redact } from './errors.js';
import type { HttpSend } from './https.js';
import { extractReport } from './log-report.js';
import { isRunning, type Runs } from './runs.js';
import { encodeTask, scanTaskYaml } from './scan-task.js';
import { TrivyReportEnvelope } from './schema.js';
import type { Clock } from '../../ports.js';

export interface ScannerDeps {
  runs: Runs;
  loginServer: string;
  trivyImage: string;
  trivyDbRepository: string;
  /** ACR's own limit on the run; the pipeline's scan deadline stays the one that decides. */
  runTimeoutSeconds: number;
  /** Downloads the log blob (SAS URL). */
  send: HttpSend;
  logger: Logger;
  clock: Clock;
  redact: Redact;
}

export function createScannerOver(d: ScannerDeps): Scanner {
  if (!d.trivyImage.includes('@sha256:')) {
    d.logger.warn('trivy image is not pinned by digest; pin it in production', { trivyImage: d.trivyImage });
  }
  return {
    async start(target: ScanTarget): Promise<Result<{ runId: string }>> {
      if (!isRepository(target.repository) || !isDigest(target.digest)) {
        return err(invalid(`scan target must be repository@sha256:<64 hex>, got ${target.repository}@${target.digest}`));
      }
      // The run is logged in to its own registry only (see scan-task.ts).
      if (target.registry.toLowerCase() !== d.loginServer.toLowerCase()) {
        return err(invalid(`can only scan images in ${d.loginServer}, not ${target.registry}`));
      }
      const imageRef = `${d.loginServer}/${target.repository}@${target.digest}`;
      const yaml = scanTaskYaml({
        trivyImage: d.trivyImage,
        dbRepository: d.trivyDbRepository,
        imageRef,
        stepTimeoutSeconds: d.runTimeoutSeconds,
      });
      const runId = await d.runs.schedule({
        type: 'EncodedTaskRunRequest',
        encodedTaskContent: encodeTask(yaml),
        platform: { os: 'Linux', architecture: 'amd64' },
        timeout: d.runTimeoutSeconds,
        credentials: { sourceRegistry: { loginMode: 'Default' } },
        isArchiveEnabled: false,
      });
      if (!runId.ok) return runId;
      d.logger.info('scan run scheduled', { runId: runId.value, image: imageRef });
      return ok({ runId: runId.value });
    },

    async get(runId: string): Promise<Result<ScanRun>> {
      const run = await d.runs.get(runId);
      if (!run.ok) return run;
      const { status } = run.value;
      if (isRunning(status)) return ok({ state: 'running', runId });

      const link = await d.runs.logUrl(runId);
      if (status !== 'Succeeded') {
        const detail = run.value.runErrorMessage ? `: ${d.redact(run.value.runErrorMessage)}` : '';
        return ok({ state: 'failed', runId, reason: `scan run ${status}${detail}`, ...(link.ok ? { logUrl: link.value } : {}) });
      }
      if (!link.ok) return link;

      let log;
      try {
        log = await d.send({ method: 'GET', url: link.value });
      } catch (e) {
        return err(fromThrown(e, `download log of ACR run ${runId}`, d.redact, d.clock));
      }
      if (log.status !== 200)
        return err(fromStatus(log.status, `download log of ACR run ${runId}`, d.redact, d.clock, log.headers['retry-after']));

      const report = extractReport(log.body, runId);
      if (!report.ok) return ok({ state: 'failed', runId, reason: report.error, logUrl: link.value });
      const envelope = TrivyReportEnvelope.safeParse(report.value);
      if (!envelope.success) {
        return ok({ state: 'failed', runId, reason: 'the scan report is not a Trivy JSON report (no SchemaVersion)', logUrl: link.value });
      }
      return ok({ state: 'done', runId, report: report.value });
    },
  };
}
