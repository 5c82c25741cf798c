/** building: follow the ACR run. Success ends this release; the ImagePushed event carries the image on. */
import { wait, type Decision } from '../decision.js';
import { addSeconds, finish, retryUntil, type StepContext } from './common.js';

export async function building(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const runId = r.progress.buildRunId ?? '';
  const deadline = addSeconds(r.progress.buildStartedAt ?? r.createdAt, d.settings.buildDeadlineSeconds);
  const res = await d.builder.get(runId);
  if (!res.ok)
    return retryUntil(c, res.error, { on: 'build', for: `build run ${runId}`, deadline, pollSeconds: d.settings.buildPollSeconds }, (e) =>
      finish(c, 'failed', `build run ${runId} could not be read: ${e.message}`, {}),
    );
  const run = res.value;
  if (run.state === 'running') {
    if (c.now > deadline) return finish(c, 'failed', `build run ${runId} did not finish within ${d.settings.buildDeadlineSeconds} s`, {});
    return wait('build', `build run ${runId}`, deadline, d.settings.buildPollSeconds);
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
