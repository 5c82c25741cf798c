import { describe, expect, it } from 'vitest';
import { environmentDeps } from '../../../src/services/promotion/environment-deps.js';
import { PromotionGraphSpec } from '../../../src/services/promotion/graph.js';
import type { Telemetry } from '../../../src/services/ports.js';
import { world } from '../pipeline/world.js';

const WS = '0f9a3e7c-6b2d-4c51-8e0a-3d2b1c4f5a69';
const graph = PromotionGraphSpec.parse({
  environments: [
    { name: 'dev' },
    {
      name: 'staging',
      from: 'dev',
      policy: { kind: 'auto' },
      telemetry: { workspaceId: WS, roles: { 'tailspin-server': 'tailspin-server-staging' } },
      verify: { windowSeconds: 120 },
    },
    { name: 'prod', from: 'staging', policy: { kind: 'auto' } },
  ],
});

describe('each environment its own telemetry and role names', () => {
  it('staging queries its own workspace under its own role names; the others keep the shared ones', () => {
    const { d } = world();
    const own = { ping: () => Promise.resolve({ ok: true as const, value: undefined }) } as unknown as Telemetry;
    const envs = environmentDeps(d, graph, { clusters: {}, telemetry: { staging: own } });
    expect(Object.keys(envs)).toEqual(['staging']);
    const staging = envs.staging!;
    expect(staging.telemetry).toBe(own);
    expect(staging.catalog.apps.map((a) => [a.name, a.telemetryRole])).toEqual([
      ['tailspin-server', 'tailspin-server-staging'],
      ['tailspin-client', 'tailspin-client'],
    ]);
    expect(staging.settings.verifyWindowSeconds).toBe(120);
    expect(d.catalog.apps.find((a) => a.name === 'tailspin-server')?.telemetryRole).toBe('tailspin-server');
  });

  it('a workspace id that is not a GUID, or a role for a name that is no DNS label, is refused at start-up', () => {
    const bad = (telemetry: unknown) =>
      PromotionGraphSpec.safeParse({ environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'auto' }, telemetry }] })
        .success;
    expect(bad({ workspaceId: 'log-tailspin-prod' })).toBe(false);
    expect(bad({ roles: { 'Tailspin Server': 'x' } })).toBe(false);
    expect(bad({ workspaceId: WS, roles: { 'tailspin-server': 'tailspin-server-prod' } })).toBe(true);
  });
});
