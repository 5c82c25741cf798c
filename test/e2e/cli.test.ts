/** The CLI against a running local host: sample events in, a release followed to its end. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { FUNCTION_KEY, startTestHost, WEBHOOK_SECRET } from '../helpers/host.js';

let host: LocalHost;
beforeAll(async () => {
  // No sandbox: nothing is configured, so the scan gate cannot run and must fail closed.
  host = await startTestHost({});
});
afterAll(async () => host?.stop());

function io() {
  let out = '';
  let err = '';
  const value: CliIo = {
    stdin: (async function* () {})(),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { TAILSPIN_URL: host.url, TAILSPIN_FUNCTION_KEY: FUNCTION_KEY, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET },
  };
  return { value, out: () => out, err: () => err };
}

describe('tailspin-deployer CLI', () => {
  it('send-event push signs a push the webhook accepts', async () => {
    const c = io();
    expect(await main(['send-event', 'push', '--paths', 'server/app.py'], c.value)).toBe(0);
    expect(c.out()).toMatch(/^202 \{"releaseIds":\["r-/);
  });

  it('send-event image posts an ImagePushed event', async () => {
    const c = io();
    expect(await main(['send-event', 'image', '--repo-name', 'tailspin-client', '--tag', 'v9'], c.value)).toBe(0);
    // Accepted with a reserved release id; admission follows from the queue (#19).
    expect(c.out()).toMatch(/"outcome":"accepted","releaseId":"r-/);
  });

  it('send-event deploy + follow: with no scanner configured the release is blocked (fail closed), and follow says so', async () => {
    const c = io();
    const image = `tailspinacr.azurecr.io/tailspin-server@sha256:${'9'.repeat(64)}`;
    expect(
      await main(['send-event', 'deploy', '--app', 'tailspin-server', '--env', 'dev', '--image', image, '--reason', 'cli test'], c.value),
    ).toBe(0);
    const id = /"releaseId":"(r-[^"]+)"/.exec(c.out())?.[1] ?? '';
    const f = io();
    expect(await main(['follow', id, '--interval', '0.2', '--timeout', '30'], f.value)).toBe(1);
    expect(f.out()).toMatch(/→ queued/);
    expect(f.out()).toMatch(/→ blocked\s+scan could not be started \(fail closed\): acr is not configured/);
  });

  it('send-event image + follow: the reserved id is followed through admission to its end (blocked: no scanner)', async () => {
    const c = io();
    expect(await main(['send-event', 'image', '--repo-name', 'tailspin-server', '--tag', 'v10'], c.value)).toBe(0);
    const id = /"releaseId":"(r-[^"]+)"/.exec(c.out())?.[1] ?? '';
    const f = io();
    expect(await main(['follow', id, '--interval', '0.2', '--timeout', '30'], f.value)).toBe(1);
    expect(f.out()).toMatch(/→ queued/);
    expect(f.out()).toMatch(/→ blocked/);
  });

  it('refuses bad input with exit 2', async () => {
    const c = io();
    expect(await main(['send-event', 'nonsense'], c.value)).toBe(2);
    expect(await main(['follow', 'not-an-id'], c.value)).toBe(2);
    expect(await main(['send-event', 'push', '--bogus'], c.value)).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--bogus'/);
  });

  it('a deploy the deployer refuses exits 1 and shows why', async () => {
    const c = io();
    expect(await main(['send-event', 'deploy', '--app', 'nope', '--image', 'x', '--reason', 'r'], c.value)).toBe(1);
    expect(c.out()).toMatch(/^404 .*unknown app \\"nope\\"/);
  });
});
