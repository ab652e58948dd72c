// Measures jit against hand-written JavaScript on the workloads W3–W6, for choosing
// jit's emission strategy. Not the benchmark suite (bench/ is): a quick, self-contained check.
//
//   npm run build && node scripts/jit-measure.mjs [W3 W4 W5 W6] [--warm=ms] [--runs=n] [--interpret] [--no-reroll] [--chunk=n] [--max=statements]
//
// Each workload: the chainrule function as a user writes it, jit(valueAndGrad(f)) (W5: jit of
// the Hessian built as jvp of grad per basis vector), and the hand-written value + gradient.
// Both run in the same process, interleaved in rounds; the report is the median per call of
// each and their ratio, plus first-call time (trace + optimise + generate) and time to reach
// steady state.
import * as cr from "../dist/index.js";
import { COMPILE_DEFAULTS, codegen } from "../dist/core/compile.js";

const { add, sub, mul, sin, tanh, square, dot, mean, logSumExp, valueAndGrad, grad, jvp, jit } = cr;

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

// ---- deterministic data (mulberry32) ---------------------------------------------------------------
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the workloads as a chainrule user writes them ----------------------------------------------------
function rosenbrock(x) {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s = add(s, add(mul(100, square(sub(x[i + 1], square(x[i])))), square(sub(1, x[i]))));
  return s;
}
function mlpLoss(p, X, Y) {
  const errs = X.map((x, s) => {
    const h1 = p.W1.map((w, j) => tanh(add(dot(w, x), p.b1[j])));
    const h2 = p.W2.map((w, j) => tanh(add(dot(w, h1), p.b2[j])));
    return square(sub(add(dot(p.W3, h2), p.b3), Y[s]));
  });
  return mean(errs);
}
const coupled = (x) => add(logSumExp(x), dot(x.slice(0, -1), x.slice(1).map(sin)));
const chain = (n) => (x) => {
  for (let i = 0; i < n; i++) x = add(mul(0.9, sin(x)), mul(0.1, x));
  return x;
};

// ---- hand-written value + gradient ---------------------------------------------------------------------
function handW3(x) {
  const n = x.length;
  const g = new Float64Array(n);
  let f = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i];
    const t = x[i + 1] - xi * xi;
    const u = 1 - xi;
    f += 100 * t * t + u * u;
    g[i] += -400 * t * xi - 2 * u;
    g[i + 1] += 200 * t;
  }
  return [f, g];
}
function handW4(p, X, Y) {
  const H = 16;
  const B = X.length;
  const { W1, b1, W2, b2, W3, b3 } = p;
  const g = new Float64Array(337);
  const oW1 = 0, ob1 = 32, oW2 = 48, ob2 = 304, oW3 = 320, ob3 = 336;
  const h1 = new Float64Array(H), h2 = new Float64Array(H), d2 = new Float64Array(H);
  let loss = 0;
  for (let s = 0; s < B; s++) {
    const x0 = X[s][0], x1 = X[s][1];
    for (let j = 0; j < H; j++) h1[j] = Math.tanh(W1[j][0] * x0 + W1[j][1] * x1 + b1[j]);
    let out = b3;
    for (let j = 0; j < H; j++) {
      const row = W2[j];
      let a = b2[j];
      for (let k = 0; k < H; k++) a += row[k] * h1[k];
      const h = Math.tanh(a);
      h2[j] = h;
      out += W3[j] * h;
    }
    const e = out - Y[s];
    loss += e * e;
    const dOut = (2 * e) / B;
    g[ob3] += dOut;
    for (let j = 0; j < H; j++) {
      g[oW3 + j] += dOut * h2[j];
      const d = dOut * W3[j] * (1 - h2[j] * h2[j]);
      d2[j] = d;
      g[ob2 + j] += d;
      const o = oW2 + j * H;
      for (let k = 0; k < H; k++) g[o + k] += d * h1[k];
    }
    for (let k = 0; k < H; k++) {
      let a = 0;
      for (let j = 0; j < H; j++) a += d2[j] * W2[j][k];
      const d = a * (1 - h1[k] * h1[k]);
      g[ob1 + k] += d;
      g[oW1 + 2 * k] += d * x0;
      g[oW1 + 2 * k + 1] += d * x1;
    }
  }
  return [loss / B, g];
}
function handW5(x) {
  const n = x.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
  const p = new Float64Array(n);
  let S = 0;
  for (let i = 0; i < n; i++) S += p[i] = Math.exp(x[i] - m);
  for (let i = 0; i < n; i++) p[i] /= S;
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    for (let j = 0; j < n; j++) H[i * n + j] = -pi * p[j];
    H[i * n + i] += pi;
  }
  for (let i = 1; i < n; i++) H[i * n + i] -= x[i - 1] * Math.sin(x[i]);
  for (let i = 0; i < n - 1; i++) {
    const c = Math.cos(x[i + 1]);
    H[i * n + i + 1] += c;
    H[(i + 1) * n + i] += c;
  }
  return H;
}
function handW6(x0, n) {
  let x = x0;
  let d = 1;
  for (let i = 0; i < n; i++) {
    d *= 0.9 * Math.cos(x) + 0.1;
    x = 0.9 * Math.sin(x) + 0.1 * x;
  }
  return [x, d];
}

// ---- setups ------------------------------------------------------------------------------------------------
function setup(id) {
  switch (id) {
    case "W3": {
      const r = rng(3);
      const x = Array.from({ length: 1000 }, () => -1.5 + 3 * r());
      const f = jit(valueAndGrad(rosenbrock));
      return { jitCall: () => f(x), handCall: () => handW3(x), lower: () => f.lower(x), ref: () => valueAndGrad(rosenbrock)(x) };
    }
    case "W4": {
      const r = rng(4);
      const u = (s) => (2 * r() - 1) * s;
      const H = 16;
      const p = {
        W1: Array.from({ length: H }, () => [u(1 / Math.sqrt(2)), u(1 / Math.sqrt(2))]),
        b1: Array.from({ length: H }, () => u(0.1)),
        W2: Array.from({ length: H }, () => Array.from({ length: H }, () => u(1 / Math.sqrt(H)))),
        b2: Array.from({ length: H }, () => u(0.1)),
        W3: Array.from({ length: H }, () => u(1 / Math.sqrt(H))),
        b3: u(0.1),
      };
      const X = Array.from({ length: 64 }, () => [u(2), u(2)]);
      const Y = X.map(([a, b]) => Math.sin(a) * Math.cos(b));
      const f = jit(valueAndGrad(mlpLoss));
      return { jitCall: () => f(p, X, Y), handCall: () => handW4(p, X, Y), lower: () => f.lower(p, X, Y), ref: () => valueAndGrad(mlpLoss)(p, X, Y) };
    }
    case "W5": {
      const r = rng(5);
      const n = 20;
      const x = Array.from({ length: n }, () => 2 * r() - 1);
      const g = grad(coupled);
      const basis = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
      const hess = (x) => basis.map((e) => jvp(g, [x], [e])[1]);
      const f = jit(hess);
      return { jitCall: () => f(x), handCall: () => handW5(x), lower: () => f.lower(x), ref: () => hess(x) };
    }
    case "W6": {
      const n = 100_000;
      const f = jit(valueAndGrad(chain(n)));
      return { jitCall: () => f(1.5), handCall: () => handW6(1.5, n), lower: () => f.lower(1.5), ref: () => valueAndGrad(chain(n))(1.5) };
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
