import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests, withContainerImage, containerImageOf } from '../../../src/services/domain/manifests.js';
import { repoRoot } from '../../helpers/fixtures.js';

const apps = () =>
  readdirSync(join(repoRoot, 'k8s', 'apps')).map((f) => ({
    path: `k8s/apps/${f}`,
    content: readFileSync(join(repoRoot, 'k8s', 'apps', f), 'utf8'),
  }));

describe('parseManifests', () => {
  it("accepts the repository's own k8s/apps", () => {
    const { objects, problems } = parseManifests(apps(), 'tail-spin');
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining(['Deployment/tailspin-server', 'Deployment/tailspin-client', 'Service/tailspin-server']),
    );
  });

  it('refuses k8s/bootstrap: cluster-scoped and RBAC objects are for an admin', () => {
    const dir = join(repoRoot, 'k8s', 'bootstrap');
    const files = readdirSync(dir).map((f) => ({ path: f, content: readFileSync(join(dir, f), 'utf8') }));
    const { problems } = parseManifests(files, 'tail-spin');
    expect(problems.map((p) => p.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Namespace is cluster-scoped/),
        expect.stringMatching(/kind Role is not on the allow-list/),
      ]),
    );
  });

  it.each([
    ['kind: Deployment\nmetadata: {name: x}', /apiVersion and kind are required/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "Bad_Name"}', /metadata.name must be a lowercase DNS name/],
    ['apiVersion: v1\nkind: Secret\nmetadata: {name: s}', /kind Secret is not on the allow-list/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}', /namespace must be tail-spin, got default/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}', /defined twice/],
    ['a: [unclosed', /^YAML: /],
    ['- just\n- a list', /not a Kubernetes object/],
    ['', /no Kubernetes objects found/],
  ])('%j', (content, reason) => {
    const { problems } = parseManifests([{ path: 'x.yaml', content }], 'tail-spin');
    expect(problems.map((p) => p.reason)).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
  });

  it('pins a container image without touching the others', () => {
    const d = parseManifests(apps(), 'tail-spin').objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tailspin-server');
    if (!d) throw new Error('missing');
    const pinned = withContainerImage(d, 'tailspin-server', 'r.io/x@sha256:' + 'f'.repeat(64));
    expect(containerImageOf(pinned, 'tailspin-server')).toBe('r.io/x@sha256:' + 'f'.repeat(64));
    expect(containerImageOf(d, 'tailspin-server')).not.toBe(containerImageOf(pinned, 'tailspin-server'));
  });
});
