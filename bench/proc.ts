/** CPU time and RSS of another process (azurite beside the host) from /proc; undefined where there is none. */
import { readFileSync } from 'node:fs';

export interface ProcSample {
  cpuMs: number;
  rssMiB: number;
}

/** Linux's USER_HZ: utime/stime in /proc/<pid>/stat count 1/100 s. */
const TICK_MS = 10;

export function procSample(pid: number | undefined): ProcSample | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuMs, rssMiB: Number(rss?.[1] ?? 0) / 1024 };
  } catch {
    return undefined;
  }
}
