import { describe, expect, it } from 'vitest';
import { commands, main } from '../../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

describe('cli main', () => {
  it('prints usage and exits 2 on an unknown or missing command', async () => {
    const io = fakeIo();
    expect(await main(['deploy-everything'], io)).toBe(2);
    expect(io.err()).toMatch(/^tailspin-deployer: unknown command "deploy-everything"\n/);
    expect(io.err()).toMatch(/scan-evaluate/);
    expect(io.out()).toBe('');
    const none = fakeIo();
    expect(await main([], none)).toBe(2);
    expect(none.err()).toMatch(/^usage:/);
  });

  it('prints usage on --help and exits 0', async () => {
    const io = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/commands:\n {2}scan-evaluate/);
  });

  it('does not treat Object.prototype names as commands', async () => {
    expect(await main(['toString'], fakeIo())).toBe(2);
  });

  it('dispatches to the table (new commands are one entry)', async () => {
    const seen: string[][] = [];
    commands['test-echo'] = { summary: 'test only', run: (argv) => Promise.resolve(seen.push(argv) && 0) };
    try {
      expect(await main(['test-echo', '--x', 'y'], fakeIo())).toBe(0);
      expect(seen).toEqual([['--x', 'y']]);
    } finally {
      delete commands['test-echo'];
    }
  });
});
