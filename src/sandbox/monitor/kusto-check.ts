/**
 * KQL checked by Microsoft's own Kusto language service (@kusto/language-service-next, the C#
 * parser compiled to JavaScript). It is 18 MB of script defining a global `Kusto`, so it is loaded
 * lazily, once, and only by the sandbox and tests — never by the function app.
 */
import { createRequire } from 'node:module';

/** The documented AppRequests schema (Azure Monitor Logs table reference), name → Kusto type. */
export const APP_REQUESTS_COLUMNS: Readonly<Record<string, string>> = {
  AppRoleInstance: 'string',
  AppRoleName: 'string',
  AppVersion: 'string',
  ClientBrowser: 'string',
  ClientCity: 'string',
  ClientCountryOrRegion: 'string',
  ClientIP: 'string',
  ClientModel: 'string',
  ClientOS: 'string',
  ClientStateOrProvince: 'string',
  ClientType: 'string',
  DurationMs: 'real',
  Id: 'string',
  IKey: 'string',
  ItemCount: 'int',
  Measurements: 'dynamic',
  Name: 'string',
  OperationId: 'string',
  OperationName: 'string',
  ParentId: 'string',
  PerformanceBucket: 'string',
  Properties: 'dynamic',
  ReferencedItemId: 'string',
  ReferencedType: 'string',
  ResourceGUID: 'string',
  _ResourceId: 'string',
  ResultCode: 'string',
  SDKVersion: 'string',
  SessionId: 'string',
  Source: 'string',
  SourceSystem: 'string',
  _SubscriptionId: 'string',
  Success: 'bool',
  SyntheticSource: 'string',
  TenantId: 'string',
  TimeGenerated: 'datetime',
  Type: 'string',
  Url: 'string',
  UserAccountId: 'string',
  UserAuthenticatedId: 'string',
  UserId: 'string',
};

export interface KqlDiagnostic {
  code: string;
  severity: string;
  message: string;
  start: number;
  length: number;
  /** True when the text does not parse (the service calls this SyntaxError, otherwise SemanticError). */
  syntax: boolean;
}

export interface KqlNode {
  kind: number;
  /** Set on literal expressions: the value the literal denotes (strings decoded). */
  literal?: string;
  /** Source text of the node, for tokens. */
  text?: string;
}

export interface KqlAnalysis {
  diagnostics: KqlDiagnostic[];
  /** Pre-order walk of the syntax tree: the query's structure. */
  nodes: KqlNode[];
  /** Names of the result columns, when the query is tabular. */
  resultColumns: string[];
}

// The few members of the Bridge.NET object model used here (the package's .d.ts is 1.7 MB).
interface NetList<T> {
  Count: number;
  getItem(i: number): T;
}
interface SyntaxNode {
  Kind: number;
  ChildCount: number;
  GetChild(i: number): SyntaxNode | null;
  IsLiteral?: boolean;
  LiteralValue?: string | number | boolean | { toString(): string } | null;
  Text?: string;
  ToString?(): string;
}
type NetDiagnostic = { Code: string; Severity: string; Message: string; Start: number; Length: number };
interface KustoCode {
  Syntax: SyntaxNode;
  GetDiagnostics(): NetList<NetDiagnostic>;
  GetSyntaxDiagnostics(): NetList<NetDiagnostic>;
  ResultType?: { Columns?: NetList<{ Name: string }> };
}
interface KustoLanguage {
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KustoCode };
  GlobalState: { Default: { WithCluster(c: unknown): { WithDatabase(d: unknown): unknown } } };
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    DatabaseSymbol: { $ctor2: new (name: string, alternateName: string | null, members: unknown[]) => unknown };
    ClusterSymbol: { ctor: new (name: string, databases: unknown[]) => unknown };
  };
}

let language: KustoLanguage | undefined;
let loadMs: number | undefined;
const globalsBySchema = new Map<string, unknown>();

function load(): KustoLanguage {
  if (language) return language;
  const started = performance.now();
  const require = createRequire(import.meta.url);
  // bridge.js is the Bridge.NET runtime; the language assembly registers into it. Order matters.
  require('@kusto/language-service-next/bridge.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.js');
  const g = globalThis as unknown as { Kusto?: { Language?: KustoLanguage } };
  if (!g.Kusto?.Language) throw new Error('@kusto/language-service-next did not define Kusto.Language');
  language = g.Kusto.Language;
  loadMs = performance.now() - started;
  return language;
}

/** Milliseconds the first load took (undefined until something used the service). */
export const kustoLoadMs = (): number | undefined => loadMs;

type Columns = Readonly<Record<string, string>>;

function globalsFor(tables: Readonly<Record<string, Columns>>): unknown {
  const schemas = Object.entries(tables).map(
    ([name, columns]) =>
      [
        name,
        `(${Object.entries(columns)
          .map(([n, t]) => `['${n}']:${t}`)
          .join(', ')})`,
      ] as const,
  );
  const key = JSON.stringify(schemas);
  let globals = globalsBySchema.get(key);
  if (!globals) {
    const K = load();
    const symbols = schemas.map(([name, schema]) => new K.Symbols.TableSymbol.$ctor7(name, schema, null));
    const db = new K.Symbols.DatabaseSymbol.$ctor2('workspace', null, symbols);
    const cluster = new K.Symbols.ClusterSymbol.ctor('api.loganalytics.io', [db]);
    globals = K.GlobalState.Default.WithCluster(cluster).WithDatabase(db);
    globalsBySchema.set(key, globals);
  }
  return globals;
}

/** Parse and semantically analyse `query` against a workspace holding AppRequests with `columns`. */
export function analyzeKql(query: string, columns: Columns = APP_REQUESTS_COLUMNS): KqlAnalysis {
  return analyzeKqlTables(query, { AppRequests: columns });
}

/** The same against a workspace holding these tables (name → columns), e.g. alert rules over several tables. */
export function analyzeKqlTables(query: string, tables: Readonly<Record<string, Columns>>): KqlAnalysis {
  const code = load().KustoCode.ParseAndAnalyze(query, globalsFor(tables));
  const diags = code.GetDiagnostics();
  const syntax = code.GetSyntaxDiagnostics();
  const syntaxKeys = new Set<string>();
  for (let i = 0; i < syntax.Count; i++) syntaxKeys.add(`${syntax.getItem(i).Code}@${syntax.getItem(i).Start}`);
  const diagnostics: KqlDiagnostic[] = [];
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    const isSyntax = syntaxKeys.has(`${d.Code}@${d.Start}`);
    diagnostics.push({
      code: d.Code,
      severity: String(d.Severity),
      message: d.Message,
      start: d.Start,
      length: d.Length,
      syntax: isSyntax,
    });
  }
  const nodes: KqlNode[] = [];
  const walk = (n: SyntaxNode | null): void => {
    if (!n) return;
    const node: KqlNode = { kind: n.Kind };
    if (n.IsLiteral && n.LiteralValue !== undefined && n.LiteralValue !== null) node.literal = String(n.LiteralValue);
    if (n.ChildCount === 0 && typeof n.Text === 'string') node.text = n.Text;
    nodes.push(node);
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(code.Syntax);
  const resultColumns: string[] = [];
  const cols = code.ResultType?.Columns;
  for (let i = 0; i < (cols?.Count ?? 0); i++) resultColumns.push(cols!.getItem(i).Name);
  return { diagnostics, nodes, resultColumns };
}

/** Errors only (the service rejects on errors; warnings do not fail a query). */
export const kqlErrors = (a: KqlAnalysis): KqlDiagnostic[] => a.diagnostics.filter((d) => d.severity === 'Error');
