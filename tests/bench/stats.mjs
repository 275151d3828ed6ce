// What every benchmark shares: interleaved rounds (the order flips every round, so drift on a
// shared machine falls on both sides alike), medians with their spread, and a headless Chromium
// with the flags that work here. Nothing here asserts anything about time.
export { launch } from '../chromium.mjs';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `{median, min, max}` of a list of numbers. */
export const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** "1234 ms (1100-1400)" */
export const ms = (s) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;

/**
 * Runs each of `named` (name -> async () => number) once to warm up, then `rounds` times,
 * interleaved with the order reversed every other round; returns name -> list of numbers.
 */
export async function interleaved(named, rounds) {
  const entries = Object.entries(named);
  for (const [, f] of entries) await f();
  const out = Object.fromEntries(entries.map(([k]) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [k, f] of i % 2 ? [...entries].reverse() : entries) out[k].push(await f());
  }
  return out;
}
