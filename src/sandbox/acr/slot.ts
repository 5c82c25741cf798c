/**
 * The ACR fake as a sandbox service for `npm start`, used unless a real registry is configured
 * (ACR_RESOURCE_ID). Builds "push" into the fake registry and post ImagePushed to the local
 * host's Event Grid door, so push → build → ImagePushed → scan → deploy closes the loop locally.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxSlot } from '../slot.js';
import { controlHelp } from './control.js';
import { startAcrFake } from './fake.js';

export const acrSlot: SandboxSlot = {
  name: 'acr',
  realConfigured: (env) => Boolean(env.ACR_RESOURCE_ID?.trim()),
  async start({ env }) {
    const publicUrl = (env.TAILSPIN_PUBLIC_URL?.trim() || 'http://localhost:7071').replace(/\/+$/, '');
    const fake = await startAcrFake({
      ...(env.ACR_LOGIN_SERVER?.trim() ? { loginServer: env.ACR_LOGIN_SERVER.trim() } : {}),
      defaultPolls: 1,
      eventSink: {
        url: `${publicUrl}/api/acr/events`,
        headers: { 'x-functions-key': env.TAILSPIN_LOCAL_FUNCTION_KEY?.trim() || 'local-dev-function-key' },
      },
    });
    return {
      name: 'acr',
      describe: [
        `ACR fake (ARM ACR Tasks + registry): ${fake.url}, registry ${fake.loginServer}; ImagePushed → ${publicUrl}/api/acr/events`,
        'scans: clean report by default; a repository containing "vulnerable" (or a digest/repository set below) gets a CRITICAL + HIGH report',
        ...controlHelp(fake.url),
      ],
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
