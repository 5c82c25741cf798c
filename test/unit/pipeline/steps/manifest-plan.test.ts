import { describe, expect, it } from 'vitest';
import { manifestPlan } from '../../../../src/services/pipeline/steps/manifest-plan.js';
import { COMMIT, REGISTRY, at, ctx, digest, errR, fail, iso, okR, pinned, world, type WorldScript } from '../world.js';
import { ID, deployment, deploymentYaml, lastGood, manifest, service, treeOf, where } from './manifest-fixture.js';

const SIDECAR = `${REGISTRY}/log-agent:1.2`;
const INIT = `${REGISTRY}/migrate@${digest(5)}`;
const yaml = deploymentYaml({ sidecar: SIDECAR, init: INIT });
const logAgent = `${REGISTRY}/log-agent@${digest(3)}`;
const w = (s: WorldScript = {}) =>
  world({
    heads: { 'tailspin-server/dev': { lastGood } },
    source: { readTree: () => okR(treeOf(yaml)) },
    builder: { resolveTag: (repo: string, tag: string) => okR(repo === 'log-agent' && tag === '1.2' ? digest(3) : digest(4)) },
    ...s,
  });

describe('manifest releases: queued (plan)', () => {
  it('reads k8s/apps at the commit and resolves every image but an app with a verified digest to one in the registry', async () => {
    const ww = w();
    expect(await manifestPlan(ctx(manifest(), ww))).toEqual({
      kind: 'advance',
      to: 'scanning',
      reason: `scanning 2 images the manifests name: ${INIT}, ${logAgent}`,
      progress: {
        manifest: {
          objects: [deployment({ app: `${REGISTRY}/tailspin-server:latest`, sidecar: logAgent, init: INIT }), service],
          pins: {},
          images: [
            { image: INIT, where: [where('initContainers[0]')] },
            { image: logAgent, where: [where('containers[1]')] },
          ],
          fallback: {},
        },
      },
      outcome: { manifest: { commit: COMMIT, objects: ['Deployment/tailspin-server', 'Service/tailspin-server'], pins: {} } },
    });
    expect(ww.calls.find((c) => c.method === 'readTree')?.args).toEqual([COMMIT, 'k8s/apps/']);
    expect(ww.calls.filter((c) => c.method === 'resolveTag').map((c) => c.args)).toEqual([['log-agent', '1.2']]);
  });

  it("an app with no verified digest has its declared image resolved and gated, as the pin's fallback", async () => {
    const ww = w({ heads: {} });
    expect(await manifestPlan(ctx(manifest(), ww))).toMatchObject({
      to: 'scanning',
      progress: {
        manifest: {
          images: [{ image: INIT }, { image: pinned(4), where: [where('containers[0]')] }, { image: logAgent }],
          fallback: { 'tailspin-server': pinned(4) },
        },
      },
    });
  });

  it('with nothing to scan takes the k8s slot at once', async () => {
    const heads = { 'tailspin-server/dev': { lastGood }, 'k8s/dev': { pending: { releaseId: ID, target: COMMIT } } };
    const ww = w({ heads, source: { readTree: () => okR(treeOf(deploymentYaml())) } });
    expect(await manifestPlan(ctx(manifest(), ww))).toMatchObject({
      kind: 'advance',
      to: 'deploying',
      reason: 'manifest release: no image to scan (each app stays on its verified digest)',
      head: { app: 'k8s', active: { releaseId: ID, target: COMMIT } },
      progress: { manifest: { images: [], fallback: {} } },
    });
  });

  it('GitHub failing transiently is tried again with backoff for an hour; a final answer blocks at once, saying so', async () => {
    const down = w({ source: { readTree: () => errR(fail('transient', 'Bad Gateway')) } });
    expect(await manifestPlan(ctx(manifest(), down, at(1)))).toEqual({
      kind: 'wait',
      on: 'source',
      for: 'github: reading k8s/apps/ at c0ffee0 (Bad Gateway)',
      deadline: at(3600),
      afterSeconds: 5,
    });
    const waiting = manifest({ wait: { on: 'source', for: 'github: …', since: iso(0), deadline: iso(3600) } });
    expect(await manifestPlan(ctx(waiting, down, at(600)))).toMatchObject({ kind: 'wait', afterSeconds: 60 });
    expect(await manifestPlan(ctx(waiting, down, at(3600)))).toMatchObject({
      to: 'blocked',
      reason: `cannot read k8s/apps/ at ${COMMIT}: Bad Gateway (transient: still failing after 3600 s)`,
    });
    const limited = w({ source: { readTree: () => errR(fail('rate-limited', 'API rate limit exceeded', { retryAfterMs: 120_000 })) } });
    expect(await manifestPlan(ctx(manifest(), limited, at(1)))).toMatchObject({ kind: 'wait', on: 'source', afterSeconds: 120 });
    const gone = w({ source: { readTree: () => errR(fail('not-found', 'No commit found for SHA')) } });
    expect(await manifestPlan(ctx(manifest(), gone, at(1)))).toMatchObject({
      to: 'blocked',
      reason: `cannot read k8s/apps/ at ${COMMIT}: No commit found for SHA (not-found: final, not retried)`,
    });
  });

  it('manifests that do not validate are blocked with each reason', async () => {
    const bad = w({
      source: { readTree: () => okR([{ path: 'k8s/apps/x.yaml', content: 'kind: Namespace\napiVersion: v1\nmetadata: {name: x}' }]) },
    });
    expect(await manifestPlan(ctx(manifest(), bad))).toMatchObject({
      to: 'blocked',
      reason:
        'invalid manifests: k8s/apps/x.yaml#1 Namespace/x: Namespace is cluster-scoped; the deployer only applies objects in namespace tail-spin',
    });
  });

  it('an image the registry does not have blocks, naming where; a registry hiccup is tried again', async () => {
    const missing = w({ builder: { resolveTag: () => errR(fail('not-found', 'manifest unknown')) } });
    expect(await manifestPlan(ctx(manifest(), missing))).toMatchObject({
      to: 'blocked',
      reason: `${where('containers[1]')}: image ${SIDECAR} cannot be resolved to a digest in ${REGISTRY} (not scannable): manifest unknown (not-found: final, not retried)`,
    });
    const flaky = w({ builder: { resolveTag: () => errR(fail('transient', '503')) } });
    expect(await manifestPlan(ctx(manifest(), flaky))).toMatchObject({
      kind: 'wait',
      on: 'registry',
      for: `registry: resolving ${SIDECAR} (503)`,
    });
  });

  it('without ACR_LOGIN_SERVER to hold images to, a reference that does not parse blocks, naming where', async () => {
    const bare = w({ settings: { acrLoginServer: '' }, source: { readTree: () => okR(treeOf(deploymentYaml({ sidecar: 'nginx' }))) } });
    expect(await manifestPlan(ctx(manifest(), bare))).toMatchObject({
      to: 'blocked',
      reason: expect.stringMatching(
        /^k8s\/apps\/server\.yaml#1 Deployment\/tailspin-server at spec\.template\.spec\.containers\[1\]\.image: image nginx is not a valid reference/,
      ),
    });
  });
});
