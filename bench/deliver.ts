/**
 * Deliver one ACR event the way Event Grid does: only a 2xx answer is a delivery; any other answer but
 * a final refusal (400, 401, 403, 404, 413, 415) is sent again, after its Retry-After. A 503 that names
 * the release id ("still being admitted by another delivery; send it again") is not a delivery: the
 * earlier try may have left a claim without a queued message, which only a redelivery repairs (once
 * the claim is stale it is taken over and queued). Taking the id from that answer leaves the release
 * reserved and never admitted.
 */
export interface Answer {
  status: number;
  body: { results?: { releaseId?: string }[] };
  retryAfterS?: number;
}

/** Answers Event Grid does not retry (it dead-letters them). */
const FINAL = new Set([400, 401, 403, 404, 413, 415]);

export async function deliver(
  post: () => Promise<Answer>,
  opts: { refused?: Record<string, number>; giveUpMs?: number; maxPauseMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<string> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const giveUp = Date.now() + (opts.giveUpMs ?? 300_000);
  for (let waited = 0; ;) {
    const a = await post();
    const id = a.body.results?.[0]?.releaseId;
    if (a.status >= 200 && a.status < 300 && id) return id;
    if (opts.refused) opts.refused[a.status] = (opts.refused[a.status] ?? 0) + 1;
    if (FINAL.has(a.status) || (a.status < 300 && !id) || Date.now() > giveUp)
      throw new Error(`bench: event not delivered after ${Math.round(waited / 1000)} s: ${a.status} ${JSON.stringify(a.body)}`);
    const pause = Math.min(opts.maxPauseMs ?? 10_000, Math.max(1000, (a.retryAfterS ?? 1) * 1000));
    await sleep(pause);
    waited += pause;
  }
}
