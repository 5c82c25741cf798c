/**
 * The images a manifest release would put in the cluster: every init, regular and ephemeral container
 * of every pod template, named by file, document, object and field so a block says exactly where. Pure.
 */
import type { AppSpec } from './catalog.js';
import type { K8sObject, ManifestOrigin } from './manifests.js';
import { asString, containersOf, podTemplateOf } from './pod-security-templates.js';

export interface ImageUse {
  /** Index of the object in the parsed list. */
  object: number;
  /** Field path of the container, e.g. spec.template.spec.containers[1]. */
  container: string;
  image: string;
  /** For people: "k8s/apps/x.yaml#3 Deployment/x at spec.template.spec.containers[1].image". */
  where: string;
  /** Set when this is a catalog app's own container: it is pinned when the release holds the app's slot. */
  app?: string;
}

/** The catalog app whose Deployment's own container this is, if any. */
function ownerOf(o: K8sObject, path: string, name: string, apps: AppSpec[]): string | undefined {
  if (o.kind !== 'Deployment' || !path.includes('.containers[')) return undefined;
  return apps.find((a) => a.deployment === o.metadata.name && a.container === name)?.name;
}

export function imageUses(objects: K8sObject[], origins: ManifestOrigin[], apps: AppSpec[]): ImageUse[] {
  return objects.flatMap((o, i) => {
    const t = podTemplateOf(o);
    if (!t) return [];
    const origin = origins[i];
    const label = `${origin ? `${origin.path}#${origin.document}` : '(manifests)'} ${o.kind}/${o.metadata.name}`;
    return containersOf(t).map((c) => {
      const app = ownerOf(o, c.path, c.name, apps);
      return {
        object: i,
        container: c.path,
        image: asString(c.container.image) ?? '',
        where: `${label} at ${c.path}.image`,
        ...(app ? { app } : {}),
      };
    });
  });
}

/** The objects with each named container's image replaced (key: "<object index> <container path>"). */
export function withImages(objects: K8sObject[], images: ReadonlyMap<string, string>): K8sObject[] {
  return objects.map((o, i) => {
    if (![...images.keys()].some((k) => k.startsWith(`${i} `))) return o;
    const copy = structuredClone(o);
    const t = podTemplateOf(copy);
    for (const c of t ? containersOf(t) : []) {
      const image = images.get(`${i} ${c.path}`);
      if (image !== undefined) c.container.image = image;
    }
    return copy;
  });
}

export const useKey = (u: Pick<ImageUse, 'object' | 'container'>): string => `${u.object} ${u.container}`;

/** The catalog apps whose Deployment the objects contain. */
export const appsTouched = (objects: readonly Record<string, unknown>[], apps: AppSpec[]): AppSpec[] =>
  apps.filter((a) => objects.some((o) => o.kind === 'Deployment' && (o.metadata as { name?: unknown } | undefined)?.name === a.deployment));
