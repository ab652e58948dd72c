/**
 * Reusable typed arrays for tapes. A typed array's memory lives outside the JavaScript heap,
 * and V8 runs full garbage collections to reclaim it when a lot is allocated, so a loop of
 * `grad` calls on a large function would spend much of its time collecting the previous calls'
 * tapes. `grad` returns its tape's arrays here when it is done with them (nothing else can
 * reach them then), and the next tape takes them: a training loop allocates its tape once.
 */

const MAX_KEPT = 8; // per kind; enough for one tape's buffers (and a nested one)
const ints: Int32Array[] = [];
const floats: Float64Array[] = [];

/** An `Int32Array` of at least `length` entries (contents unspecified). */
export function takeInt32(length: number): Int32Array {
  return take(ints, length) ?? new Int32Array(length);
}

/** A `Float64Array` of at least `length` entries (contents unspecified). */
export function takeFloat64(length: number): Float64Array {
  return take(floats, length) ?? new Float64Array(length);
}

/** Gives an array back for reuse; the caller must not touch it afterwards. */
export function giveInt32(a: Int32Array): void {
  give(ints, a);
}

/** Gives an array back for reuse; the caller must not touch it afterwards. */
export function giveFloat64(a: Float64Array): void {
  give(floats, a);
}

function take<T extends { length: number }>(pool: T[], length: number): T | undefined {
  // The smallest kept array that is large enough.
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const n = pool[i]!.length;
    if (n >= length && (best < 0 || n < pool[best]!.length)) best = i;
  }
  if (best < 0) return undefined;
  const a = pool[best]!;
  pool[best] = pool[pool.length - 1]!;
  pool.pop();
  return a;
}

function give<T extends { length: number }>(pool: T[], a: T): void {
  if (pool.length < MAX_KEPT) {
    pool.push(a);
    return;
  }
  // Keep the larger arrays: they are the expensive ones to allocate.
  let smallest = 0;
  for (let i = 1; i < pool.length; i++) if (pool[i]!.length < pool[smallest]!.length) smallest = i;
  if (pool[smallest]!.length < a.length) pool[smallest] = a;
}
