/**
 * One table of pod specs, judged by our checker (test/unit/domain/pod-security.test.ts) and by a real
 * API server's PodSecurity admission (test/cluster/pod-security.real.test.ts), so the two are held to
 * the same verdicts. Each case edits a copy of k8s/apps tailspin-server's pod template, which passes
 * "restricted"; `restricted` and `baseline` list the rules our checker reports at that level ([] = the
 * pod is admitted). Only specs the API server's own validation accepts belong here: the server must
 * refuse them for Pod Security (403), not as malformed (422).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests } from '../../src/services/domain/manifests.js';
import { repoRoot } from '../helpers/fixtures.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the cases edit free-form Kubernetes objects */
export type Pod = { apiVersion: 'v1'; kind: 'Pod'; metadata: any; spec: any };

export interface PodSecurityCase {
  name: string;
  edit: (pod: Pod) => void;
  restricted: string[];
  baseline: string[];
}

/** tailspin-server's pod template from k8s/apps, as a Pod (its ServiceAccount left out: the test namespace has only "default"). */
export function basePod(name = 'case'): Pod {
  const file = 'k8s/apps/tailspin-server.yaml';
  const { objects } = parseManifests([{ path: file, content: readFileSync(join(repoRoot, file), 'utf8') }], 'tail-spin');
  const d = objects.find((o) => o.kind === 'Deployment') as any;
  const spec = structuredClone(d.spec.template.spec);
  delete spec.serviceAccountName;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { ...d.spec.template.metadata.labels } }, spec };
}

const main = (p: Pod) => p.spec.containers[0];
const sc = (p: Pod) => main(p).securityContext;
/** An init container like the main one (init containers take no probes or ports). */
const init = (p: Pod) => {
  const c = { name: 'init', image: main(p).image, securityContext: structuredClone(sc(p)) };
  p.spec.initContainers = [c];
  return c;
};
const ps = (rule: string) => `pod-security:${rule}`;

