/**
 * Just enough package-url (https://github.com/package-url/purl-spec) to match `.trivyignore.yaml`
 * `purls:` against a finding's PkgIdentifier.PURL the way Trivy does: same type, namespace and
 * name; the constraint's version, subpath and qualifiers only when it has them.
 */
export interface Purl {
  type: string;
  namespace: string;
  name: string;
  version: string;
  subpath: string;
  qualifiers: Record<string, string>;
}

const TYPE = /^[a-z.+-][a-z0-9.+-]*$/;

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parsePurl(input: string): Purl | undefined {
  if (!/^pkg:/i.test(input)) return undefined;
  let rest = input.slice(4).replace(/^\/+/, '');
  let subpath = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    subpath = rest
      .slice(hash + 1)
      .split('/')
      .filter((s) => s && s !== '.' && s !== '..')
      .join('/');
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = decode(pair.slice(eq + 1));
      if (value === undefined) return undefined;
      if (value !== '') qualifiers[pair.slice(0, eq).toLowerCase()] = value;
    }
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  if (!TYPE.test(type)) return undefined;
  let path = rest.slice(slash + 1);
  let version = '';
  const at = path.lastIndexOf('@');
  if (at >= 0) {
    const v = decode(path.slice(at + 1));
    if (v === undefined) return undefined;
    version = v;
    path = path.slice(0, at);
  }
  const segments = path.split('/').filter(Boolean).map(decode);
  if (segments.some((s) => s === undefined)) return undefined;
  const name = segments.pop();
  if (!name) return undefined;
  return { type, namespace: segments.join('/'), name, version, subpath: decode(subpath) ?? subpath, qualifiers };
}

/** Does `target` satisfy the constraint `pattern`? (Trivy pkg/purl `Match`.) */
export function purlMatches(pattern: Purl, target: Purl): boolean {
  if (pattern.type !== target.type || pattern.namespace !== target.namespace || pattern.name !== target.name) return false;
  if (pattern.version !== '' && pattern.version !== target.version) return false;
  if (pattern.subpath !== '' && pattern.subpath !== target.subpath) return false;
  return Object.entries(pattern.qualifiers).every(([k, v]) => target.qualifiers[k] === v);
}
