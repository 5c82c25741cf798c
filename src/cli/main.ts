/**
 * `npx tailspin-deployer <command> …` — a table of subcommands, each in its own file.
 * Commands get argv and io passed in (no process globals), so tests run them in-process.
 */
import { scanEvaluate } from './scan-evaluate.js';
import { sendEvent } from './send-event.js';
import { follow } from './follow.js';
import { verifyPlan } from './verify-plan.js';
import { promote } from './promote.js';
import type { CliCommand, CliIo } from './command.js';

export type { CliCommand, CliIo } from './command.js';

/** Add a command here (one line) and put its code in its own file. */
export const commands: Record<string, CliCommand> = {
  'scan-evaluate': scanEvaluate,
  'send-event': sendEvent,
  follow,
  'verify-plan': verifyPlan,
  promote,
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: tailspin-deployer <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `tailspin-deployer <command> --help` for its options.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr.write(`tailspin-deployer: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}
