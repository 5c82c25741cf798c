// scripts/publish-deployer.sh, the deployer workflow's publish and rollback, run against a recording `az`
// on PATH that keeps blobs in a folder: the order of calls, Entra auth for every blob call (the account
// has no keys), the last good package kept under its commit, and a rollback that republishes it — or
// fails loudly when there is none.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHA = 'a'.repeat(40);

// Records each call; `storage blob` subcommands work on files under $AZ_BLOBS (metadata beside them).
const FAKE_AZ = `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$AZ_LOG"
arg() { local want="$1"; shift; while (($#)); do [[ "$1" == "$want" ]] && { echo "$2"; return; }; shift; done; }
if [[ "$1 $2" == "storage blob" ]]; then
  name="$(arg --name "$@")"; f="$AZ_BLOBS/$(echo "$name" | tr / _)"
  case "$3" in
    upload) cp "$(arg --file "$@")" "$f"; meta="$(arg --metadata "$@")"; [[ -n "$meta" ]] && echo "\${meta#sha=}" >"$f.sha"; exit 0 ;;
    download) [[ -f "$f" ]] || { echo "BlobNotFound" >&2; exit 3; }; cp "$f" "$(arg --file "$@")"; exit 0 ;;
    metadata) cat "$f.sha"; exit 0 ;;
  esac
fi
if [[ "$1 $2 $3 $4" == "functionapp deployment source config-zip" ]]; then
  cp "$(arg --src "$@")" "$AZ_BLOBS/published.zip"; exit "\${AZ_PUBLISH_EXIT:-0}"
fi
exit 0
`;

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'publish-'));
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  chmodSync(join(dir, 'az'), 0o755);
  env = {
    PATH: `${dir}:${process.env.PATH}`,
    AZ_LOG: join(dir, 'calls.log'),
    AZ_BLOBS: dir,
    RESOURCE_GROUP: 'rg-sb-aks-01',
    FUNCTION_APP_NAME: 'func-tailspin-prod-1a2b3c',
    RELEASES_ACCOUNT: 'sttailspinprod1a2b3c',
    RELEASES_CONTAINER: 'deployer-releases',
  };
});

const run = (...args: string[]) => spawnSync('bash', ['scripts/publish-deployer.sh', ...args], { cwd: root, env, encoding: 'utf8' });
const calls = () => (existsSync(env.AZ_LOG!) ? readFileSync(env.AZ_LOG!, 'utf8').trim().split('\n') : []);
const pkg = (content: string) => {
  const f = join(dir, `${content}.zip`);
  writeFileSync(f, content);
  return f;
};

describe('publish-deployer.sh', () => {
  it('publishes, keeps the good package, and rolls a bad one back to it', () => {
    expect(run('publish', pkg('v1'), SHA).status).toBe(0);
    expect(run('keep', pkg('v1'), SHA).status).toBe(0);
    expect(run('publish', pkg('v2'), 'b'.repeat(40)).status).toBe(0);
    expect(readFileSync(join(dir, 'published.zip'), 'utf8')).toBe('v2');
    const back = run('rollback');
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toContain(`rolling func-tailspin-prod-1a2b3c back to ${SHA}`);
    expect(readFileSync(join(dir, 'published.zip'), 'utf8')).toBe('v1');
    const blobCalls = calls().filter((c) => c.startsWith('storage blob'));
    expect(blobCalls.length).toBe(4);
    for (const c of blobCalls)
      expect(c).toContain('--auth-mode login --account-name sttailspinprod1a2b3c --container-name deployer-releases');
    expect(
      calls().filter((c) => c.startsWith('functionapp deployment source config-zip -g rg-sb-aks-01 -n func-tailspin-prod-1a2b3c')),
    ).toHaveLength(3);
  });

  it('has nothing to roll back to before the first good package, and says so', () => {
    const r = run('rollback');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no previous good package');
    expect(calls().some((c) => c.includes('config-zip'))).toBe(false);
  });

  it('a failed publish fails the step', () => {
    env.AZ_PUBLISH_EXIT = '1';
    expect(run('publish', pkg('v3'), SHA).status).not.toBe(0);
  });

  it('refuses a malformed commit, a missing package or missing settings', () => {
    expect(run('publish', pkg('v1'), 'main').status).toBe(2);
    expect(run('keep', join(dir, 'nope.zip'), SHA).status).toBe(2);
    delete env.RELEASES_CONTAINER;
    expect(run('rollback').status).not.toBe(0);
    expect(calls()).toEqual([]);
  });
});
