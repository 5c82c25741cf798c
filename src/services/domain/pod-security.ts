/**
 * What a manifest object must satisfy before the deployer applies it, beyond its kind and namespace:
 * the Pod Security Standards level for every pod template (the same rules the API server's PodSecurity
 * admission enforces on the namespace, so a refused release never half-applies), the exposure rules,
 * and the image registry. Pure: an object in, findings out, each naming the field and the rule.
 */
import type { ManifestPolicy } from './catalog.js';
import { BASELINE_CHECKS } from './pod-security-baseline.js';
import { exposureFindings } from './pod-security-exposure.js';
import { imageFindings } from './pod-security-images.js';
import { RESTRICTED_CHECKS } from './pod-security-restricted.js';
import { podTemplateOf, type Finding, type Obj, type PodTemplate } from './pod-security-templates.js';

export type { Finding } from './pod-security-templates.js';
export type PodSecurityLevel = ManifestPolicy['podSecurity'];

/**
 * The policy version our checks implement (k8s.io/pod-security-admission v0.34). The namespace pins
 * pod-security.kubernetes.io/enforce-version to it, so a newer API server judges by the same rules.
 */
export const POD_SECURITY_VERSION = 'v1.34';

export const podSecurityFindings = (t: PodTemplate, level: PodSecurityLevel): Finding[] =>
  (level === 'restricted' ? RESTRICTED_CHECKS : BASELINE_CHECKS).flatMap((check) => check(t));

export interface ManifestRules {
  policy: ManifestPolicy;
  /** ACR_LOGIN_SERVER: every image must come from it. Without it the image rule is not applied. */
  registry?: string;
}

/** Every finding for one manifest object (any kind; kinds without a pod template get the exposure rules only). */
export function checkManifestObject(o: Obj, rules: ManifestRules): Finding[] {
  const t = podTemplateOf(o);
  return [
    ...(t ? podSecurityFindings(t, rules.policy.podSecurity) : []),
    ...exposureFindings(o, rules.policy),
    ...(t && rules.registry ? imageFindings(t, rules.registry) : []),
  ];
}
