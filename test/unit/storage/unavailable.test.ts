import { describe, expect, it } from 'vitest';
import { isStorageUnavailable, unavailableAsError } from '../../../src/services/adapters/storage/unavailable.js';
import { UnavailableError } from '../../../src/services/unavailable.js';

const restError = (extra: Record<string, unknown>) => Object.assign(new Error('storage said no'), { name: 'RestError', ...extra });

describe('storage outages as 503s', () => {
  it.each([
    ['refused (no status)', restError({ code: 'ECONNREFUSED' }), true],
    ['server error', restError({ statusCode: 503 }), true],
    ['timeout status', restError({ statusCode: 408 }), true],
    ['throttled', restError({ statusCode: 429 }), true],
    ['client-side timeout', Object.assign(new Error('aborted'), { name: 'AbortError' }), true],
    ['conflict (a decision, not an outage)', restError({ statusCode: 409 }), false],
    ['missing row', restError({ statusCode: 404 }), false],
    ['a bug', new TypeError('x is undefined'), false],
    ['not an error', 'boom', false],
  ])('%s', (_name, e, expected) => {
    expect(isStorageUnavailable(e)).toBe(expected);
  });

  it('wraps async methods: outages become UnavailableError naming the cause; other errors and values pass through', async () => {
    const port = unavailableAsError({
      down: () => Promise.reject(restError({ code: 'ECONNRESET' })),
      busy: () => Promise.reject(restError({ statusCode: 500 })),
      hung: () => Promise.reject(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' })),
      conflict: () => Promise.reject(restError({ statusCode: 412 })),
      fine: (x: number) => Promise.resolve(x + 1),
      sync: () => 7,
      label: 'kept',
    });
    const down = await port.down().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(UnavailableError);
    expect(down).toMatchObject({ system: 'storage', message: 'storage is unavailable (ECONNRESET)', retryAfterSeconds: 5 });
    await expect(port.busy()).rejects.toThrow('storage is unavailable (HTTP 500)');
    await expect(port.hung()).rejects.toThrow('storage is unavailable (The operation was aborted.)');
    await expect(port.conflict()).rejects.toMatchObject({ statusCode: 412 });
    expect(await port.fine(1)).toBe(2);
    expect(port.sync()).toBe(7);
    expect(port.label).toBe('kept');
  });
});
