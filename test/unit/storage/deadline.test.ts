import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../../src/services/adapters/storage/deadline.js';
import { isStorageUnavailable } from '../../../src/services/adapters/storage/unavailable.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a request-path storage call with a deadline', () => {
  it('that answers in time leaves nothing armed: its signal never aborts afterwards', async () => {
    vi.useFakeTimers();
    let given: AbortSignal | undefined;
    const out = await withDeadline(4_000, ({ abortSignal }) => {
      given = abortSignal;
      expect(vi.getTimerCount()).toBe(1);
      return Promise.resolve('queued');
    });
    expect(out).toBe('queued');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(given?.aborted).toBe(false);
  });

  it('that does not answer is aborted at the deadline with a TimeoutError, which the doors answer as 503', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const caught = withDeadline(4_000, ({ abortSignal }) => {
      signal = abortSignal;
      return new Promise((_, reject) => abortSignal?.addEventListener('abort', () => reject(abortSignal.reason as Error)));
    }).catch((e: unknown) => e);
    vi.advanceTimersByTime(3_999);
    expect(signal?.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    const e = await caught;
    expect(e).toMatchObject({ name: 'TimeoutError' });
    expect(isStorageUnavailable(e)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('that fails is cleared too, and its error passes through', async () => {
    vi.useFakeTimers();
    await expect(withDeadline(4_000, () => Promise.reject(new Error('conflict')))).rejects.toThrow('conflict');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a deadline gets no signal', async () => {
    await expect(withDeadline(undefined, (opts) => Promise.resolve(opts))).resolves.toEqual({});
  });
});
