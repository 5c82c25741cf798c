/**
 * A release's trace ids, derived from its id: every instance and every invocation that touches the
 * release reports into the same trace without passing context along (queue messages and the store
 * carry only the release id). W3C trace context: 16-byte trace id, 8-byte span ids, never all zero.
 */
import { createHash } from 'node:crypto';

const hex = (input: string, chars: number): string => {
  const h = createHash('sha256').update(input).digest('hex').slice(0, chars);
  return /^0+$/.test(h) ? `${h.slice(0, -1)}1` : h;
};

export const traceIdOf = (releaseId: string): string => hex(`tailspin-release/${releaseId}`, 32);
/** The root span: the whole release, from creation to its terminal phase. */
export const rootSpanIdOf = (releaseId: string): string => hex(`tailspin-release/${releaseId}/root`, 16);
/** The span of the n-th phase of its timeline (the same span id however often it is reported). */
export const phaseSpanIdOf = (releaseId: string, index: number): string => hex(`tailspin-release/${releaseId}/phase/${index}`, 16);
