/**
 * Trivy JSON → SARIF 2.1.0, equal in substance to `trivy image --format sarif` (held to Trivy's own
 * golden output in test/fixtures/sarif). One rule per finding id (ordered by first sighting, its
 * text from the last sighting, as Trivy's SARIF writer does), one result per finding, GitHub's
 * `security-severity` from the CVSS v3 score of the severity source or from the severity.
 * Licenses are not converted (the gate does not ask Trivy for them).
 */
import { type Result, ok, err } from '../domain/result.js';
import { SarifTrivyReport, type SarifVulnerability } from './trivy-input.js';
import type { SarifLog, SarifResult, SarifRule } from './types.js';

export const SARIF_SCHEMA_URI = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json';

const RULE_NAMES: Record<string, string> = {
  'os-pkgs': 'OsPackageVulnerability',
  'lang-pkgs': 'LanguageSpecificPackageVulnerability',
  config: 'Misconfiguration',
  secret: 'Secret',
};

const LEVELS: Record<string, string> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' };
const SCORES: Record<string, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0' };
const level = (severity: string) => LEVELS[severity] ?? 'none';
const severityScore = (severity: string) => SCORES[severity] ?? '0.0';

interface Finding {
  id: string;
  kind: 'vulnerability' | 'misconfiguration' | 'secret';
  severity: string;
  score: string;
  cvss: Record<string, string | number>;
  helpUri: string;
  ruleName: string;
  short: string;
  full: string;
  helpText: string;
  helpMarkdown: string;
  message: string;
  uri: string;
  locationMessage: string;
  lines: { start: number; end: number }[];
}

