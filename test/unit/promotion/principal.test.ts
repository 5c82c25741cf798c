import { describe, expect, it } from 'vitest';
import { identityFromHeaders } from '../../../src/services/promotion/identity.js';
import { isAllowed, mayApprove, type Identity } from '../../../src/services/promotion/principal.js';

const GROUP = '0b7a3c1e-1111-4222-8333-944455556666';
const policy = {
  kind: 'approval' as const,
  approvals: 1,
  approvers: ['entra:alice@contoso.com', `entra-group:${GROUP}`, 'github:octocat'],
  allowSelfApproval: false,
  soakSeconds: 0,
};
const who = (principal: string, over: Partial<Identity> = {}): Identity => ({ principal, aliases: [], groups: [], ...over });
const headers = (h: Record<string, string>) => (name: string) => h[name];
const claims = (c: { typ: string; val: string }[]) => Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: c })).toString('base64');

describe('who may approve', () => {
  it('an allowed person, by name (case-insensitive), object id or group', () => {
    expect(isAllowed(who('entra:Alice@Contoso.com'), policy.approvers)).toBe(true);
    expect(isAllowed(who('entra:bob@contoso.com', { groups: [GROUP.toUpperCase()] }), policy.approvers)).toBe(true);
    expect(isAllowed(who('github:OctoCat'), policy.approvers)).toBe(true);
    expect(isAllowed(who('entra:x', { aliases: ['entra:alice@contoso.com'] }), policy.approvers)).toBe(true);
  });

  it('refuses someone not listed, and a GitHub login that only shares an Entra name', () => {
    const r = mayApprove(who('entra:mallory@contoso.com'), policy, 'entra:bob@contoso.com', 'prod');
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('entra:mallory@contoso.com is not an allowed approver for prod') });
    expect(isAllowed(who('github:alice@contoso.com'), policy.approvers)).toBe(false);
    expect(isAllowed(who('entra:octocat'), policy.approvers)).toBe(false);
  });

  it('refuses the requester unless self-approval is allowed, also under another of their names', () => {
    expect(mayApprove(who('entra:alice@contoso.com'), policy, 'entra:ALICE@contoso.com', 'prod')).toEqual({
      ok: false,
      reason: 'entra:alice@contoso.com requested this promotion and prod does not allow self-approval',
    });
    expect(mayApprove(who('entra:alice@contoso.com', { aliases: ['entra:oid-1'] }), policy, 'entra:oid-1', 'prod').ok).toBe(false);
    expect(mayApprove(who('entra:alice@contoso.com'), { ...policy, allowSelfApproval: true }, 'entra:alice@contoso.com', 'prod')).toEqual({
      ok: true,
    });
    expect(mayApprove(who('entra:alice@contoso.com'), policy, 'tailspin-deployer', 'prod')).toEqual({ ok: true });
  });
});

describe('identity from App Service Authentication headers', () => {
  it('Entra: the name, the object id and the groups claim', () => {
    const id = identityFromHeaders(
      headers({
        'x-ms-client-principal-name': 'alice@contoso.com',
        'x-ms-client-principal-idp': 'aad',
        'x-ms-client-principal-id': '11111111-2222-3333-4444-555555555555',
        'x-ms-client-principal': claims([
          { typ: 'groups', val: GROUP },
          { typ: 'name', val: 'Alice' },
        ]),
      }),
    );
    expect(id).toEqual({ principal: 'entra:alice@contoso.com', aliases: ['entra:11111111-2222-3333-4444-555555555555'], groups: [GROUP] });
  });

  it('GitHub as the sign-in provider: the login', () => {
    expect(identityFromHeaders(headers({ 'x-ms-client-principal-name': 'octocat', 'x-ms-client-principal-idp': 'github' }))).toEqual({
      principal: 'github:octocat',
      aliases: [],
      groups: [],
    });
  });

  it.each([
    ['no headers', {}],
    ['an empty name', { 'x-ms-client-principal-name': '  ' }],
    ['a name with a colon (no smuggled prefixes)', { 'x-ms-client-principal-name': 'github:octocat' }],
    ['a name with spaces', { 'x-ms-client-principal-name': 'alice smith' }],
    ['an unknown provider', { 'x-ms-client-principal-name': 'alice', 'x-ms-client-principal-idp': 'twitter' }],
  ])('no identity for %s', (_what, h) => {
    expect(identityFromHeaders(headers(h))).toBeUndefined();
  });

  it('a malformed claims header gives no groups, never an error', () => {
    for (const bad of [
      '%%%',
      Buffer.from('not json').toString('base64'),
      Buffer.from('{"claims":"x"}').toString('base64'),
      'x'.repeat(70_000),
    ]) {
      const id = identityFromHeaders(headers({ 'x-ms-client-principal-name': 'alice@contoso.com', 'x-ms-client-principal': bad }));
      expect(id?.groups).toEqual([]);
    }
  });
});
