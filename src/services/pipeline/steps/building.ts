/** building: follow the ACR run. Success ends this release; the ImagePushed event carries the image on. */
import { retryable, retryAfterSeconds, type Decision, str } from '../decision.js';
import { finish } from './slot.js';
import { addSeconds, type StepContext } from './context.js';

export async function building(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const runId = str(r.progress.buildRunId, '');
  const deadline = addSeconds(str(r.progress.buildStartedAt, r.createdAt), d.settings.buildDeadlineSeconds);
  const res = await d.builder.get(runId);
  if (!res.ok) {
    if (retryable(res.error) && c.now < deadline)
      return {
        kind: 'wait',
        for: `acr: build run ${runId}`,
        deadline,
        afterSeconds: retryAfterSeconds(res.error, d.settings.buildPollSeconds),
      };
    return finish(c, 'failed', `build run ${runId} could not be read: ${res.error.message}`, {});
  }
  const run = res.value;
  if (run.state === 'running') {
    if (c.now > deadline) return finish(c, 'failed', `build run ${runId} did not finish within ${d.settings.buildDeadlineSeconds} s`, {});
    return { kind: 'wait', for: `acr: build run ${runId}`, deadline, afterSeconds: d.settings.buildPollSeconds };
  }
  if (run.state === 'failed') {
    return finish(
      c,
      'failed',
      `build run ${runId} failed: ${run.reason}`,
      {},
      { outcome: { build: { runId, state: 'failed', reason: run.reason } } },
    );
  }
  return finish(
    c,
    'succeeded',
    `image built by run ${runId}${run.digest ? ` (${run.digest})` : ''}; its ImagePushed event starts the image release`,
    {},
    {
      outcome: {
        build: { runId, state: 'succeeded', ...(run.digest ? { digest: run.digest } : {}), ...(run.image ? { image: run.image } : {}) },
      },
    },
  );
}
