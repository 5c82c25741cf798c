/**
 * The parts of a Trivy JSON report the SARIF converter reads (more than the gate needs: titles,
 * descriptions, links and CVSS for the Security tab). Field names are Trivy's.
 */
import { z } from 'zod';

const text = z.string().optional();
const lines = z.object({ StartLine: z.number().int().optional(), EndLine: z.number().int().optional() });

const Cvss = z.object({
  V2Vector: text,
  V3Vector: text,
  V40Vector: text,
  V2Score: z.number().optional(),
  V3Score: z.number().optional(),
  V40Score: z.number().optional(),
});

export const SarifVulnerability = z.object({
  VulnerabilityID: z.string(),
  PkgName: z.string().default(''),
  PkgPath: text,
  InstalledVersion: z.string().default(''),
  FixedVersion: z.string().default(''),
  Severity: z.string().default('UNKNOWN'),
  SeveritySource: text,
  PrimaryURL: z.string().default(''),
  Title: z.string().default(''),
  Description: z.string().default(''),
  CVSS: z.record(z.string(), Cvss).nullish(),
});
export type SarifVulnerability = z.infer<typeof SarifVulnerability>;

export const SarifMisconfiguration = z.object({
  ID: z.string(),
  Type: z.string().default(''),
  Title: z.string().default(''),
  Description: z.string().default(''),
  Message: z.string().default(''),
  Severity: z.string().default('UNKNOWN'),
  PrimaryURL: z.string().default(''),
  Status: text,
  CauseMetadata: lines.optional(),
});

export const SarifSecret = z.object({
  RuleID: z.string(),
  Title: z.string().default(''),
  Severity: z.string().default('UNKNOWN'),
  Match: z.string().default(''),
  StartLine: z.number().int().optional(),
  EndLine: z.number().int().optional(),
});

const Package = z.object({
  Name: z.string().default(''),
  Version: z.string().default(''),
  Locations: z.array(lines).nullish(),
});

export const SarifTrivyReport = z.object({
  ArtifactName: z.string().default(''),
  ArtifactType: text,
  Trivy: z.object({ Version: text }).optional(),
  Metadata: z
    .object({
      ImageID: text,
      RepoTags: z.array(z.string()).nullish(),
      RepoDigests: z.array(z.string()).nullish(),
    })
    .optional(),
  Results: z
    .array(
      z.object({
        Target: z.string(),
        Class: z.string().default(''),
        Type: z.string().default(''),
        Packages: z.array(Package).nullish(),
        Vulnerabilities: z.array(SarifVulnerability).nullish(),
        Misconfigurations: z.array(SarifMisconfiguration).nullish(),
        Secrets: z.array(SarifSecret).nullish(),
      }),
    )
    .nullish(),
});
export type SarifTrivyReport = z.infer<typeof SarifTrivyReport>;
