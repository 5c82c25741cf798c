/**
 * The ACR fake as a sandbox service for `npm start`, used unless a real registry is configured
 * (ACR_RESOURCE_ID). Builds "push" into the fake registry and post ImagePushed to the local
 * host's Event Grid door, so push → build → ImagePushed → scan → deploy closes the loop locally.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxSlot } from '../slot.js';
import { controlHelp } from './control.js';
import { startAcrFake } from './fake.js';
import { digestFor } from './fake-runs.js';

/**
 * The images the repository's own k8s/apps names in this registry (`<loginServer>/<repo>:<tag>`), which
 * the sandbox cluster is seeded running: a real registry has them, so a manifest release can resolve them.
 */
function seededImages(root: string, loginServer: string): { repository: string; tag: string }[] {
  const dir = join(root, 'k8s', 'apps');
  if (!existsSync(dir)) return [];
  const prefix = `${loginServer}/`;
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s*(?:-\s*)?image:\s*["']?([^\s"'#]+)/gm)].map((m) => m[1] ?? ''))
    .filter((image) => image.startsWith(prefix) && !image.includes('@'))
    .map((image) => {
      const [repository = '', tag = 'latest'] = image.slice(prefix.length).split(':');
      return { repository, tag };
    });
}

export const acrSlot: SandboxSlot = {
  name: 'acr',
  realConfigured: (env) => Boolean(env.ACR_RESOURCE_ID?.trim()),
  async start({ root, env }) {
    // Until the host says where it listens (hostReady), a best guess for a slot run on its own.
    const guess = (env.TAILSPIN_PUBLIC_URL?.trim() || `http://localhost:${env.FUNCTIONS_HTTP_PORT?.trim() || '7071'}`).replace(/\/+$/, '');
    const sinkOf = (base: string, key: string) => ({ url: `${base}/api/acr/events`, headers: { 'x-functions-key': key } });
    const fake = await startAcrFake({
      ...(env.ACR_LOGIN_SERVER?.trim() ? { loginServer: env.ACR_LOGIN_SERVER.trim() } : {}),
      defaultPolls: 1,
      eventSink: sinkOf(guess, env.TAILSPIN_LOCAL_FUNCTION_KEY?.trim() || 'local-dev-function-key'),
    });
    const seeded = seededImages(root, fake.loginServer);
    for (const { repository, tag } of seeded) fake.tag(repository, tag, digestFor(`seed:${repository}:${tag}`));
    const first = (to: string) =>
      `ACR fake (ARM ACR Tasks + registry): ${fake.url}, registry ${fake.loginServer}; ImagePushed → ${to}/api/acr/events`;
    const describe = [
      first(guess),
      `registry seeded with what k8s/apps names: ${seeded.map((i) => `${i.repository}:${i.tag}`).join(', ') || 'nothing'}`,
      'scans: clean report by default; a repository containing "vulnerable" (or a digest/repository set below) gets a CRITICAL + HIGH report',
      ...controlHelp(fake.url),
    ];
    return {
      name: 'acr',
      describe,
      hostReady: ({ url, functionKey }) => {
        fake.setEventSink(sinkOf(url, functionKey));
        describe[0] = first(url);
      },
      settings: {
        ACR_RESOURCE_ID: fake.registryId,
        ACR_LOGIN_SERVER: fake.loginServer,
        ACR_ARM_ENDPOINT: fake.url,
        ACR_REGISTRY_ENDPOINT: fake.url,
        ACR_CA_PEM: fake.ca,
        ACR_STATIC_TOKEN: randomBytes(24).toString('base64url'),
      },
      handle: fake,
      stop: () => fake.stop(),
    };
  },
};
