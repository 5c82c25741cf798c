import { expect, it } from 'vitest';
import { defineClusterContract } from './cluster-contract.js';
import { fakeTarget } from './fake-target.js';

let target: Awaited<ReturnType<typeof fakeTarget>> | undefined;
defineClusterContract(async () => (target = await fakeTarget()), { pollMs: 25, deadlineMs: 8_000 });

it('the fake saw no request it does not model', () => {
  expect(target?.fake.unexpected).toEqual([]);
});
