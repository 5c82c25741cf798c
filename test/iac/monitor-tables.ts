/**
 * The Log Analytics tables the standing alerts and the workbook query, with the columns Microsoft's
 * table reference publishes (test/fixtures/azure-monitor-tables, AppRequests from the sandbox's
 * checker), and a Kusto language service analysis against all of them at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeKqlTables, APP_REQUESTS_COLUMNS, kqlErrors, type KqlAnalysis } from '../../src/sandbox/monitor/kusto-check.js';

const dir = fileURLToPath(new URL('../fixtures/azure-monitor-tables', import.meta.url));

export const TABLES: Record<string, Record<string, string>> = {
  AppRequests: { ...APP_REQUESTS_COLUMNS },
  ...Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { table: string; columns: Record<string, string> };
        return [t.table, t.columns];
      }),
  ),
};

export const analyze = (query: string): KqlAnalysis => analyzeKqlTables(query, TABLES);

/** Errors as short sentences, for readable test failures. */
export const errorsOf = (query: string): string[] => kqlErrors(analyze(query)).map((d) => `${d.code}: ${d.message}`);
