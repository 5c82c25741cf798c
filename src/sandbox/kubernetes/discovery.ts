/**
 * Discovery documents (/api, /apis, /api/v1, /apis/<group>/<version>): KubernetesObjectApi reads
 * the APIResourceList to learn a kind's plural name and whether it is namespaced.
 */
import { groupVersion, verbsOf, type Store } from './store.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '34',
  gitVersion: 'v1.34.4-tailspin-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.24.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function discovery(store: Store, path: string): unknown {
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    };
  }
  if (path === '/apis') {
    const groups = [...new Set(store.types.filter((t) => t.group).map((t) => t.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => {
        const versions = [...new Set(store.types.filter((t) => t.group === name).map((t) => t.version))].map((version) => ({
          groupVersion: `${name}/${version}`,
          version,
        }));
        return { name, versions, preferredVersion: versions[0] };
      }),
    };
  }
  const gv = path.startsWith('/api/') ? path.slice('/api/'.length) : path.slice('/apis/'.length);
  const types = store.types.filter((t) => groupVersion(t) === gv);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: types.flatMap((t) => [
      { name: t.name, singularName: t.singularName, namespaced: t.namespaced, kind: t.kind, verbs: verbsOf(t) },
      ...(t.generation
        ? [{ name: `${t.name}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }]
        : []),
    ]),
  };
}
