/**
 * Every image a manifest names must come from the configured registry (ACR_LOGIN_SERVER), where the
 * scan gate can reach it. This is the pure half of the rule; resolving each to a digest and scanning
 * it belongs to the pipeline.
 */
import { parseImageRef } from './image-ref.js';
import { asString, containersOf, type Finding, type PodTemplate } from './pod-security-templates.js';

export function imageFindings(t: PodTemplate, registry: string): Finding[] {
  const ours = registry.toLowerCase();
  return containersOf(t).flatMap((c) => {
    const image = asString(c.container.image) ?? '';
    const field = `${c.path}.image`;
    if (image === '') return [{ rule: 'image-registry', field, message: `container "${c.name}" names no image` }];
    const ref = parseImageRef(image);
    if (!ref.ok)
      // A short name like "evil/miner" is Docker Hub's, not ours; parseImageRef insists on a registry host.
      return [{ rule: 'image-registry', field, message: `container "${c.name}" image ${image} is not in ${ours}: ${ref.error.message}` }];
    return ref.value.registry === ours
      ? []
      : [{ rule: 'image-registry', field, message: `container "${c.name}" image ${image} is from ${ref.value.registry}, not ${ours}` }];
  });
}
