/**
 * The Pod Security Standards "baseline" checks, as k8s.io/pod-security-admission v0.34 defines them
 * (policy/check_*.go at Level baseline). Each check names every offending field rather than one line
 * per check as the admission's message does; the verdict (any finding = refused) is the same.
 */
import {
  asList,
  asObj,
  asString,
  asText,
  containersOf,
  isSet,
  securityContextOf,
  type Finding,
  type Obj,
  type PodTemplate,
} from './pod-security-templates.js';

export type Check = (t: PodTemplate) => Finding[];

export const finding = (rule: string, field: string, message: string): Finding => ({ rule: `pod-security:${rule}`, field, message });

/** The pod's securityContext and each container's, with their paths. */
export function securityContexts(t: PodTemplate): { sc: Obj; path: string; who: string }[] {
  const pod = securityContextOf(t.spec);
  return [
    ...(pod ? [{ sc: pod, path: `${t.specPath}.securityContext`, who: 'the pod' }] : []),
    ...containersOf(t).flatMap((c) => {
      const sc = securityContextOf(c.container);
      return sc ? [{ sc, path: `${c.path}.securityContext`, who: `container "${c.name}"` }] : [];
    }),
  ];
}

const hostNamespaces: Check = (t) =>
  ['hostNetwork', 'hostPID', 'hostIPC']
    .filter((k) => t.spec[k] === true)
    .map((k) => finding('hostNamespaces', `${t.specPath}.${k}`, `must not share the host's namespace (${k}=true)`));

const privileged: Check = (t) =>
  containersOf(t)
    .filter((c) => securityContextOf(c.container)?.privileged === true)
    .map((c) => finding('privileged', `${c.path}.securityContext.privileged`, `container "${c.name}" must not set privileged=true`));

/** Docker's default capability set, minus NET_RAW. */
const DEFAULT_CAPABILITIES = new Set(
  'AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT'.split(' '),
);
export const capabilitiesBaseline: Check = (t) =>
  containersOf(t).flatMap((c) =>
    asList(asObj(securityContextOf(c.container)?.capabilities)?.add).flatMap((cap, i) =>
      DEFAULT_CAPABILITIES.has(String(cap))
        ? []
        : [
            finding(
              'capabilities_baseline',
              `${c.path}.securityContext.capabilities.add[${i}]`,
              `container "${c.name}" must not add ${String(cap)}`,
            ),
          ],
    ),
  );

export const hostPathVolumes: Check = (t) =>
  asList(t.spec.volumes).flatMap((v, i) =>
    isSet(asObj(v)?.hostPath)
      ? [
          finding(
            'hostPathVolumes',
            `${t.specPath}.volumes[${i}].hostPath`,
            `volume "${asString(asObj(v)?.name) ?? i}" must not use hostPath`,
          ),
        ]
      : [],
  );

// The API server defaults hostPort to containerPort for host-network pods (SetDefaults_PodSpec, not for
// ephemeral containers) before admission sees them; judge what it will judge.
const hostPorts: Check = (t) =>
  containersOf(t).flatMap((c) =>
    asList(c.container.ports).flatMap((p, i) => {
      const port = asObj(p) ?? {};
      const defaulted = t.spec.hostNetwork === true && !c.path.includes('.ephemeralContainers[') && !port.hostPort;
      const hostPort = defaulted ? port.containerPort : port.hostPort;
      return isSet(hostPort) && hostPort !== 0
        ? [
            finding(
              'hostPorts',
              `${c.path}.ports[${i}].${defaulted ? 'containerPort' : 'hostPort'}`,
              `container "${c.name}" must not use hostPort ${asText(hostPort)}${defaulted ? ' (hostNetwork makes every containerPort a hostPort)' : ''}`,
            ),
          ]
        : [];
    }),
  );

