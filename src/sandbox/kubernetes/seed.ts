/**
 * Load every YAML document under a folder (the repo's k8s/) into the fake, namespaces first, then
 * roll the Deployments out until they are available, so the sandbox starts where a cluster would be.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Controller } from './controller.js';
import type { KObj, Store } from './store.js';

export async function seedFromManifests(store: Store, controller: Controller, dir: string): Promise<string[]> {
  const docs: KObj[] = [];
  for (const file of await yamlFiles(dir)) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const obj = doc.toJS() as KObj | null;
      if (obj?.kind && obj.apiVersion && obj.metadata?.name) docs.push(obj);
    }
  }
  const seeded: string[] = [];
  const nsType = store.typeFor('v1', 'Namespace');
  const namespaces = new Set(docs.filter((d) => d.kind !== 'Namespace').map((d) => d.metadata.namespace ?? 'default'));
  for (const d of docs.filter((x) => x.kind === 'Namespace')) {
    if (store.create(nsType, { ...d, status: { phase: 'Active' } })) seeded.push(`Namespace/${d.metadata.name}`);
  }
  for (const ns of ['default', ...namespaces]) store.create(nsType, { metadata: { name: ns }, status: { phase: 'Active' } });
  for (const d of docs.filter((x) => x.kind !== 'Namespace')) {
    const rt = store.typeFor(d.apiVersion!, d.kind!);
    const obj: KObj = { ...d, metadata: { ...d.metadata, namespace: rt.namespaced ? (d.metadata.namespace ?? 'default') : undefined } };
    if (rt.kind === 'Deployment') {
      const spec = { ...obj.spec } as Record<string, unknown>;
      spec.replicas ??= 1;
      spec.progressDeadlineSeconds ??= 600;
      spec.revisionHistoryLimit ??= 10;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      obj.spec = spec;
    }
    if (store.create(rt, obj)) seeded.push(`${d.kind}/${d.metadata.name}`);
  }
  // The initial rollout, completed at once: the sandbox starts with everything available.
  for (let i = 0; i < 4; i++) {
    controller.tick();
    controller.settle();
  }
  for (let i = 0; i < 3; i++) controller.tick();
  return seeded;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}
