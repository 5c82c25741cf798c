/**
 * The Pod Security Standards "restricted" checks, as k8s.io/pod-security-admission v0.34 defines them:
 * every baseline check, except the three that a stricter restricted check overrides, plus the
 * restricted ones. Windows pods (spec.os.name=windows) are exempt from the Linux-only checks, as upstream.
 */
import {
  BASELINE_CHECKS,
  capabilitiesBaseline,
  finding,
  hostPathVolumes,
  seccompBaseline,
  securityContexts,
  validSeccomp,
  type Check,
} from './pod-security-baseline.js';
import { asList, asObj, asString, containersOf, isSet, isWindowsPod, securityContextOf } from './pod-security-templates.js';

const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const RESTRICTED_VOLUMES =
  'hostPath gcePersistentDisk awsElasticBlockStore gitRepo nfs iscsi glusterfs rbd flexVolume cinder cephfs flocker fc azureFile vsphereVolume quobyte azureDisk photonPersistentDisk portworxVolume scaleIO storageos'.split(
    ' ',
  );

// Upstream accepts a volume with any allowed source; one that also names a restricted source is refused
// here too (the API server rejects a volume with two sources anyway).
const restrictedVolumes: Check = (t) =>
  asList(t.spec.volumes).flatMap((v, i) => {
    const volume = asObj(v) ?? {};
    const bad = RESTRICTED_VOLUMES.find((k) => isSet(volume[k]));
    if (!bad && ALLOWED_VOLUMES.some((k) => isSet(volume[k]))) return [];
    const name = asString(volume.name) ?? String(i);
    return [
      finding(
        'restrictedVolumes',
        `${t.specPath}.volumes[${i}]${bad ? `.${bad}` : ''}`,
        `volume "${name}" uses ${bad ? `restricted volume type ${bad}` : 'no allowed volume type'} (allowed: ${ALLOWED_VOLUMES.join(', ')})`,
      ),
    ];
  });

const allowPrivilegeEscalation: Check = (t) =>
  isWindowsPod(t)
    ? []
    : containersOf(t)
        .filter((c) => securityContextOf(c.container)?.allowPrivilegeEscalation !== false)
        .map((c) =>
          finding(
            'allowPrivilegeEscalation',
            `${c.path}.securityContext.allowPrivilegeEscalation`,
            `container "${c.name}" must set allowPrivilegeEscalation=false`,
          ),
        );

// hostUsers: false relaxes this only behind an alpha feature gate in v1.34: not applied.
const runAsNonRoot: Check = (t) => {
  const pod = securityContextOf(t.spec)?.runAsNonRoot;
  const out =
    isSet(pod) && pod !== true
      ? [finding('runAsNonRoot', `${t.specPath}.securityContext.runAsNonRoot`, 'the pod must not set runAsNonRoot=false')]
      : [];
  for (const c of containersOf(t)) {
    const v = securityContextOf(c.container)?.runAsNonRoot;
    if (isSet(v) && v !== true)
      out.push(finding('runAsNonRoot', `${c.path}.securityContext.runAsNonRoot`, `container "${c.name}" must not set runAsNonRoot=false`));
    else if (!isSet(v) && pod !== true)
      out.push(
        finding('runAsNonRoot', `${c.path}.securityContext.runAsNonRoot`, `the pod or container "${c.name}" must set runAsNonRoot=true`),
      );
  }
  return out;
};

const runAsUser: Check = (t) =>
  securityContexts(t)
    .filter(({ sc }) => sc.runAsUser === 0)
    .map(({ path, who }) => finding('runAsUser', `${path}.runAsUser`, `${who} must not set runAsUser=0`));

const seccompRestricted: Check = (t) => {
  if (isWindowsPod(t)) return [];
  const podProfile = securityContextOf(t.spec)?.seccompProfile;
  const podType = asObj(podProfile)?.type;
  const out =
    isSet(podProfile) && !validSeccomp(podType)
      ? [
          finding(
            'seccompProfile_restricted',
            `${t.specPath}.securityContext.seccompProfile.type`,
            `the pod must not set seccomp profile ${JSON.stringify(podType ?? '')}`,
          ),
        ]
      : [];
  const podSet = isSet(podProfile) && validSeccomp(podType);
  for (const c of containersOf(t)) {
    const profile = securityContextOf(c.container)?.seccompProfile;
    const type = asObj(profile)?.type;
    const field = `${c.path}.securityContext.seccompProfile.type`;
    if (isSet(profile) && !validSeccomp(type))
      out.push(
        finding('seccompProfile_restricted', field, `container "${c.name}" must not set seccomp profile ${JSON.stringify(type ?? '')}`),
      );
    else if (!isSet(profile) && !podSet)
      out.push(
        finding(
          'seccompProfile_restricted',
          field,
          `the pod or container "${c.name}" must set seccomp profile RuntimeDefault or Localhost`,
        ),
      );
  }
  return out;
};

const capabilitiesRestricted: Check = (t) =>
  isWindowsPod(t)
    ? []
    : containersOf(t).flatMap((c) => {
        const caps = asObj(securityContextOf(c.container)?.capabilities);
        const at = `${c.path}.securityContext.capabilities`;
        const out = asList(caps?.drop).includes('ALL')
          ? []
          : [finding('capabilities_restricted', `${at}.drop`, `container "${c.name}" must drop ALL capabilities`)];
        asList(caps?.add).forEach((cap, i) => {
          if (cap !== 'NET_BIND_SERVICE')
            out.push(
              finding(
                'capabilities_restricted',
                `${at}.add[${i}]`,
                `container "${c.name}" may add only NET_BIND_SERVICE, not ${String(cap)}`,
              ),
            );
        });
        return out;
      });

const OVERRIDDEN = new Set<Check>([capabilitiesBaseline, hostPathVolumes, seccompBaseline]);

export const RESTRICTED_CHECKS: Check[] = [
  ...BASELINE_CHECKS.filter((c) => !OVERRIDDEN.has(c)),
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
  capabilitiesRestricted,
];
