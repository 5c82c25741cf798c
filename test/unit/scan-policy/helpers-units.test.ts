import { describe, expect, it } from 'vitest';
import { compileGlob, globMatch } from '../../../src/services/scan-policy/glob.js';
import { parsePurl, purlMatches } from '../../../src/services/scan-policy/purl.js';
import { parseSeverityList } from '../../../src/services/scan-policy/index.js';

describe('glob (doublestar semantics)', () => {
  it.each([
    ['**/*-lock.json', 'package-lock.json', true],
    ['**/*-lock.json', 'a/b/package-lock.json', true],
    ['*-lock.json', 'a/package-lock.json', false],
    ['a/**', 'a', true],
    ['a/**', 'a/b/c', true],
    ['a/**/c', 'a/c', true],
    ['a/**/c', 'a/x/y/c', true],
    ['**', 'anything/at/all', true],
    ['usr/lib/?.so', 'usr/lib/x.so', true],
    ['usr/lib/?.so', 'usr/lib/xy.so', false],
    ['{app,docs}/Dockerfile', 'docs/Dockerfile', true],
    ['[ab].txt', 'b.txt', true],
    ['[!ab].txt', 'a.txt', false],
    ['a.b', 'axb', false],
  ])('%s ~ %s = %s', (pattern, path, expected) => {
    expect(globMatch(pattern, path)).toBe(expected);
  });

  it('rejects malformed patterns', () => {
    for (const p of ['a/[b', '{a,b', 'trailing\\']) expect(compileGlob(p)).toBeUndefined();
  });
});

describe('purl', () => {
  it('parses namespace, version, qualifiers and percent-encoding', () => {
    expect(parsePurl('pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible')).toMatchObject({
      type: 'golang',
      namespace: 'github.com/docker',
      name: 'distribution',
      version: 'v2.7.1+incompatible',
    });
    expect(parsePurl('pkg:rpm/centos/bash@4.2.46-31.el7?arch=x86_64&distro=centos-7.6.1810')?.qualifiers).toEqual({
      arch: 'x86_64',
      distro: 'centos-7.6.1810',
    });
    expect(parsePurl('pkg:npm/%40angular/core@1.0.0')).toMatchObject({ namespace: '@angular', name: 'core' });
    for (const bad of ['npm/foo', 'pkg:', 'pkg:npm', 'pkg:npm/', 'pkg:npm/%zz']) expect(parsePurl(bad)).toBeUndefined();
  });

  it('matches like Trivy: version and qualifiers only when the constraint has them', () => {
    const target = parsePurl('pkg:deb/debian/libssl1.1@1.1.0k-1~deb9u1?arch=amd64&distro=debian-9.9')!;
    const m = (c: string) => purlMatches(parsePurl(c)!, target);
    expect(m('pkg:deb/debian/libssl1.1')).toBe(true);
    expect(m('pkg:deb/debian/libssl1.1@1.1.0k-1~deb9u1')).toBe(true);
    expect(m('pkg:deb/debian/libssl1.1@2')).toBe(false);
    expect(m('pkg:deb/debian/libssl1.1?arch=amd64')).toBe(true);
    expect(m('pkg:deb/debian/libssl1.1?arch=arm64')).toBe(false);
    expect(m('pkg:deb/ubuntu/libssl1.1')).toBe(false);
  });
});

describe('parseSeverityList', () => {
  it('normalizes case and order, rejects unknown names', () => {
    expect(parseSeverityList('critical, High')).toEqual({ ok: true, value: ['HIGH', 'CRITICAL'] });
    expect(parseSeverityList(['LOW'])).toEqual({ ok: true, value: ['LOW'] });
    const bad = parseSeverityList('HIGH,SEVERE');
    expect(bad.ok === false && bad.error.message).toMatch(/unknown severity "SEVERE"/);
    expect(parseSeverityList('').ok).toBe(false);
  });
});
