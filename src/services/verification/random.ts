/**
 * A small seeded random source for simulations (the verify-plan Monte Carlo, the bench and the Log
 * Analytics fake's random traffic). Reproducible: the same seed gives the same stream on every
 * machine. Not for anything secret.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** FNV-1a over the parts' text, finished with a murmur3 mix: a well-spread 32-bit seed. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), its state filled by splitmix32. */
export function createRng(seed: number | string): Rng {
  let s = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // discard the first outputs, as the generator's author advises
  return { next };
}

const LOG_FACTORIAL: number[] = [0];
for (let k = 1; k < 256; k++) LOG_FACTORIAL.push(LOG_FACTORIAL[k - 1]! + Math.log(k));

/** ln(k!) — a table below 256, Stirling's series above (error < 1e-12 there). */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL[k] ?? Number.NaN;
  const inv = 1 / k;
  const inv2 = inv * inv;
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * A Poisson variate. Below a mean of 10, Knuth's product of uniforms; above, Hörmann's PTRS
 * transformed rejection ("The transformed rejection method for generating Poisson random
 * variables", 1993), as numpy uses: constant expected cost at any mean.
 */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let prod = rng.next(); prod > limit; prod *= rng.next()) k++;
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}

/** A standard normal variate (Box–Muller; 1 - u keeps the logarithm finite). */
export function standardNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}
