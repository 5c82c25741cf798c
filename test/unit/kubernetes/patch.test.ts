import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, PatchError, strategicMerge, type Json } from '../../../src/sandbox/kubernetes/patch.js';
import { matchesFields, matchesLabels, parseLabelSelector } from '../../../src/sandbox/kubernetes/selectors.js';

const depObj = {
  metadata: { annotations: { a: '1' } },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'x', image: 'x:1', ports: [{ containerPort: 80 }] },
          { name: 'y', image: 'y:1' },
        ],
      },
    },
  },
};

const dep = depObj as unknown as Json & typeof depObj;

describe("the fake's patch semantics", () => {
  it('strategic merge updates one container by name and keeps the others', () => {
    const out = strategicMerge(dep, {
      metadata: { annotations: { b: '2' } },
      spec: { template: { spec: { containers: [{ name: 'y', image: 'y:2' }] } } },
    });
    expect(out).toEqual({
      metadata: { annotations: { a: '1', b: '2' } },
      spec: { template: { spec: { containers: [depObj.spec.template.spec.containers[0], { name: 'y', image: 'y:2' }] } } },
    });
  });

  it('strategic merge honours $patch: delete, null removal, and replaces lists without a merge key', () => {
    const out = strategicMerge({ ...depObj, args: ['a', 'b'] } as unknown as Json, {
      metadata: { annotations: { a: null } },
      args: ['c'],
      spec: { template: { spec: { containers: [{ name: 'x', $patch: 'delete' }] } } },
    }) as typeof dep & { args: string[] };
    expect(out.metadata.annotations).toEqual({});
    expect(out.args).toEqual(['c']);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['y']);
  });

  it('JSON merge patch replaces lists whole (RFC 7386)', () => {
    const out = mergePatch(dep, { spec: { template: { spec: { containers: [{ name: 'y', image: 'y:2' }] } } } }) as typeof dep;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'y', image: 'y:2' }]);
  });

  it('JSON patch add/replace/remove/test', () => {
    const out = jsonPatch(dep, [
      { op: 'test', path: '/metadata/annotations/a', value: '1' },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'x:2' },
      { op: 'add', path: '/metadata/annotations/k~1v', value: 'z' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ]) as typeof dep;
    expect(out.spec.template.spec.containers).toEqual([{ ...depObj.spec.template.spec.containers[0], image: 'x:2' }]);
    expect(out.metadata.annotations).toEqual({ a: '1', 'k/v': 'z' });
    expect(() => jsonPatch(dep, [{ op: 'test', path: '/metadata/annotations/a', value: '2' }])).toThrow(PatchError);
    expect(() => jsonPatch(dep, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(PatchError);
  });
});

describe('selectors', () => {
  it('label selector operators', () => {
    const sel = parseLabelSelector('app=web,tier!=db,env in (dev, prod),!legacy,team');
    expect(matchesLabels({ app: 'web', env: 'dev', team: 't' }, sel)).toBe(true);
    expect(matchesLabels({ app: 'web', env: 'qa', team: 't' }, sel)).toBe(false);
    expect(matchesLabels({ app: 'web', env: 'dev', team: 't', legacy: 'y' }, sel)).toBe(false);
    expect(matchesLabels({ app: 'web', env: 'dev' }, sel)).toBe(false);
  });

  it('field selectors over dotted paths', () => {
    const ev = { involvedObject: { kind: 'Pod', name: 'p' }, type: 'Warning' };
    expect(matchesFields(ev, 'involvedObject.kind=Pod,involvedObject.name=p')).toBe(true);
    expect(matchesFields(ev, 'involvedObject.kind=Pod,type!=Warning')).toBe(false);
  });
});