export function trivyToSarif(report: unknown): Result<SarifLog, string> {
  const parsed = SarifTrivyReport.safeParse(report);
  if (!parsed.success) return err(`not a Trivy JSON report: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const r = parsed.data;
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const results: SarifResult[] = [];
  for (const f of findings(r)) {
    let index = ruleIndex.get(f.id);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(f.id, index);
    }
    rules[index] = rule(f);
    results.push({
      ruleId: f.id,
      ruleIndex: index,
      level: level(f.severity),
      message: { text: f.message },
      locations: (f.lines.length ? f.lines : [{ start: 1, end: 1 }]).map((l) => ({
        physicalLocation: {
          artifactLocation: { uri: f.uri, uriBaseId: 'ROOTPATH' },
          region: { startLine: l.start || 1, startColumn: 1, endLine: l.end || 1, endColumn: 1 },
        },
        message: { text: f.locationMessage },
      })),
    });
  }
  const image = r.ArtifactType === 'container_image';
  return ok({
    version: '2.1.0',
    $schema: SARIF_SCHEMA_URI,
    runs: [
      {
        tool: {
          driver: {
            fullName: 'Trivy Vulnerability Scanner',
            informationUri: 'https://github.com/aquasecurity/trivy',
            name: 'Trivy',
            rules,
            version: r.Trivy?.Version ?? 'unknown',
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        ...(image
          ? {
              properties: {
                imageID: r.Metadata?.ImageID ?? '',
                imageName: r.ArtifactName,
                repoDigests: r.Metadata?.RepoDigests ?? null,
                repoTags: r.Metadata?.RepoTags ?? null,
              },
            }
          : {}),
      },
    ],
  });
}

function rule(f: Finding): SarifRule {
  return {
    id: f.id,
    name: f.ruleName,
    shortDescription: { text: f.short },
    fullDescription: { text: f.full },
    defaultConfiguration: { level: level(f.severity) },
    ...(f.helpUri ? { helpUri: f.helpUri } : {}),
    help: { text: f.helpText, markdown: f.helpMarkdown },
    properties: { ...f.cvss, precision: 'very-high', 'security-severity': f.score, tags: [f.kind, 'security', f.severity] },
  };
}

function* findings(r: SarifTrivyReport): Generator<Finding> {
  for (const res of r.Results ?? []) {
    const ruleName = RULE_NAMES[res.Class] ?? 'UnknownIssue';
    const target = pathUri(res.Target, res.Class);
    for (const v of res.Vulnerabilities ?? []) {
      const path = v.PkgPath ? pathUri(v.PkgPath, res.Class) : target;
      const pkg = res.Packages?.find((p) => p.Name === v.PkgName && p.Version === v.InstalledVersion);
      const link = `[${v.VulnerabilityID}](${v.PrimaryURL})`;
      const { cvss, score } = cvssOf(v);
      yield {
        id: v.VulnerabilityID,
        kind: 'vulnerability',
        severity: v.Severity,
        score,
        cvss,
        helpUri: v.PrimaryURL,
        ruleName,
        short: v.Title,
        full: v.Description || v.Title,
        helpText: `Vulnerability ${v.VulnerabilityID}\nSeverity: ${v.Severity}\nPackage: ${v.PkgName}\nFixed Version: ${v.FixedVersion}\nLink: ${link}\n${v.Description}`,
        helpMarkdown: `**Vulnerability ${v.VulnerabilityID}**\n| Severity | Package | Fixed Version | Link |\n| --- | --- | --- | --- |\n|${v.Severity}|${v.PkgName}|${v.FixedVersion}|${link}|\n\n${v.Description}`,
        message: `Package: ${v.PkgName}\nInstalled Version: ${v.InstalledVersion}\nVulnerability ${v.VulnerabilityID}\nSeverity: ${v.Severity}\nFixed Version: ${v.FixedVersion}\nLink: ${link}`,
        uri: path,
        locationMessage: `${path}: ${v.PkgName}@${v.InstalledVersion}`,
        lines: (pkg?.Locations ?? []).map((l) => ({ start: l.StartLine ?? 0, end: l.EndLine ?? 0 })),
      };
    }
    for (const m of res.Misconfigurations ?? []) {
      if (m.Status && m.Status !== 'FAIL') continue;
      const link = `[${m.ID}](${m.PrimaryURL})`;
      yield {
        id: m.ID,
        kind: 'misconfiguration',
        severity: m.Severity,
        score: severityScore(m.Severity),
        cvss: {},
        helpUri: m.PrimaryURL,
        ruleName,
        short: m.Title,
        full: m.Description,
        helpText: `Misconfiguration ${m.ID}\nType: ${m.Type}\nSeverity: ${m.Severity}\nCheck: ${m.Title}\nMessage: ${m.Message}\nLink: ${link}\n${m.Description}`,
        helpMarkdown: `**Misconfiguration ${m.ID}**\n| Type | Severity | Check | Message | Link |\n| --- | --- | --- | --- | --- |\n|${m.Type}|${m.Severity}|${m.Title}|${m.Message}|${link}|\n\n${m.Description}`,
        message: `Artifact: ${res.Target}\nType: ${res.Type}\nVulnerability ${m.ID}\nSeverity: ${m.Severity}\nMessage: ${m.Message}\nLink: ${link}`,
        uri: res.Target,
        locationMessage: res.Target,
        lines: [{ start: m.CauseMetadata?.StartLine ?? 0, end: m.CauseMetadata?.EndLine ?? 0 }],
      };
    }
    for (const s of res.Secrets ?? []) {
      yield {
        id: s.RuleID,
        kind: 'secret',
        severity: s.Severity,
        score: severityScore(s.Severity),
        cvss: {},
        helpUri: 'https://github.com/aquasecurity/trivy/blob/main/pkg/fanal/secret/builtin-rules.go',
        ruleName,
        short: s.Title,
        full: s.Match,
        helpText: `Secret ${s.Title}\nSeverity: ${s.Severity}\nMatch: ${s.Match}`,
        helpMarkdown: `**Secret ${s.Title}**\n| Severity | Match |\n| --- | --- |\n|${s.Severity}|${s.Match}|`,
        message: `Artifact: ${res.Target}\nType: ${res.Type}\nSecret ${s.Title}\nSeverity: ${s.Severity}\nMatch: ${s.Match}`,
        uri: target,
        locationMessage: target,
        lines: [{ start: s.StartLine ?? 0, end: s.EndLine ?? 0 }],
      };
    }
  }
}

/** CVSS of the severity's own source; its v3 score is GitHub's security-severity when present. */
function cvssOf(v: SarifVulnerability): { cvss: Record<string, string | number>; score: string } {
  const c = v.SeveritySource ? v.CVSS?.[v.SeveritySource] : undefined;
  if (!c) return { cvss: {}, score: severityScore(v.Severity) };
  const all: Record<string, string | number | undefined> = {
    cvssv2_vector: c.V2Vector,
    cvssv2_score: c.V2Score,
    cvssv3_vector: c.V3Vector,
    cvssv3_baseScore: c.V3Score,
    cvssv40_vector: c.V40Vector,
    cvssv40_baseScore: c.V40Score,
  };
  const cvss = Object.fromEntries(
    Object.entries(all).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '' && e[1] !== 0),
  );
  return { cvss, score: c.V3Score ? c.V3Score.toFixed(1) : severityScore(v.Severity) };
}

/**
 * OS package targets read "image (distro version)": keep the image, and of an image reference
 * only its repository path, as Trivy does; other targets are file paths already.
 */
export function pathUri(target: string, resultClass: string): string {
  if (resultClass !== 'os-pkgs') return target.replaceAll('\\', '/');
  const path = target.replace(/\s*\(.*?\).*$/, '');
  const noDigest = path.split('@')[0] ?? path;
  const parts = noDigest.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repo = (hasRegistry ? parts.slice(1) : parts).join('/');
  const lastColon = repo.lastIndexOf(':');
  return (lastColon > repo.lastIndexOf('/') ? repo.slice(0, lastColon) : repo).replaceAll('\\', '/');
}
