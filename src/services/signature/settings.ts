/** The signature gate's settings; a gate that is on without a readable key stops start-up, naming the setting. */
import { ConfigError, type Config } from '../config.js';
import type { SignatureSettings } from '../pipeline/deps.js';
import { parsePublicKeys, type TrustedKey } from './keys.js';

export function signatureSettings(
  config: Pick<Config, 'SIGNATURE_POLICY' | 'COSIGN_PUBLIC_KEY' | 'SIGNATURE_DEADLINE_SECONDS' | 'SCAN_POLL_SECONDS' | 'catalog'>,
): SignatureSettings {
  const on = [config.SIGNATURE_POLICY, ...config.catalog.apps.map((a) => a.signaturePolicy)].some((p) => p === 'warn' || p === 'enforce');
  let keys: TrustedKey[] = [];
  if (config.COSIGN_PUBLIC_KEY) {
    const parsed = parsePublicKeys(config.COSIGN_PUBLIC_KEY);
    if (!parsed.ok) throw new ConfigError([`COSIGN_PUBLIC_KEY: ${parsed.error}`]);
    keys = parsed.value;
  } else if (on) {
    throw new ConfigError(["COSIGN_PUBLIC_KEY: is missing (SIGNATURE_POLICY or an app's signaturePolicy is warn or enforce)"]);
  }
  return {
    policy: config.SIGNATURE_POLICY,
    keys,
    deadlineSeconds: config.SIGNATURE_DEADLINE_SECONDS,
    pollSeconds: config.SCAN_POLL_SECONDS,
  };
}
