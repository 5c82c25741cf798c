/**
 * The parts of a Trivy JSON report (SchemaVersion 2) the gate reads — nothing more, so new
 * fields Trivy adds never break parsing. Field names are Trivy's (Go struct names, PascalCase).
 */
import { z } from 'zod';

const text = z.string().optional();

export const TrivyVulnerability = z.object({
  VulnerabilityID: z.string(),
  PkgName: z.string().default(''),
  PkgPath: text,
  PkgIdentifier: z.object({ PURL: text }).optional(),
  InstalledVersion: z.string().default(''),
  FixedVersion: text,
  /** trivy-db Status as text; omitted when it is "unknown" (the zero value, `omitempty`). */
  Status: text,
  Severity: text,
  Title: text,
});
export type TrivyVulnerability = z.infer<typeof TrivyVulnerability>;

export const TrivyMisconfiguration = z.object({
  ID: z.string(),
  /** Older Trivy releases carried the "AVD-…" id separately; newer ones only ID. */
  AVDID: text,
  Title: text,
  Severity: text,
  /** FAIL, PASS or EXCEPTION; only FAIL is a finding. */
  Status: text,
});
export type TrivyMisconfiguration = z.infer<typeof TrivyMisconfiguration>;

export const TrivySecret = z.object({
  RuleID: z.string(),
  Category: text,
  Title: text,
  Severity: text,
  StartLine: z.number().optional(),
});
export type TrivySecret = z.infer<typeof TrivySecret>;

export const TrivyResult = z.object({
  Target: z.string(),
  Class: text,
  Type: text,
  // Trivy writes null for an empty slice in some versions, and omits it in others.
  Vulnerabilities: z.array(TrivyVulnerability).nullish(),
  Misconfigurations: z.array(TrivyMisconfiguration).nullish(),
  Secrets: z.array(TrivySecret).nullish(),
});
export type TrivyResult = z.infer<typeof TrivyResult>;

export const TrivyReport = z.object({
  SchemaVersion: z.literal(2),
  ArtifactName: text,
  ArtifactType: text,
  Trivy: z.object({ Version: text }).optional(),
  Metadata: z
    .object({
      OS: z.object({ Family: text, Name: text, EOSL: z.boolean().optional() }).nullish(),
      RepoDigests: z.array(z.string()).nullish(),
    })
    .optional(),
  /** Absent when nothing was scanned (e.g. everything skipped). */
  Results: z.array(TrivyResult).nullish(),
});
export type TrivyReport = z.infer<typeof TrivyReport>;