const isAllowedAppArmorAnnotation = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');
const appArmorProfile: Check = (t) => [
  ...securityContexts(t).flatMap(({ sc, path, who }) => {
    if (!isSet(sc.appArmorProfile)) return [];
    const type = asObj(sc.appArmorProfile)?.type;
    return type === 'RuntimeDefault' || type === 'Localhost'
      ? []
      : [
          finding(
            'appArmorProfile',
            `${path}.appArmorProfile.type`,
            `${who} must not set AppArmor profile type ${JSON.stringify(type ?? '')}`,
          ),
        ];
  }),
  ...Object.entries(asObj(t.metadata.annotations) ?? {})
    .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !isAllowedAppArmorAnnotation(String(v)))
    .map(([k, v]) => finding('appArmorProfile', `${t.metadataPath}.annotations[${k}]`, `forbidden AppArmor profile ${JSON.stringify(v)}`)),
];

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const seLinuxOptions: Check = (t) =>
  securityContexts(t).flatMap(({ sc, path, who }) => {
    const o = asObj(sc.seLinuxOptions);
    if (!o) return [];
    const bad: Finding[] = [];
    if (!SELINUX_TYPES.has(asText(o.type)))
      bad.push(finding('seLinuxOptions', `${path}.seLinuxOptions.type`, `${who} must not set SELinux type ${JSON.stringify(o.type)}`));
    for (const k of ['user', 'role'])
      if (asText(o[k]) !== '') bad.push(finding('seLinuxOptions', `${path}.seLinuxOptions.${k}`, `${who} must not set an SELinux ${k}`));
    return bad;
  });

// The user-namespace relaxation (hostUsers: false) sits behind an alpha feature gate in v1.34: not applied.
const procMount: Check = (t) =>
  containersOf(t).flatMap((c) => {
    const v = securityContextOf(c.container)?.procMount;
    return isSet(v) && v !== 'Default'
      ? [finding('procMount', `${c.path}.securityContext.procMount`, `container "${c.name}" must not set procMount ${JSON.stringify(v)}`)]
      : [];
  });

export const validSeccomp = (type: unknown): boolean => type === 'RuntimeDefault' || type === 'Localhost';
export const seccompBaseline: Check = (t) =>
  securityContexts(t).flatMap(({ sc, path, who }) => {
    if (!isSet(sc.seccompProfile)) return [];
    const type = asObj(sc.seccompProfile)?.type;
    return validSeccomp(type)
      ? []
      : [
          finding(
            'seccompProfile_baseline',
            `${path}.seccompProfile.type`,
            `${who} must not set seccomp profile ${JSON.stringify(type ?? '')}`,
          ),
        ];
  });

/** The "safe" sysctls of v1.32 (unchanged in v1.34). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);
const sysctls: Check = (t) =>
  asList(securityContextOf(t.spec)?.sysctls).flatMap((s, i) => {
    const name = asText(asObj(s)?.name);
    return SAFE_SYSCTLS.has(name)
      ? []
      : [finding('sysctls', `${t.specPath}.securityContext.sysctls[${i}].name`, `sysctl ${name} is not safe`)];
  });

const windowsHostProcess: Check = (t) =>
  securityContexts(t)
    .filter(({ sc }) => asObj(sc.windowsOptions)?.hostProcess === true)
    .map(({ path, who }) => finding('windowsHostProcess', `${path}.windowsOptions.hostProcess`, `${who} must not set hostProcess=true`));

const hostProbesAndHostLifecycle: Check = (t) =>
  containersOf(t).flatMap((c) => {
    const handlers: [string, unknown][] = [
      ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((k): [string, unknown] => [k, c.container[k]]),
      ...['postStart', 'preStop'].map((k): [string, unknown] => [`lifecycle.${k}`, asObj(c.container.lifecycle)?.[k]]),
    ];
    return handlers.flatMap(([at, h]) =>
      ['httpGet', 'tcpSocket'].flatMap((kind) => {
        const host = asObj(asObj(h)?.[kind])?.host;
        return isSet(host) && host !== ''
          ? [
              finding(
                'hostProbesAndHostLifecycle',
                `${c.path}.${at}.${kind}.host`,
                `container "${c.name}" must not probe host ${String(host)}`,
              ),
            ]
          : [];
      }),
    );
  });

/** Every baseline check (the restricted level replaces three of them, see pod-security-restricted.ts). */
export const BASELINE_CHECKS: Check[] = [
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompBaseline,
  sysctls,
  windowsHostProcess,
  hostProbesAndHostLifecycle,
];
