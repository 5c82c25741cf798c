// The releases workbook as Terraform writes it: each query, with the workbook's parameters substituted
// the way the workbook does, has no Kusto diagnostics against the tables' published schemas, and reads
// exactly what the deployer reports — its metric names, and the attributes of a release's root span.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS, HISTOGRAMS } from '../../src/services/telemetry/names.js';
import { observeSave } from '../../src/services/telemetry/release-events.js';
import type { Release } from '../../src/services/domain/release.js';
import { evaluate, loadModule, type Module } from './hcl.js';
import { analyze, errorsOf } from './monitor-tables.js';

const infra = fileURLToPath(new URL('../../infra', import.meta.url));
let workbook: Module;
let queries: Record<string, string>;

beforeAll(async () => {
  workbook = await loadModule(join(infra, 'modules', 'workbook'));
  queries = (await evaluate(workbook.locals.queries, { vars: {}, locals: workbook.locals })) as Record<string, string>;
}, 60_000);

/** What the workbook sends for a parameter value: the text substituted into the query. */
const withApp = (q: string, app: string) => q.replaceAll('{App}', app);

describe('the releases workbook', () => {
  it('shows outcomes over time, per app, time to verified, time in each phase and rollbacks with reasons', () => {
    expect(Object.keys(queries).sort()).toEqual(['apps', 'outcomes', 'per_app', 'phases', 'rollbacks', 'time_to_verified']);
    expect(analyze(withApp(queries.rollbacks!, '*')).resultColumns).toEqual(
      expect.arrayContaining(['TimeGenerated', 'app', 'environment', 'releaseId', 'outcome', 'reason', 'OperationId']),
    );
    expect(analyze(withApp(queries.time_to_verified!, '*')).resultColumns).toEqual([
      'app',
      'releases',
      'p50Minutes',
      'p95Minutes',
      'maxMinutes',
    ]);
    expect(analyze(withApp(queries.outcomes!, '*')).resultColumns).toEqual(['TimeGenerated', 'outcome', 'releases']);
  });

  it.each(['*', 'tailspin-server'])('every query has no Kusto diagnostics with App = %s', (app) => {
    for (const [name, q] of Object.entries(queries)) expect(errorsOf(withApp(q, app)), `${name}\n${withApp(q, app)}`).toEqual([]);
    for (const [name, q] of Object.entries(queries)) expect(analyze(withApp(q, app)).diagnostics, name).toEqual([]);
  });

  it('reads the metric names the deployer reports and the attributes its release spans carry', () => {
    const names = Object.values(queries).flatMap((q) => [...q.matchAll(/Name == "(tailspin\.[^"]+)"/g)].map((m) => m[1]!));
    for (const n of names) expect([...Object.keys(COUNTERS), ...Object.keys(HISTOGRAMS)]).toContain(n);
    const t = '2026-12-01T10:00:00.000Z';
    const before = {
      id: 'r-1-abcdef',
      app: 'a',
      environment: 'dev',
      kind: 'image',
      phase: 'rolling_back',
      correlationId: 'c',
      createdAt: t,
      updatedAt: t,
      source: { door: 'acr', eventId: 'e' },
      progress: {},
      outcome: {},
      timeline: [{ at: t, from: null, to: 'rolling_back', reason: 'x', correlationId: 'c' }],
    } as Release;
    const after = {
      ...before,
      phase: 'rolled_back',
      timeline: [...before.timeline, { at: t, from: 'rolling_back', to: 'rolled_back', reason: 'why', correlationId: 'c' }],
    } as Release;
    const root = observeSave(before, after, new Date(t)).spans.find((s) => s.parentSpanId === undefined)!;
    expect(root.name).toBe('release a');
    const read = new Set(Object.values(queries).flatMap((q) => [...q.matchAll(/Properties\["([^"]+)"\]/g)].map((m) => m[1]!)));
    const dependencyKeys = [...queries.rollbacks!.matchAll(/Properties\["([^"]+)"\]/g)].map((m) => m[1]!);
    for (const k of dependencyKeys) expect(Object.keys(root.attributes), k).toContain(k);
    expect([...read].sort()).toEqual(['app', 'environment', 'outcome', 'phase', 'reason', 'release.id']);
  });

  it('is one workbook over the workspace, with a time range and an app parameter every query uses', () => {
    const r = workbook.resources.azurerm_application_insights_workbook!.releases;
    expect(r.data_json).toBe('${jsonencode(local.workbook)}');
    expect(r.source_id).toBe('${lower(var.workspace_id)}');
    for (const [name, q] of Object.entries(queries).filter(([n]) => n !== 'apps'))
      expect(q, name).toContain('"{App}" == "*" or app == "{App}"');
  });
});
