/** The SARIF 2.1.0 shapes this project writes (a subset of the schema; test/fixtures/sarif holds the whole). */
export interface SarifText {
  text: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifText;
  fullDescription: SarifText;
  defaultConfiguration: { level: string };
  helpUri?: string;
  help: { text: string; markdown: string };
  properties: Record<string, unknown>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: SarifText;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: string };
      region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
    };
    message: SarifText;
  }[];
}

export interface SarifLog {
  version: '2.1.0';
  $schema: string;
  runs: {
    tool: { driver: { fullName: string; informationUri: string; name: string; rules: SarifRule[]; version: string } };
    results: SarifResult[];
    columnKind: string;
    properties?: Record<string, unknown>;
  }[];
}
