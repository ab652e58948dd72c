// Timing and checking. Every sample times a batch of calls long enough to be read reliably
// (about BATCH_MS). Each sample is read on two clocks: the process's CPU time (user + system,
// all threads: process.cpuUsage) and the wall clock. On a shared machine the wall clock also
// counts the time the process waited for a core, so CPU time is the default figure
// (`--clock wall` picks the wall clock, for a quiet machine); both medians are kept.
import { performance } from "node:perf_hooks";

const BATCH_MS = 2;

/** Milliseconds of CPU time this process has used (all threads). */
export function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Which clock the reported median uses: "cpu" (default) or "wall". */
export let clock = "cpu";
export function setClock(c) {
  if (c !== "cpu" && c !== "wall") throw new Error(`--clock must be cpu or wall, got ${c}`);
  clock = c;
}

/**
 * A sampler for `fn`: `(k) => [cpu, wall]`, milliseconds per call over a batch of k calls.
 * Each sampler is compiled afresh (its own copy of the loop, so V8's feedback for one
 * function never shapes another's), and keeps the last 4 results in a ring so no call can be
 * optimised away.
 */
export function sampler(fn) {
  const make = new Function(
    "fn",
    "wallNow",
    "cpuNow",
    `const ring = new Array(4).fill(null);
     return function sample(k) {
       const c0 = cpuNow();
       const t0 = wallNow();
       for (let i = 0; i < k; i++) ring[i & 3] = fn();
       const t1 = wallNow();
       const c1 = cpuNow();
       return [(c1 - c0) / k, (t1 - t0) / k];
     };`,
  );
  return make(fn, () => performance.now(), cpuNow);
}

const samplers = new WeakMap();
/** [cpu, wall] milliseconds per call of `fn`, averaged over a batch of `k` calls. */
export function sample(fn, k) {
  let s = samplers.get(fn);
  if (s === undefined) samplers.set(fn, (s = sampler(fn)));
  return s(k);
}

/**
 * Calls `fn` for `ms` of CPU time (at least `min` times), in batches that double until one
 * takes about BATCH_MS; returns the fastest per-call CPU time of a batch (ms), the estimate
 * used to size the timed batches.
 */
export function warmUp(fn, ms, min = 2) {
  let best = Infinity;
  let k = 1;
  let calls = 0;
  const end = cpuNow() + ms;
  while (calls < min || cpuNow() < end) {
    const [c] = sample(fn, k);
    calls += k;
    if (c * k >= BATCH_MS / 2) best = Math.min(best, c);
    else k *= 2;
  }
  // A function too fast to fill a batch in the time given: estimate from the last batch.
  return best === Infinity ? Math.max(sample(fn, k)[0], 1e-6) : best;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Collects garbage when node runs with --expose-gc, so one block's garbage is not the next's cost. */
function collect() {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

/** Samples `fn` (k calls each) for `ms` of CPU time, at least `min` samples; returns [cpu, wall] pairs. */
function block(fn, k, ms, min) {
  const out = [];
  const end = cpuNow() + ms;
  while ((out.length < min || cpuNow() < end) && out.length < 200) out.push(sample(fn, k));
  return out;
}

function stats(samples, k) {
  const cpu = median(samples.map((s) => s[0]));
  const wall = median(samples.map((s) => s[1]));
  return { medianMs: clock === "cpu" ? cpu : wall, cpuMedianMs: cpu, wallMedianMs: wall, samples: samples.length, callsPerSample: k };
}

/**
 * Times the hand-written baseline and the system in alternating blocks — baseline, system,
 * baseline, …, baseline (`rounds` system blocks) — with a garbage collection before each block
 * (a system's garbage would otherwise be collected during the baseline's samples). Spreading
 * the baseline around the system means a change of machine load during the case shows in
 * both. Half the budget goes to the system, half to the baseline. `perCallSys`/`perCallBase`
 * are warm estimates in ms; a very slow system gets fewer samples.
 */
export function timePair(sys, base, { budgetMs, perCallSys, perCallBase, rounds = 3 }) {
  const kSys = Math.max(1, Math.floor(BATCH_MS / Math.max(perCallSys, 1e-6)));
  const kBase = Math.max(1, Math.floor(BATCH_MS / Math.max(perCallBase, 1e-6)));
  const minSys = perCallSys > 5000 ? 2 : perCallSys > 500 ? 3 : 7;
  const b = [];
  const s = [];
  const baseBlockMs = budgetMs / 2 / (rounds + 1);
  for (let r = 0; r < rounds; r++) {
    collect();
    b.push(...block(base, kBase, baseBlockMs, 3));
    if (sys !== undefined) {
      collect();
      s.push(...block(sys, kSys, budgetMs / 2 / rounds, Math.ceil((minSys - s.length) / (rounds - r))));
    }
  }
  collect();
  b.push(...block(base, kBase, baseBlockMs, 3));
  return { sys: s.length ? stats(s, kSys) : undefined, base: stats(b, kBase) };
}

/**
 * Compares a system's { value, grad } with the hand-written one: relative error of the value,
 * and of the gradient in the max norm (max |got − want| / max |want|). NaN anywhere fails.
 */
export function compare(want, got, rtol) {
  const wg = Array.from(want.grad);
  const gg = Array.from(got.grad);
  if (wg.length !== gg.length) return { ok: false, err: Infinity, message: `gradient has ${gg.length} entries, expected ${wg.length}` };
  let scale = 0;
  for (const v of wg) scale = Math.max(scale, Math.abs(v));
  let gErr = 0;
  for (let i = 0; i < wg.length; i++) {
    const d = Math.abs(gg[i] - wg[i]);
    gErr = Number.isNaN(d) ? Infinity : Math.max(gErr, d);
  }
  gErr = scale > 0 ? gErr / scale : gErr;
  let vErr = 0;
  if (want.value !== null && want.value !== undefined) {
    if (typeof got.value !== "number") return { ok: false, err: Infinity, message: "no value returned" };
    const d = Math.abs(got.value - want.value);
    vErr = Number.isNaN(d) ? Infinity : d / Math.max(Math.abs(want.value), Number.MIN_VALUE);
  }
  const err = Math.max(gErr, vErr);
  return { ok: err <= rtol, err, rtol, valueErr: vErr, gradErr: gErr };
}
