import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { redactor, retryAfterMs } from '../../../src/services/adapters/acr/errors.js';
import { scanTaskYaml } from '../../../src/services/adapters/acr/scan-task.js';
import { contextUrl } from '../../../src/services/adapters/acr/builder.js';
import { parseRegistryResourceId } from '../../../src/services/adapters/acr/arm.js';
import { readScanTask } from '../../../src/sandbox/acr/scan-exec.js';

const clock = { now: () => new Date('2026-11-05T10:00:00Z') };

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(retryAfterMs('30', clock)).toBe(30_000);
    expect(retryAfterMs('Thu, 05 Nov 2026 10:00:45 GMT', clock)).toBe(45_000);
    expect(retryAfterMs('Thu, 05 Nov 2026 09:00:00 GMT', clock)).toBe(0);
    expect(retryAfterMs('soon', clock)).toBeUndefined();
    expect(retryAfterMs(undefined, clock)).toBeUndefined();
  });
});

describe('redactor', () => {
  test.prop([fc.string({ minLength: 8, maxLength: 40 }).filter((s) => !/[\s@/]/.test(s))])(
    'scrubs a known secret and any URL userinfo',
    (secret) => {
      const redact = redactor(() => [secret]);
      const out = redact(`clone https://x-access-token:${secret}@github.com/o/r.git failed; token=${secret}`);
      expect(out).not.toContain(secret);
      expect(out).toContain('https://[redacted]@github.com/o/r.git');
    },
  );
});

describe('contextUrl', () => {
  it('pins the commit and the app folder, with the token only in userinfo', () => {
    expect(contextUrl('o/r', 'abc1234', 'server')).toBe('https://github.com/o/r.git#abc1234:server');
    expect(contextUrl('o/r', 'abc1234', './client/')).toBe('https://github.com/o/r.git#abc1234:client');
    expect(contextUrl('o/r', 'abc1234', '')).toBe('https://github.com/o/r.git#abc1234');
    expect(contextUrl('o/r', 'abc1234', 'server', 'ghs_t/k+n')).toBe(
      'https://x-access-token:ghs_t%2Fk%2Bn@github.com/o/r.git#abc1234:server',
    );
  });
});

describe('scan task', () => {
  const ref = `r.azurecr.io/app@sha256:${'b'.repeat(64)}`;
  const yaml = scanTaskYaml({
    trivyImage: 'aquasec/trivy:0.58.1',
    dbRepository: 'ghcr.io/aquasecurity/trivy-db:2',
    imageRef: ref,
    stepTimeoutSeconds: 600,
  });

  it('is one sh step in the Trivy image, scanning the digest, markers built by printf with the run id', () => {
    const task = parse(yaml) as { stepTimeout: number; steps: { entryPoint: string; cmd: string }[] };
    expect(task.stepTimeout).toBe(600);
    expect(task.steps).toHaveLength(1);
    expect(task.steps[0]!.entryPoint).toBe('sh');
    expect(task.steps[0]!.cmd).toMatch(/^aquasec\/trivy:0\.58\.1 -c "/);
    expect(yaml).not.toContain('===TAILSPIN-TRIVY-REPORT-BEGIN');
    const step = readScanTask(Buffer.from(yaml).toString('base64'), { runId: 'ca1', registry: 'r.azurecr.io' });
    expect(step).toMatchObject({ image: 'aquasec/trivy:0.58.1', imageRef: ref });
    expect(typeof step !== 'string' && step.script).toContain("printf '\\n===%s %s===\\n' TAILSPIN-TRIVY-REPORT-BEGIN ca1");
  });

  it('refuses values that would need shell quoting', () => {
    expect(() => scanTaskYaml({ trivyImage: 'x; rm -rf /', dbRepository: 'd', imageRef: ref, stepTimeoutSeconds: 1 })).toThrow(/unsafe/);
  });
});

describe('parseRegistryResourceId', () => {
  it('reads subscription, resource group and name; rejects other resources', () => {
    expect(parseRegistryResourceId('/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1')).toEqual({
      subscriptionId: 's-1',
      resourceGroup: 'rg',
      registryName: 'acr1',
    });
    expect(
      parseRegistryResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a'),
    ).toBeUndefined();
  });
});
