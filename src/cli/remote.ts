/** How the CLI reaches a running deployer: URL, function key and webhook secret, from flags or env. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CliIo } from './command.js';

export interface Remote {
  url: string;
  key: string;
  secret: string;
}

export const REMOTE_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function remoteFrom(values: { url?: string | undefined; key?: string | undefined; secret?: string | undefined }, io: CliIo): Remote {
  const env = io.env ?? {};
  return {
    url: (values.url ?? env.TAILSPIN_URL ?? 'http://localhost:7071').replace(/\/+$/, ''),
    // The documented local defaults (local.settings.sample.json); anything real comes from flags or env.
    key: values.key ?? env.TAILSPIN_FUNCTION_KEY ?? 'local-dev-function-key',
    secret: values.secret ?? env.GITHUB_WEBHOOK_SECRET ?? 'local-webhook-secret-change-me',
  };
}

/** parseArgs with our error style: a bad flag is exit 2 with one line. */
export function parse<T extends ParseArgsOptionsConfig>(argv: string[], options: T, io: CliIo, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr.write(`${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}
