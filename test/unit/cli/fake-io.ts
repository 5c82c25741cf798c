import { Readable } from 'node:stream';
import { type CliIo } from '../../../src/cli/main.js';

export interface FakeIo extends CliIo {
  out: () => string;
  err: () => string;
}

/** In-memory stdin/stdout/stderr for running CLI commands in-process. */
export function fakeIo(stdinText = '', opts: { tty?: boolean } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = Object.assign(Readable.from([Buffer.from(stdinText)]), { isTTY: opts.tty ?? false });
  return {
    stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
