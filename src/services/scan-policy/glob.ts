/**
 * Path patterns of `.trivyignore.yaml` `paths:`. Trivy matches them with bmatcuk/doublestar:
 * `*` and `?` stay inside one path segment, a whole-segment `**` spans any number of segments
 * (including none), plus `[class]`, `{alt,ernatives}` and `\` escapes. Compiled to a RegExp here.
 */

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const escapeChar = (c: string): string => c.replace(REGEX_SPECIAL, '\\$&');

/** One path segment (no `/`) to a regex fragment, or undefined if the pattern is malformed. */
function segmentRegex(seg: string): string | undefined {
  let out = '';
  let braces = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\') {
      const next = seg[i + 1];
      if (next === undefined) return undefined;
      out += escapeChar(next);
      i++;
    } else if (c === '*') {
      out += '[^/]*';
      while (seg[i + 1] === '*') i++;
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = seg.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') return undefined;
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += escapeChar(c);
    }
  }
  return braces === 0 ? out : undefined;
}

export function compileGlob(pattern: string): RegExp | undefined {
  const segs = pattern.split('/');
  let out = '';
  let sepWritten = false;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '**') {
      if (last) out += i === 0 ? '.*' : '(?:/.*)?';
      else out += i === 0 ? '(?:.*/)?' : '/(?:.*/)?';
      sepWritten = !last;
      continue;
    }
    if (i > 0 && !sepWritten) out += '/';
    sepWritten = false;
    const frag = segmentRegex(seg);
    if (frag === undefined) return undefined;
    out += frag;
  }
  try {
    return new RegExp(`^${out}$`, 'u');
  } catch {
    return undefined;
  }
}

export const isValidGlob = (pattern: string): boolean => compileGlob(pattern) !== undefined;

export function globMatch(pattern: string, path: string): boolean {
  return compileGlob(pattern)?.test(path) ?? false;
}
