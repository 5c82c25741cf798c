/**
 * Structured JSON logs: timestamp, level, message, correlation_id, service, environment.
 * Static messages, data in fields. Secrets are redacted by key name and by known value.
 */
import type { Logger, LogFields } from './ports.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /secret|token|password|authorization|private.?key|accountkey|connection.?string|sig$/i;
const REDACTED = '[redacted]';

export interface LoggerOptions {
  service: string;
  environment: string;
  level?: Level;
  /** Where a line goes; defaults to stdout. Tests pass a collector. */
  sink?: (line: string) => void;
  /** Secret values to scrub wherever they appear. */
  secrets?: string[];
  now?: () => Date;
}

export function createLogger(opts: LoggerOptions): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const sink = opts.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 6);
  const now = opts.now ?? (() => new Date());

  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join(REDACTED), text);

  const make = (bound: LogFields): Logger => {
    const write = (level: Level, message: string, fields?: LogFields): void => {
      if (ORDER[level] < min) return;
      const entry = {
        timestamp: now().toISOString(),
        level,
        message,
        correlation_id: null as unknown,
        service: opts.service,
        environment: opts.environment,
        ...redact({ ...bound, ...fields }),
      };
      sink(scrub(JSON.stringify(entry, errorReplacer)));
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : v;
  }
  return out;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** A logger that drops everything; for benches and tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ service: 'test', environment: 'test', sink: () => undefined });
