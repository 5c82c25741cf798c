import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../../src/services/config.js';
import { downstreamOf, PromotionGraphSpec } from '../../../src/services/promotion/graph.js';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'x'.repeat(20) };
const DEV_STAGING_PROD = {
  environments: [
    { name: 'prod', from: 'staging', policy: { kind: 'approval', approvals: 1, approvers: ['entra:alice@contoso.com', 'github:octocat'] } },
    { name: 'dev' },
    { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 600 }, freeze: ['* 16-23 * * 5'], namespace: 'tail-spin-staging' },
  ],
};

const problems = (graph: unknown): string[] => {
  try {
    loadConfig({ ...base, TAILSPIN_PROMOTION: typeof graph === 'string' ? graph : JSON.stringify(graph) });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('the promotion graph in config', () => {
  it('orders environments root first and makes them the environments pushes and the catalog use', () => {
    const c = loadConfig({ ...base, TAILSPIN_PROMOTION: JSON.stringify(DEV_STAGING_PROD) });
    expect(c.promotion.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(c.TAILSPIN_ENVIRONMENTS).toEqual(['dev', 'staging', 'prod']);
    expect(c.catalog.apps[0]?.environments).toEqual(['dev', 'staging', 'prod']);
    expect(downstreamOf(c.promotion, 'dev').map((e) => e.name)).toEqual(['staging']);
    const staging = c.promotion.environments[1];
    expect(staging?.policy).toEqual({ kind: 'auto', soakSeconds: 600 });
    expect(staging?.freezeCrons).toHaveLength(1);
    expect(c.promotion.environments[2]?.policy).toMatchObject({ kind: 'approval', allowSelfApproval: false, soakSeconds: 0 });
  });

  it('without it, one environment per TAILSPIN_ENVIRONMENTS name and nothing promoted', () => {
    const c = loadConfig({ ...base, TAILSPIN_ENVIRONMENTS: 'dev,qa' });
    expect(c.promotion.environments.map((e) => [e.name, e.from, e.policy])).toEqual([
      ['dev', undefined, undefined],
      ['qa', undefined, undefined],
    ]);
  });

  it('takes TAILSPIN_ENVIRONMENTS naming the root (first) and graph environments; refuses one that disagrees, naming both', () => {
    const graph = JSON.stringify(DEV_STAGING_PROD);
    expect(loadConfig({ ...base, TAILSPIN_ENVIRONMENTS: 'dev', TAILSPIN_PROMOTION: graph }).TAILSPIN_ENVIRONMENTS).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(() => loadConfig({ ...base, TAILSPIN_ENVIRONMENTS: 'dev,qa', TAILSPIN_PROMOTION: graph })).toThrow(
      /TAILSPIN_ENVIRONMENTS: lists dev, qa but TAILSPIN_PROMOTION has dev, staging, prod/,
    );
    expect(() => loadConfig({ ...base, TAILSPIN_ENVIRONMENTS: 'staging,dev', TAILSPIN_PROMOTION: graph })).toThrow(/root dev first/);
  });

  it.each([
    ['not JSON', '{environments:', 'TAILSPIN_PROMOTION: expected JSON'],
    ['no environments', { environments: [] }, 'TAILSPIN_PROMOTION.environments'],
    ['two roots', { environments: [{ name: 'dev' }, { name: 'qa' }] }, 'exactly one environment must have no "from"'],
    [
      'a cycle',
      {
        environments: [
          { name: 'dev' },
          { name: 'a', from: 'b', policy: { kind: 'auto' } },
          { name: 'b', from: 'a', policy: { kind: 'auto' } },
        ],
      },
      'form a cycle',
    ],
    ['itself', { environments: [{ name: 'dev' }, { name: 'a', from: 'a', policy: { kind: 'auto' } }] }, 'cannot take releases from itself'],
    [
      'unknown upstream',
      { environments: [{ name: 'dev' }, { name: 'prod', from: 'stage', policy: { kind: 'auto' } }] },
      'from "stage" is not an environment here',
    ],
    ['a duplicate', { environments: [{ name: 'dev' }, { name: 'dev' }] }, 'listed twice'],
    ['no policy', { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev' }] }, 'needs a policy'],
    ['policy on the root', { environments: [{ name: 'dev', policy: { kind: 'auto' } }] }, 'is the root'],
    [
      'more approvals than approvers',
      {
        environments: [
          { name: 'dev' },
          { name: 'prod', from: 'dev', policy: { kind: 'approval', approvals: 2, approvers: ['github:octocat', 'github:OCTOCAT'] } },
        ],
      },
      'needs 2 approvals but lists only',
    ],
    [
      'an approver that is no principal',
      { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'approval', approvers: ['alice'] } }] },
      'expected entra:',
    ],
    [
      'no approvers',
      { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'approval', approvers: [] } }] },
      'approvers',
    ],
    [
      'a negative soak',
      { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'auto', soakSeconds: -1 } }] },
      'soakSeconds',
    ],
    ['an unknown policy', { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'yolo' } }] }, 'policy'],
    [
      'a bad freeze',
      { environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'auto' }, freeze: ['* * *'] }] },
      'prod: freeze',
    ],
    ['a bad name', { environments: [{ name: 'Prod!' }] }, 'DNS label'],
    ['an unknown field', { environments: [{ name: 'dev', approvers: [] }] }, 'approvers'],
    ['a bad AKS id', { environments: [{ name: 'dev', cluster: { aksResourceId: '/subscriptions/x' } }] }, 'cluster'],
    ['__proto__', '{"environments":[{"name":"dev","__proto__":{"from":"x"}}]}', ''],
  ])('refuses %s with a message naming it', (_what, graph, message) => {
    const p = problems(graph);
    if (_what === '__proto__') {
      // JSON.parse makes "__proto__" an own key: strict() refuses it rather than it reaching a prototype.
      expect(p.join('; ')).toMatch(/__proto__|Unrecognized/);
      return;
    }
    expect(p.join('; ')).toContain(message);
    expect(p.every((x) => x.startsWith('TAILSPIN_PROMOTION'))).toBe(true);
  });

  it('refuses per-environment thresholds that make no test with the shared rule, naming the environment', () => {
    const graph = { environments: [{ name: 'dev', verify: { errorRateMax: 0.6 } }] };
    expect(problems(graph)).toEqual([
      expect.stringMatching(/^TAILSPIN_PROMOTION: dev: verify: failing rate 2 × error-rate threshold 0.6 must stay below 1/),
    ]);
    expect(problems({ environments: [{ name: 'dev', verify: { errorRateMax: 0 } }] })).toEqual([
      expect.stringContaining('dev: verify: errorRateMax'),
    ]);
  });

  it('parses the graph alone', () => {
    expect(PromotionGraphSpec.safeParse(DEV_STAGING_PROD).success).toBe(true);
  });
});
