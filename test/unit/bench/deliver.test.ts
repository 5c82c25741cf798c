/**
 * The in-flight bench's sender (bench/deliver.ts) delivers like Event Grid: a 503 "send it again" that
 * names the release id is not a delivery. The old loop took the id from it and polled a release that a
 * claim without a queued message would never admit (issue #19: overdue releases).
 */
import { describe, expect, it } from 'vitest';
import { deliver, type Answer } from '../../../bench/deliver.js';

const ID = 'r-mx9yduft-55033a';
const inFlight: Answer = {
  status: 503,
  body: { results: [{ releaseId: ID }] },
  retryAfterS: 10,
};
const accepted: Answer = { status: 200, body: { results: [{ releaseId: ID }] } };

function script(answers: Answer[]) {
  const sent: number[] = [];
  const pauses: number[] = [];
  const post = () => {
    sent.push(sent.length);
    return Promise.resolve(answers[Math.min(sent.length - 1, answers.length - 1)] as Answer);
  };
  const sleep = (ms: number) => Promise.resolve(void pauses.push(ms));
  return { post, sleep, sent, pauses };
}

describe('bench delivery of an ACR event', () => {
  it('sends again after a 503 that names the release (still being admitted), waiting its Retry-After, until a 2xx', async () => {
    const s = script([{ status: 503, body: {} }, inFlight, inFlight, accepted]);
    const refused: Record<string, number> = {};
    expect(await deliver(s.post, { refused, sleep: s.sleep })).toBe(ID);
    expect(s.sent).toHaveLength(4);
    expect(refused).toEqual({ 503: 3 });
    expect(s.pauses).toEqual([1000, 10_000, 10_000]);
  });

  it('a final refusal is not sent again', async () => {
    const s = script([{ status: 400, body: {} }]);
    await expect(deliver(s.post, { sleep: s.sleep })).rejects.toThrow(/400/);
    expect(s.sent).toHaveLength(1);
  });
});
