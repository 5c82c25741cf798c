// Every standing alert query, read out of the HCL with HashiCorp's parser and evaluated for each app
// and environment, is analysed by Microsoft's Kusto language service against the published schemas of
// the tables it reads: no diagnostics, and the columns the rule measures and splits by exist in its
// result. The app alerts keep the verification query's shape, so the standing rule and the deploy-time
// gate count the same requests the same way.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRequestsQuery } from '../../src/services/adapters/monitor/kql.js';
import { childScope, defaults, evaluate, loadModule, loadTfvars, str, type Module, type Scope, type Value } from './hcl.js';
import { analyze, errorsOf, TABLES } from './monitor-tables.js';
import { COUNTERS, HISTOGRAMS } from '../../src/services/telemetry/names.js';

const infra = fileURLToPath(new URL('../../infra', import.meta.url));
let alerts: Module;
const scopes: Record<string, Scope> = {};

interface Rule {
  resource: string;
  key?: string;
  query: string;
  severity: number;
  column?: string;
  dimensions: string[];
  aggregation: string;
  actionGroups: Value;
}
const rules: Record<string, Rule[]> = {};

beforeAll(async () => {
  const root = await loadModule(infra);
  alerts = await loadModule(join(infra, 'modules', 'alerts'));
  for (const env of ['dev', 'staging', 'prod']) {
    const vars = {
      ...(await defaults(root)),
      ...((await loadTfvars(join(infra, 'environments', `${env}.tfvars`))) as Record<string, Value>),
    };
    const known = { 'module.functionapp.name': `func-tailspin-${env}-1a2b3c` };
    scopes[env] = await childScope({ vars, locals: root.locals, known }, root.modules.alerts, alerts);
    rules[env] = [];
    for (const [name, body] of Object.entries(alerts.resources.azurerm_monitor_scheduled_query_rules_alert_v2 ?? {})) {
      if (body.count !== undefined && (await evaluate(body.count, scopes[env])) === 0) continue; // not planned here
      const each = body.for_each === undefined ? [undefined] : await evaluate(body.for_each, scopes[env]);
      const instances: [string | undefined, Value][] = Array.isArray(each)
        ? each.map((k) => [k === undefined ? undefined : str(k), k ?? null])
        : Object.entries(each as Record<string, Value>);
      for (const [key, value] of instances) {
        const s: Scope = key === undefined ? scopes[env] : { ...scopes[env], bound: { each: { key, value } } };
        const c = (await evaluate(body.criteria, s)) as Record<string, Value>[];
        rules[env].push({
          resource: name,
          ...(key !== undefined ? { key } : {}),
          query: str(c[0]!.query),
          severity: (await evaluate(body.severity, s)) as number,
          ...(c[0]!.metric_measure_column ? { column: str(c[0]!.metric_measure_column) } : {}),
          dimensions: ((c[0]!.dimension ?? []) as Record<string, Value>[]).map((d) => str(d.name)),
          aggregation: str(c[0]!.time_aggregation_method),
          actionGroups: await evaluate(body.action, s),
        });
      }
    }
  }
}, 120_000);

// The deployer's own rules exist where the deployer does: dev's stack, whose deployer serves every environment.
const DEPLOYER_RULES = [
  'deployer_failures',
  'notification_backlog',
  'poison_queue',
  'release_outcome[failed]',
  'release_outcome[unverified]',
];

