/**
 * A catalog of N small apps for the sandbox benchmarks (bench-app-01 … bench-app-NN in namespace
 * tail-spin), with the manifests the Kubernetes fake is seeded from: a Deployment of 2 replicas
 * rolled out like tailspin-server's (maxSurge 1, maxUnavailable 0, minReadySeconds 5) and a Service.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultCatalog, type Catalog } from '../src/services/domain/catalog.js';

export const NS = 'tail-spin';
export const appName = (i: number): string => `bench-app-${String(i + 1).padStart(2, '0')}`;

function manifests(name: string): unknown[] {
  const labels = { 'app.kubernetes.io/name': name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS, labels },
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 300,
        revisionHistoryLimit: 5,
        minReadySeconds: 5,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { metadata: { labels }, spec: { containers: [{ name, image: `tailspinacr.azurecr.io/${name}:latest` }] } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: NS, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  ];
}

/** Writes the N apps' manifests to a temp folder and returns it. */
export async function benchManifests(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tailspin-bench-apps-'));
  const docs = Array.from({ length: n }, (_, i) => manifests(appName(i))).flat();
  await writeFile(join(dir, 'apps.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  return dir;
}

/** The built-in catalog with the N bench apps added (smoke GET / through the service proxy). */
export function benchCatalog(n: number): Catalog {
  const catalog = defaultCatalog('tailspin/tailspin-toys', 'main', ['dev']);
  for (let i = 0; i < n; i++) {
    const name = appName(i);
    catalog.apps.push({
      name,
      sourcePaths: [`apps/${name}/`],
      dockerfile: `apps/${name}/Dockerfile`,
      buildContext: `apps/${name}`,
      acrRepository: name,
      namespace: NS,
      deployment: name,
      container: name,
      smoke: [{ kind: 'service-proxy', service: name, port: 80, path: '/', expectStatus: 200 }],
      telemetryRole: name,
      telemetryVersion: 'none',
      environments: ['dev'],
    });
  }
  return catalog;
}
