/** What every subcommand is given and answers; main.ts keeps the table of them. */
export interface CliIo {
  stdin: AsyncIterable<string | Uint8Array> & { isTTY?: boolean };
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Environment for defaults (TAILSPIN_URL, keys); the bin passes process.env. */
  env?: Record<string, string | undefined>;
}

export interface CliCommand {
  /** One line for the usage text. */
  summary: string;
  /** Exit code: 0 success, 1 the command's "no" (e.g. blocked), 2 bad input. */
  run(argv: string[], io: CliIo): Promise<number>;
}