describe.each(['dev', 'prod'])('standing alerts (%s)', (env) => {
  const hasDeployer = env === 'dev';
  it('cover each app (error rate, P95), the cluster (pods, nodes) and, where it runs, the deployer (failures, parked work, outcomes, notices)', () => {
    const names = rules[env]!.map((r) => (r.key ? `${r.resource}[${r.key}]` : r.resource)).sort();
    const all = [
      'app_error_rate[tailspin-client]',
      'app_error_rate[tailspin-server]',
      'app_p95[tailspin-client]',
      'app_p95[tailspin-server]',
      'deployer_failures',
      'node_not_ready',
      'notification_backlog',
      'pod_restarts',
      'poison_queue',
      'release_outcome[failed]',
      'release_outcome[unverified]',
    ];
    expect(names).toEqual(hasDeployer ? all : all.filter((n) => !DEPLOYER_RULES.includes(n)));
  });

  it('every query has no Kusto diagnostics against the tables it reads, and yields what the rule measures', () => {
    for (const r of rules[env]!) {
      const at = `${r.resource}${r.key ? `[${r.key}]` : ''}`;
      expect(errorsOf(r.query), `${at}\n${r.query}`).toEqual([]);
      const { resultColumns, diagnostics } = analyze(r.query);
      expect(diagnostics, at).toEqual([]);
      if (r.column) expect(resultColumns, at).toContain(r.column);
      else expect(r.aggregation, `${at}: counting rows needs no column`).toBe('Count');
      for (const d of r.dimensions) expect(resultColumns, `${at} splits by ${d}`).toContain(d);
      expect(Object.keys(TABLES), at).toContain(/^\s*(\w+)/.exec(r.query)![1]);
    }
  });

  it("the deployer's own metrics the rules read are ones it reports (src/services/telemetry/names.ts)", () => {
    const used = rules[env]!.flatMap((r) => [...r.query.matchAll(/Name == "(tailspin\.[^"]+)"/g)].map((m) => m[1]!));
    if (hasDeployer) expect(used.length).toBeGreaterThan(0);
    else expect(used).toEqual([]);
    for (const n of used) expect([...Object.keys(COUNTERS), ...Object.keys(HISTOGRAMS)], n).toContain(n);
  });

  it('every rule notifies the one action group', () => {
    for (const r of rules[env]!)
      expect(r.actionGroups).toEqual([{ action_groups: [expect.objectContaining({ ref: 'azurerm_monitor_action_group.this.id' })] }]);
  });

  it('the app rules count requests exactly as verification does, at the same thresholds', () => {
    for (const r of rules[env]!.filter((x) => x.resource.startsWith('app_'))) {
      const gate = buildRequestsQuery({ roleName: r.key!, from: new Date(0), to: new Date(1) }).split('\n');
      const lines = r.query.trim().split('\n');
      expect(lines[0]).toBe(gate[0]); // AppRequests
      expect(lines[1]).toBe(gate[2]); // | where AppRoleName == "<role>" (the gate's own escaping)
      const summarize =
        r.resource === 'app_error_rate'
          ? 'requests = sum(ItemCount), failures = sumif(ItemCount, Success == false)'
          : 'requests = sum(ItemCount), p95Ms = percentilew(DurationMs, ItemCount, 95)';
      expect(lines[2]).toBe(`| summarize ${summarize}`);
      expect(gate[3]).toContain(summarize.split(', ')[1]);
      expect(lines[3]).toBe('| where requests >= 50'); // VERIFY_MIN_REQUESTS
    }
    const threshold = async (n: string) =>
      evaluate(alerts.resources.azurerm_monitor_scheduled_query_rules_alert_v2![n].criteria, {
        ...scopes[env]!,
        bound: { each: { key: 'x', value: 'x' } },
      });
    return Promise.all([threshold('app_error_rate'), threshold('app_p95')]).then(([e, p]) => {
      expect((e as Record<string, Value>[])[0]!.threshold).toBe(0.01);
      expect((p as Record<string, Value>[])[0]!.threshold).toBe(2000);
    });
  });

  it('severities: a failed rollback is critical; errors and lost nodes are errors; the rest warnings', () => {
    const sev = Object.fromEntries(rules[env]!.map((r) => [`${r.resource}${r.key ? `[${r.key}]` : ''}`, r.severity]));
    expect(sev['app_error_rate[tailspin-server]']).toBe(1);
    expect(sev.node_not_ready).toBe(1);
    expect(sev['app_p95[tailspin-server]']).toBe(2);
    if (!hasDeployer) return;
    expect(sev['release_outcome[failed]']).toBe(0);
    expect(sev['release_outcome[unverified]']).toBe(2);
  });
});

describe('the checker has teeth', () => {
  it('a misspelt column, a wrong table or a type error in an alert query is an error', () => {
    expect(errorsOf('KubePodInventory | where Namespace == "x" | summarize restarts = max(RestartCount) by ControllerName')).not.toEqual(
      [],
    );
    expect(errorsOf('KubeNodeInventorry | where Status !has "Ready"')).not.toEqual([]);
    expect(errorsOf('AppMetrics | summarize pending = max(Max) | where pending > "a"')).not.toEqual([]);
    expect(errorsOf('KubeNodeInventory | summarize arg_max(TimeGenerated, Status) by Computer | where Status !has "Ready"')).toEqual([]);
  });
});
