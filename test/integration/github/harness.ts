/**
 * The production GitHub adapter talking HTTPS to the fake. Each test gets a fresh fake and
 * fails if the fake saw a call the real API would reject or that the fake does not implement.
 */
import { afterEach, expect } from 'vitest';
import { createGitHubSourceControl, type GitHubSourceControlOptions } from '../../../src/services/adapters/github/index.js';
import { startGitHubFake, type GitHubFake, type GitHubFakeOptions } from '../../../src/sandbox/github/server.js';
import type { SourceControl } from '../../../src/services/ports.js';

export const REPO = 'tailspin/tailspin-toys';
export const TOKEN = 'test-token-0123456789';
export const COMMIT = 'a'.repeat(40);

const running: GitHubFake[] = [];
let allowUnexpected = false;

afterEach(async () => {
  const fakes = running.splice(0);
  await Promise.all(fakes.map((f) => f.stop()));
  if (!allowUnexpected) for (const f of fakes) expect(f.unexpected).toEqual([]);
  allowUnexpected = false;
});

/** For tests whose point is a request the real API rejects. */
export function expectUnexpectedCalls(): void {
  allowUnexpected = true;
}

export async function fakeAndAdapter(
  fakeOpts: GitHubFakeOptions = {},
  adapterOpts: Partial<GitHubSourceControlOptions> = {},
): Promise<{ fake: GitHubFake; gh: SourceControl }> {
  const fake = await startGitHubFake({ repository: REPO, token: TOKEN, ...fakeOpts });
  running.push(fake);
  const gh = createGitHubSourceControl({ repository: REPO, baseUrl: fake.url, auth: { token: TOKEN }, ca: fake.ca, ...adapterOpts });
  return { fake, gh };
}

/** Unwrap a Result in a test, failing with the error when it is not ok. */
export function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}
