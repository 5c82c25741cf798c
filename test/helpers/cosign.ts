/**
 * The real cosign (scripts/cosign.sh builds it from the Go module proxy) driven against the ACR fake's
 * registry: key pairs, `cosign sign --key`, and the docker config / CA a Go client needs to reach the
 * fake over HTTPS with an ACR refresh token, as `az acr login` leaves it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';

const run = promisify(execFile);

/** Pinned in scripts/cosign.sh; the tests use the same cache path. */
const COSIGN_VERSION =
  /COSIGN_VERSION:-(v[0-9.]+)/.exec(readFileSync(new URL('../../scripts/cosign.sh', import.meta.url), 'utf8'))?.[1] ?? '';

/**
 * COSIGN_BIN (set by .ci/run from scripts/cosign.sh), else the cache scripts/cosign.sh fills. Undefined
 * only when cosign was never built here; a COSIGN_BIN that points nowhere is an error, not a skip.
 */
export function cosignBinary(): string | undefined {
  const configured = process.env.COSIGN_BIN;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`COSIGN_BIN=${configured} does not exist`);
    return configured;
  }
  const cached = join(process.env.TAILSPIN_CACHE ?? join(homedir(), '.cache', 'tailspin'), 'cosign', COSIGN_VERSION, 'cosign');
  return existsSync(cached) ? cached : undefined;
}

export const COSIGN_SKIP_REASON = 'cosign is not built on this machine: run scripts/cosign.sh (CI does, and sets COSIGN_BIN)';

const PASSWORD = 'test-only-password';

/** A key pair made by `cosign generate-key-pair` (password COSIGN_PASSWORD): the public PEM and the private key's path. */
export async function cosignKeyPair(bin: string): Promise<{ publicPem: string; keyPath: string }> {
  const at = mkdtempSync(join(tmpdir(), 'tailspin-cosign-key-'));
  await run(bin, ['generate-key-pair'], {
    cwd: at,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: at, COSIGN_PASSWORD: PASSWORD },
    timeout: 60_000,
  });
  return { publicPem: readFileSync(join(at, 'cosign.pub'), 'utf8'), keyPath: join(at, 'cosign.key') };
}

export interface CosignKit {
  /** `host:port` of the fake as cosign names it. */
  host: string;
  /** `cosign sign --key` the digest in the fake; extra args (e.g. referrers mode) appended. */
  sign(keyPath: string, repository: string, digest: string, extra?: string[], env?: Record<string, string>): Promise<void>;
}

export function cosignKit(bin: string, fake: AcrFake): CosignKit {
  const dir = mkdtempSync(join(tmpdir(), 'tailspin-cosign-'));
  const host = new URL(fake.url).host;
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, fake.ca);
  const dockerConfig = join(dir, 'docker');
  mkdirSync(dockerConfig);
  // What `az acr login` writes: an ACR refresh token as identitytoken (go-containerregistry then uses the OAuth2 refresh grant).
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [host]: { identitytoken: fake.refreshToken() } } }));
  const env = (more: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    DOCKER_CONFIG: dockerConfig,
    // Go reads the roots from here: the fake's throw-away CA and nothing else.
    SSL_CERT_FILE: caFile,
    COSIGN_PASSWORD: PASSWORD,
    ...more,
  });
  return {
    host,
    async sign(keyPath, repository, digest, extra = [], more = {}) {
      await run(bin, ['sign', '--key', keyPath, '--tlog-upload=false', '--yes', ...extra, `${host}/${repository}@${digest}`], {
        env: env(more),
        timeout: 120_000,
      });
    },
  };
}
