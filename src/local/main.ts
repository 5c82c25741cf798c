/** `npm start`: the local host with embedded azurite and the sandbox. */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { startLocalHost, type LocalHost } from './host.js';
import { localEnvironment } from './settings.js';
import { ConfigError } from '../services/config.js';
import { startSlots } from '../sandbox/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The key rides in the fragment, which the browser never sends; a key of your own is asked for by the page instead. */
const dashboardUrl = (host: LocalHost) =>
  `${host.url}/api/dashboard${host.config.TAILSPIN_LOCAL_FUNCTION_KEY === 'local-dev-function-key' ? '#key=local-dev-function-key' : '  (asks for your TAILSPIN_LOCAL_FUNCTION_KEY)'}`;

async function main(): Promise<void> {
  const started = Date.now();
  let host: LocalHost;
  try {
    host = await startLocalHost({ root, env: localEnvironment(root), azuritePorts: 'standard', slots: startSlots });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tailspin-deployer: cannot start: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`tailspin-deployer: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const lines = [
    `Tailspin Deployer local host ready in ${Date.now() - started} ms (Node ${process.version})`,
    '',
    'Functions:',
    ...[...host.registrations.http].map(
      ([name, r]) =>
        `  ${name.padEnd(20)} ${r.methods.join(',').padEnd(12)} ${host.url}/api/${r.route}${r.authLevel === 'anonymous' ? '' : '  (function key)'}`,
    ),
    ...[...host.registrations.eventGrid].map(
      ([name]) => `  ${name.padEnd(20)} eventGrid    ${host.url}/runtime/webhooks/eventgrid?functionName=${name}`,
    ),
    ...[...host.registrations.queues].map(([name, r]) => `  ${name.padEnd(20)} queue        ${r.queueName}`),
    ...[...host.registrations.timers].map(([name, r]) => `  ${name.padEnd(20)} timer        ${r.schedule}`),
    '',
    `Dashboard:     ${dashboardUrl(host)}`,
    `Function key:  x-functions-key: ${host.config.TAILSPIN_LOCAL_FUNCTION_KEY === 'local-dev-function-key' ? 'local-dev-function-key (the documented local default)' : '(from TAILSPIN_LOCAL_FUNCTION_KEY)'}`,
    host.azurite
      ? `Storage:       azurite (${process.env.AZURITE_LOCATION ? `folder ${process.env.AZURITE_LOCATION}` : 'in memory'}) blob ${host.azurite.ports.blob}, queue ${host.azurite.ports.queue}, table ${host.azurite.ports.table}`
      : 'Storage:       AzureWebJobsStorage (external)',
    ...host.sandbox.flatMap((s) => [`Sandbox ${s.name}:`, ...s.describe.map((d) => `  ${d}`)]),
    '',
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    void host.stop().then(() => {
      clearTimeout(force);
      process.stdout.write('stopped.\n');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
