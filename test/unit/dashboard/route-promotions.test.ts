import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../../src/dashboard/ui/route.js';

describe('the promotions route', () => {
  it('is #/promotions, and nothing longer', () => {
    expect(parseRoute('#/promotions')).toEqual({ view: 'promotions' });
    expect(parseRoute('#/promotions/x')).toEqual({ view: 'missing', path: '/promotions/x' });
  });
});
