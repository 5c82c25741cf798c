/**
 * Label selectors (`a=b,c!=d,e in (x,y),!f,g`) and field selectors (`k=v,k!=v`) as the API server
 * parses them from list queries.
 */
type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text) return [];
  const parts = text.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return parts.map((raw) => parseRequirement(raw.trim()));
}

function parseRequirement(r: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r);
  if (m) {
    const [, key, op, list] = m;
    const values = list!.split(',').map((v) => v.trim());
    return op === 'in' ? (l) => key! in l && values.includes(l[key!]!) : (l) => !(key! in l) || !values.includes(l[key!]!);
  }
  m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(r);
  if (m) {
    const [, key, op, value] = m;
    return op === '!=' ? (l) => l[key!] !== value : (l) => l[key!] === value;
  }
  if (r.startsWith('!')) return (l) => !(r.slice(1) in l);
  return (l) => r in l;
}

export function matchesLabels(labels: Record<string, string> | undefined, selector: Requirement[]): boolean {
  return selector.every((req) => req(labels ?? {}));
}

/** matchLabels of a LabelSelector object (what Deployments and ReplicaSets carry) as requirements. */
export function matchLabelsSelector(sel: { matchLabels?: Record<string, string> } | undefined): Requirement[] {
  return Object.entries(sel?.matchLabels ?? {}).map(
    ([k, v]) =>
      (l: Record<string, string>) =>
        l[k] === v,
  );
}

/** Field selector over dotted paths of the object (`involvedObject.name=x,type!=Normal`). */
export function matchesFields(obj: unknown, text: string | null | undefined): boolean {
  if (!text) return true;
  return text.split(',').every((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return false;
    const [, path, op, value] = m;
    const found = path!.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    const actual = typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean' ? String(found) : '';
    return op === '!=' ? actual !== value : actual === value;
  });
}