export const POD_SECURITY_CASES: PodSecurityCase[] = [
  { name: "k8s/apps tailspin-server's template", edit: () => {}, restricted: [], baseline: [] },
  // privileged with allowPrivilegeEscalation: false is invalid (422), so these leave it unset.
  {
    name: 'privileged container',
    edit: (p) => {
      sc(p).privileged = true;
      delete sc(p).allowPrivilegeEscalation;
    },
    restricted: [ps('privileged'), ps('allowPrivilegeEscalation')],
    baseline: [ps('privileged')],
  },
  {
    name: 'privileged init container',
    edit: (p) => {
      const c = init(p);
      c.securityContext.privileged = true;
      delete c.securityContext.allowPrivilegeEscalation;
    },
    restricted: [ps('privileged'), ps('allowPrivilegeEscalation')],
    baseline: [ps('privileged')],
  },
  {
    name: 'hostNetwork (its container ports become host ports)',
    edit: (p) => (p.spec.hostNetwork = true),
    restricted: [ps('hostNamespaces'), ps('hostPorts')],
    baseline: [ps('hostNamespaces'), ps('hostPorts')],
  },
  { name: 'hostPID', edit: (p) => (p.spec.hostPID = true), restricted: [ps('hostNamespaces')], baseline: [ps('hostNamespaces')] },
  { name: 'hostIPC', edit: (p) => (p.spec.hostIPC = true), restricted: [ps('hostNamespaces')], baseline: [ps('hostNamespaces')] },
  {
    name: 'hostPath / mounted',
    edit: (p) => {
      p.spec.volumes.push({ name: 'root', hostPath: { path: '/' } });
      main(p).volumeMounts.push({ name: 'root', mountPath: '/host' });
    },
    restricted: [ps('restrictedVolumes')],
    baseline: [ps('hostPathVolumes')],
  },
  {
    name: 'nfs volume',
    edit: (p) => p.spec.volumes.push({ name: 'share', nfs: { server: 'nfs.example.com', path: '/exports' } }),
    restricted: [ps('restrictedVolumes')],
    baseline: [],
  },
  { name: 'hostPort', edit: (p) => (main(p).ports[0].hostPort = 5100), restricted: [ps('hostPorts')], baseline: [ps('hostPorts')] },
  {
    name: 'adds SYS_ADMIN',
    edit: (p) => (sc(p).capabilities.add = ['SYS_ADMIN']),
    restricted: [ps('capabilities_restricted')],
    baseline: [ps('capabilities_baseline')],
  },
  {
    name: 'adds NET_RAW (not in the default set)',
    edit: (p) => (sc(p).capabilities.add = ['NET_RAW']),
    restricted: [ps('capabilities_restricted')],
    baseline: [ps('capabilities_baseline')],
  },
  {
    name: 'adds CHOWN (default set)',
    edit: (p) => (sc(p).capabilities.add = ['CHOWN']),
    restricted: [ps('capabilities_restricted')],
    baseline: [],
  },
  { name: 'adds NET_BIND_SERVICE', edit: (p) => (sc(p).capabilities.add = ['NET_BIND_SERVICE']), restricted: [], baseline: [] },
  { name: 'does not drop ALL', edit: (p) => delete sc(p).capabilities, restricted: [ps('capabilities_restricted')], baseline: [] },
  {
    name: 'drops "all" in lower case',
    edit: (p) => (sc(p).capabilities.drop = ['all']),
    restricted: [ps('capabilities_restricted')],
    baseline: [],
  },
  {
    name: 'allowPrivilegeEscalation: true',
    edit: (p) => (sc(p).allowPrivilegeEscalation = true),
    restricted: [ps('allowPrivilegeEscalation')],
    baseline: [],
  },
  {
    name: 'allowPrivilegeEscalation unset',
    edit: (p) => delete sc(p).allowPrivilegeEscalation,
    restricted: [ps('allowPrivilegeEscalation')],
    baseline: [],
  },
  {
    name: 'runAsNonRoot: false on the pod',
    edit: (p) => {
      p.spec.securityContext.runAsNonRoot = false;
      delete sc(p).runAsNonRoot;
    },
    restricted: [ps('runAsNonRoot')],
    baseline: [],
  },
  {
    name: 'runAsNonRoot unset everywhere',
    edit: (p) => {
      delete p.spec.securityContext.runAsNonRoot;
      delete sc(p).runAsNonRoot;
    },
    restricted: [ps('runAsNonRoot')],
    baseline: [],
  },
  {
    name: 'runAsNonRoot only on the container',
    edit: (p) => delete p.spec.securityContext.runAsNonRoot,
    restricted: [],
    baseline: [],
  },
  { name: 'runAsUser: 0 on the container', edit: (p) => (sc(p).runAsUser = 0), restricted: [ps('runAsUser')], baseline: [] },
  {
    name: 'seccomp Unconfined on the pod',
    edit: (p) => (p.spec.securityContext.seccompProfile = { type: 'Unconfined' }),
    restricted: [ps('seccompProfile_restricted')],
    baseline: [ps('seccompProfile_baseline')],
  },
  {
    name: 'seccomp unset',
    edit: (p) => delete p.spec.securityContext.seccompProfile,
    restricted: [ps('seccompProfile_restricted')],
    baseline: [],
  },
  {
    name: 'seccomp only on the container',
    edit: (p) => {
      delete p.spec.securityContext.seccompProfile;
      sc(p).seccompProfile = { type: 'RuntimeDefault' };
    },
    restricted: [],
    baseline: [],
  },
  {
    name: 'unsafe sysctl',
    edit: (p) => (p.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }]),
    restricted: [ps('sysctls')],
    baseline: [ps('sysctls')],
  },
  {
    name: 'safe sysctl',
    edit: (p) => (p.spec.securityContext.sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }]),
    restricted: [],
    baseline: [],
  },
  {
    name: 'AppArmor Unconfined',
    edit: (p) => (sc(p).appArmorProfile = { type: 'Unconfined' }),
    restricted: [ps('appArmorProfile')],
    baseline: [ps('appArmorProfile')],
  },
  {
    name: 'SELinux type spc_t',
    edit: (p) => (p.spec.securityContext.seLinuxOptions = { type: 'spc_t' }),
    restricted: [ps('seLinuxOptions')],
    baseline: [ps('seLinuxOptions')],
  },
  {
    name: 'SELinux user',
    edit: (p) => (sc(p).seLinuxOptions = { user: 'system_u' }),
    restricted: [ps('seLinuxOptions')],
    baseline: [ps('seLinuxOptions')],
  },
  {
    name: 'SELinux type container_t',
    edit: (p) => (sc(p).seLinuxOptions = { type: 'container_t' }),
    restricted: [],
    baseline: [],
  },
  {
    name: 'probe to another host',
    edit: (p) => (main(p).readinessProbe.httpGet.host = '169.254.169.254'),
    restricted: [ps('hostProbesAndHostLifecycle')],
    baseline: [ps('hostProbesAndHostLifecycle')],
  },
  {
    name: 'procMount Unmasked',
    edit: (p) => {
      p.spec.hostUsers = false;
      sc(p).procMount = 'Unmasked';
    },
    restricted: [ps('procMount')],
    baseline: [ps('procMount')],
  },
  {
    name: 'a Windows pod is exempt from the Linux-only checks',
    edit: (p) => {
      p.spec.os = { name: 'windows' };
      for (const k of ['seccompProfile', 'runAsUser', 'runAsGroup', 'fsGroup']) delete p.spec.securityContext[k];
      for (const k of ['capabilities', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem']) delete sc(p)[k];
    },
    restricted: [],
    baseline: [],
  },
  {
    name: 'a Windows pod still may not run as root',
    edit: (p) => {
      p.spec.os = { name: 'windows' };
      for (const k of ['seccompProfile', 'runAsUser', 'runAsGroup', 'fsGroup', 'runAsNonRoot']) delete p.spec.securityContext[k];
      for (const k of ['capabilities', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'runAsNonRoot']) delete sc(p)[k];
    },
    restricted: [ps('runAsNonRoot')],
    baseline: [],
  },
  {
    name: 'a second container running as root with a Docker Hub image',
    edit: (p) => {
      const miner = structuredClone(main(p));
      miner.name = 'miner';
      miner.image = 'docker.io/evil/miner:latest';
      miner.securityContext = { runAsUser: 0, runAsNonRoot: false };
      delete miner.readinessProbe;
      delete miner.livenessProbe;
      miner.ports = [];
      p.spec.containers.push(miner);
    },
    restricted: [ps('allowPrivilegeEscalation'), ps('runAsNonRoot'), ps('runAsUser'), ps('capabilities_restricted')],
    baseline: [],
  },
];
