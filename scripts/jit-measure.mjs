// Measures jit against hand-written JavaScript on the workloads W3–W6, for choosing
// jit's emission strategy. Not the benchmark suite (bench/ is): a quick, self-contained check.
//
//   npm run build && node scripts/jit-measure.mjs [W3 W4 W5 W6] [--warm=ms] [--runs=n] [--interpret] [--no-reroll] [--chunk=n] [--max=statements]
//
// Each workload: the chainrule function as a user writes it, jit(valueAndGrad(f)) (W5: jit of
// hessian(f)), and the hand-written value + gradient.
// Both run in the same process, interleaved in rounds; the report is the median per call of
// each and their ratio, plus first-call time (trace + optimise + generate) and time to reach
// steady state.
import * as cr from "../dist/index.js";
import { COMPILE_DEFAULTS, codegen } from "../dist/jit/compile.js";

import { handW3, handW4, handW5, handW6, makeData } from "../bench/lib/workloads.mjs";
import { chain, coupled, mlpLoss, rosenbrock } from "../bench/systems/chainrule.mjs";

const { valueAndGrad, hessian, jit } = cr;

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const a = argv.find((s) => s.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.split("=")[1]);
};
const flag = (name) => argv.includes(`--${name}`);
const only = argv.filter((s) => !s.startsWith("--"));
const WARM_MS = opt("warm", 3000);
const RUNS = opt("runs", 400);
if (flag("interpret")) codegen.forbidden = true;
if (opt("chunk", 0) > 0) COMPILE_DEFAULTS.chunkSize = opt("chunk", 0);
if (opt("max", 0) > 0) COMPILE_DEFAULTS.maxStatements = opt("max", 0);
if (flag("no-reroll")) COMPILE_DEFAULTS.reroll = false;

// The workloads, their data and the hand-written gradients are the benchmark suite's (bench/lib,
// bench/systems/chainrule.mjs); this script only adds jit's tuning switches and first-call times.
// ---- setups ------------------------------------------------------------------------------------------------
function setup(id) {
  const data = makeData(id);
  switch (id) {
    case "W3": {
      const f = jit(valueAndGrad(rosenbrock));
      return { jitCall: () => f(data.x), handCall: () => handW3(data.x), lower: () => f.lower(data.x), ref: () => valueAndGrad(rosenbrock)(data.x) };
    }
    case "W4": {
      const { params: p, X, Y } = data;
      const f = jit(valueAndGrad(mlpLoss));
      return { jitCall: () => f(p, X, Y), handCall: () => handW4(p, X, Y), lower: () => f.lower(p, X, Y), ref: () => valueAndGrad(mlpLoss)(p, X, Y) };
    }
    case "W5": {
      const f = jit(hessian(coupled));
      return { jitCall: () => f(data.x), handCall: () => handW5(data.x), lower: () => f.lower(data.x), ref: () => hessian(coupled)(data.x) };
    }
    case "W6": {
      const f = jit(valueAndGrad(chain(data.n)));
      return {
        jitCall: () => f(data.x0),
        handCall: () => handW6(data.x0, data.n),
        lower: () => f.lower(data.x0),
        ref: () => valueAndGrad(chain(data.n))(data.x0),
      };
    }
    default:
      throw new Error(`unknown workload ${id}`);
  }
}

const flat = (t, out = []) => {
  if (typeof t === "number") out.push(t);
  else if (ArrayBuffer.isView(t) || Array.isArray(t)) for (const v of t) flat(v, out);
  else for (const k of Object.keys(t)) flat(t[k], out);
  return out;
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median time per call of `fn`, timing batches of `batch` calls. */
function timeBatch(fn, batch) {
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) fn();
  return (performance.now() - t0) / batch;
}

const ids = only.length > 0 ? only : ["W3", "W4", "W5", "W6"];
for (const id of ids) {
  const w = setup(id);
  const t0 = performance.now();
  const first = w.jitCall();
  const tFirst = performance.now() - t0;
  // correctness against eager chainrule
  const a = flat(first);
  const b = flat(w.ref());
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  const low = w.lower();
  // warm up both until WARM_MS has passed, recording when jit reaches a stable speed
  const tw = performance.now();
  let calls = 0;
  while (performance.now() - tw < WARM_MS) {
    w.jitCall();
    w.handCall();
    calls++;
  }
  // batches of ~1 ms of hand-written work, so that timer resolution does not matter
  const batch = Math.max(1, Math.round(1 / timeBatch(w.handCall, 200)));
  const jt = [];
  const ht = [];
  for (let r = 0; r < RUNS; r++) {
    jt.push(timeBatch(w.jitCall, batch));
    ht.push(timeBatch(w.handCall, batch));
  }
  const mj = median(jt);
  const mh = median(ht);
  const us = (ms) => `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  console.log(
    `${id}: jit ${us(mj)}  hand ${us(mh)}  ratio ${(mj / mh).toFixed(2)}×  | first call ${tFirst.toFixed(0)} ms, warm-up ${calls} calls, ` +
      `${low.strategy}, ${low.stats.equations} eqs → ${low.stats.statements} statements, ${low.stats.loops} loops, ${low.stats.chunks} functions; max rel err ${worst.toExponential(1)}`,
  );
}
