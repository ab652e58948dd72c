// Every primitive (src/primitives/index.ts lists them), through one table. A row states a primitive's value, its first
// and second derivatives in closed form, and the points to check them at; one generic checker
// runs each row in reverse mode (grad, grad∘grad), forward mode (jvp, jvp∘jvp) and mixed
// (jvp∘grad, grad∘jvp), against the closed forms and against central finite differences.
// Adding a primitive means adding a row; no test code changes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  abs,
  acos,
  add,
  asin,
  atan,
  atan2,
  cbrt,
  ceil,
  cos,
  cosh,
  definePrimitive,
  digamma,
  div,
  dot,
  eq,
  erf,
  erfc,
  exp,
  expm1,
  floor,
  ge,
  grad,
  gt,
  hypot,
  jvp,
  le,
  lgamma,
  log,
  log10,
  log1p,
  log2,
  logit,
  logNormCdf,
  logSigmoid,
  logSumExp,
  lt,
  max,
  mean,
  min,
  mul,
  neg,
  normCdf,
  pow,
  reciprocal,
  relu,
  round,
  sigmoid,
  sign,
  sin,
  sinh,
  softmax,
  softplus,
  sqrt,
  square,
  stopGradient,
  sub,
  sum,
  tan,
  tanh,
  toNumber,
  valueAndGrad,
  vjp,
  where,
  type Num,
} from "../src/index.js";
import * as cr from "../src/index.js";
import * as special from "../src/core/special-math.js";
import { PRIMITIVES } from "../src/primitives/index.js";
import * as arithmetic from "../src/primitives/arithmetic.js";
import * as exponential from "../src/primitives/exponential.js";
import * as neural from "../src/primitives/neural.js";
import * as reductions from "../src/primitives/reductions.js";
import * as rounding from "../src/primitives/rounding.js";
import * as select from "../src/primitives/select.js";
import * as specialFns from "../src/primitives/special.js";
import * as trig from "../src/primitives/trig.js";
import { fdGradient, fdJacobian, Mismatches, unit, type Tolerance } from "./support/numeric.js";

// ---- the table -----------------------------------------------------------------------------------

/** One primitive (or one use of it) over a vector of inputs. */
interface Row {
  /** Starts with the primitive's name as it is exported. */
  readonly name: string;
  readonly f: (xs: Num[]) => Num;
  /** Reference value in plain numbers. */
  readonly value: (xs: number[]) => number;
  /** Closed-form gradient. */
  readonly d1: (xs: number[]) => number[];
  /** Closed-form Hessian. */
  readonly d2: (xs: number[]) => number[][];
  /** Smooth points: closed forms and finite differences. */
  readonly points: number[][];
  /** Kinks, ties, branch cuts, extreme magnitudes: closed forms only. */
  readonly special?: number[][];
  /** False where the defined derivative is not the finite difference (stopGradient). */
  readonly fd?: boolean;
  /** Finite-difference step at coordinate value x. */
  readonly step?: (x: number) => number;
}

/** The default: functions that vary on a scale of about 1 wherever they are evaluated (sin at 100, exp at 700). */
const FIXED = (): number => 1e-3;
/** Functions whose scale of variation is |x| itself, singular at 0 (log at 1e-3 and at 1e10, sqrt, 1/x). */
const RELATIVE = (x: number): number => 1e-3 * (Math.abs(x) || 1);
/** Points close to a singularity away from 0 (tan at 1.5, asin at 0.999, atan2 near the origin). */
const FINE = (x: number): number => 1e-5 * Math.max(1, Math.abs(x));
/** Piecewise-constant functions: never step across a jump. */
const TINY = (): number => 1e-9;

const CLOSED: Tolerance = { rtol: 1e-12, atol: 1e-14 };
const FD: Tolerance = { rtol: 1e-6, atol: 1e-7 };

const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const zeroMatrix = (n: number): number[][] => Array.from({ length: n }, () => zeros(n));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

function unary(
  name: string,
  op: (x: Num) => Num,
  value: (x: number) => number,
  d1: (x: number) => number,
  d2: (x: number) => number,
  points: number[],
  extra: { special?: number[]; fd?: boolean; step?: (x: number) => number } = {},
): Row {
  return {
    name,
    f: (xs) => op(xs[0]!),
    value: ([x]) => value(x!),
    d1: ([x]) => [d1(x!)],
    d2: ([x]) => [[d2(x!)]],
    points: points.map((x) => [x]),
    ...(extra.special !== undefined ? { special: extra.special.map((x) => [x]) } : {}),
    ...(extra.fd !== undefined ? { fd: extra.fd } : {}),
    ...(extra.step !== undefined ? { step: extra.step } : {}),
  };
}

function binary(
  name: string,
  op: (x: Num, y: Num) => Num,
  value: (x: number, y: number) => number,
  d1: (x: number, y: number) => [number, number],
  d2: (x: number, y: number) => [[number, number], [number, number]],
  points: [number, number][],
  extra: { special?: [number, number][]; step?: (x: number) => number } = {},
): Row {
  return {
    name,
    f: (xs) => op(xs[0]!, xs[1]!),
    value: ([x, y]) => value(x!, y!),
    d1: ([x, y]) => d1(x!, y!),
    d2: ([x, y]) => d2(x!, y!),
    points,
    ...(extra.special !== undefined ? { special: extra.special } : {}),
    ...(extra.step !== undefined ? { step: extra.step } : {}),
  };
}

/** A comparison: value 1 or 0, gradient 0 in both arguments. */
function comparison(name: string, op: (x: Num, y: Num) => Num, test: (x: number, y: number) => boolean): Row {
  return binary(
    name,
    op,
    (x, y) => (test(x, y) ? 1 : 0),
    () => [0, 0],
    () => [
      [0, 0],
      [0, 0],
    ],
    [
      [1, 2],
      [2, 1],
      [-3, 5],
      [0.5, -0.25],
    ],
    { special: [[2, 2], [0, -0], [NaN, 1], [-Infinity, Infinity]] },
  );
}

/** `Σ cᵢ softmax(xs)ᵢ` covers every output of softmax at once. */
const SOFTMAX_WEIGHTS = [1, -2, 3, 0.5, -1];
function softmaxRef(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const rows: Row[] = [
  // ---- arithmetic
  binary("add", add, (x, y) => x + y, () => [1, 1], () => [[0, 0], [0, 0]], [[1, 2], [-3.5, 0.25], [0, 0]], {
    special: [[1e10, -1e-10], [Infinity, 1]],
  }),
  binary("sub", sub, (x, y) => x - y, () => [1, -1], () => [[0, 0], [0, 0]], [[1, 2], [-3.5, 0.25], [0, 0]], {
    special: [[1e10, -1e-10], [-Infinity, 1]],
  }),
  binary(
    "mul",
    mul,
    (x, y) => x * y,
    (x, y) => [y, x],
    () => [[0, 1], [1, 0]],
    [[3, 4], [-0.5, 2], [0, 7], [1e-8, 1e8]],
    { step: RELATIVE },
  ),
  binary(
    "div",
    div,
    (x, y) => x / y,
    (x, y) => [1 / y, -x / (y * y)],
    (x, y) => [
      [0, -1 / (y * y)],
      [-1 / (y * y), (2 * x) / (y * y * y)],
    ],
    [[1, 3], [-2, 0.5], [0, 2], [3, -0.01], [1e-8, 1e8]],
    { step: RELATIVE, special: [[1, 1e-200], [0, -5]] },
  ),
  unary("neg", neg, (x) => -x, () => -1, () => 0, [0, 2.5, -1e10], { step: RELATIVE }),
  binary(
    "pow",
    pow,
    Math.pow,
    (x, y) => [y * Math.pow(x, y - 1), Math.log(x) * Math.pow(x, y)],
    (x, y) => [
      [y * (y - 1) * Math.pow(x, y - 2), Math.pow(x, y - 1) * (1 + y * Math.log(x))],
      [Math.pow(x, y - 1) * (1 + y * Math.log(x)), Math.log(x) ** 2 * Math.pow(x, y)],
    ],
    // (3, 0): x⁰ — its partial in x is 0, but its mixed partial ∂²/∂y∂x is 1/x.
    [[2, 3], [0.5, -1.5], [3, 0], [1, 2.5], [10, 0.3], [0.1, 4], [1.5, 1]],
    { step: RELATIVE },
  ),
  {
    // pow at a zero base with y > 1: ∂/∂y 0^y = 0 at every order; ∂/∂x x^y at 0 is
    // y·0^(y-1) = 0, ∂²/∂x² = y(y-1)·0^(y-2); the mixed partial x^(y-1)(1 + y ln x) tends to 0.
    ...binary(
      "pow (zero base)",
      pow,
      Math.pow,
      () => [0, 0],
      (_x, y) => [
        [y === 2 ? 2 : 0, 0],
        [0, 0],
      ],
      [],
      { special: [[0, 2], [0, 3], [0, 4.5]] },
    ),
  },
  unary("pow(x, 3)", (x) => pow(x, 3), (x) => x ** 3, (x) => 3 * x * x, (x) => 6 * x, [-2, -0.5, 0, 1.5], { step: RELATIVE }),
  unary("pow(x, 0)", (x) => pow(x, 0), () => 1, () => 0, () => 0, [-2, -0, 0, 3, 1e-300], { step: RELATIVE }),
  unary("pow(x, 0.5)", (x) => pow(x, 0.5), Math.sqrt, (x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, [0.25, 4, 1e6], { step: RELATIVE }),
  unary("pow(x, -2)", (x) => pow(x, -2), (x) => x ** -2, (x) => -2 * x ** -3, (x) => 6 * x ** -4, [-1.5, 0.7, 20], { step: RELATIVE }),
  unary("pow(2, y)", (y) => pow(2, y), (y) => 2 ** y, (y) => Math.LN2 * 2 ** y, (y) => Math.LN2 ** 2 * 2 ** y, [-3, 0, 2.5]),
  unary("pow(0, y)", (y) => pow(0, y), (y) => Math.pow(0, y), () => 0, () => 0, [0.5, 1.25, 2, 3.7]),
  unary("square", square, (x) => x * x, (x) => 2 * x, () => 2, [0, -1.5, 3, 1e5], { step: RELATIVE }),
  unary(
    "sqrt",
    sqrt,
    Math.sqrt,
    (x) => 0.5 / Math.sqrt(x),
    (x) => -0.25 / (x * Math.sqrt(x)),
    [1e-4, 0.25, 1, 2, 1e4],
    { step: RELATIVE, special: [1e-300, 0] },
  ),
  unary("reciprocal", reciprocal, (x) => 1 / x, (x) => -1 / (x * x), (x) => 2 / (x * x * x), [2, -0.5, 1e-3, -1e5], {
    step: RELATIVE,
    special: [0],
  }),
  unary("abs", abs, Math.abs, Math.sign, () => 0, [1.5, -0.7, -1e5, 3e-2], { special: [0, -0] }),
  unary("sign", sign, Math.sign, () => 0, () => 0, [2, -3, 0.25], { step: TINY, special: [0, -0, NaN, Infinity] }),
  // ---- exponential
  unary("exp", exp, Math.exp, Math.exp, Math.exp, [-3, 0, 1, 20, 700], { special: [-745, 710] }),
  unary("log", log, Math.log, (x) => 1 / x, (x) => -1 / (x * x), [1e-3, 0.5, 1, Math.E, 1e10], {
    step: RELATIVE,
    special: [1e-300, 0],
  }),
  unary("log1p", log1p, Math.log1p, (x) => 1 / (1 + x), (x) => -1 / ((1 + x) * (1 + x)), [-0.999, -0.5, 0, 1e-10, 3, 1e8], {
    step: (x) => 1e-3 * Math.abs(1 + x), // the singularity is at -1
    special: [-1],
  }),
  unary("expm1", expm1, Math.expm1, Math.exp, Math.exp, [-20, -1e-10, 0, 1, 30]),
  // ---- trigonometric
  unary("sin", sin, Math.sin, Math.cos, (x) => -Math.sin(x), [0, 1, -2.5, 1e-8, 100]),
  unary("cos", cos, Math.cos, (x) => -Math.sin(x), (x) => -Math.cos(x), [0, 1, -2.5, 1e-8, 100]),
  unary(
    "tan",
    tan,
    Math.tan,
    (x) => 1 / Math.cos(x) ** 2,
    (x) => (2 * Math.tan(x)) / Math.cos(x) ** 2,
    [0, 1, -1.2, 1.5, 1e-8],
    { step: FINE },
  ),
  unary(
    "asin",
    asin,
    Math.asin,
    (x) => 1 / Math.sqrt(1 - x * x),
    (x) => x / (1 - x * x) ** 1.5,
    [0, 0.5, -0.3, 0.999, -0.999],
    { step: FINE },
  ),
  unary(
    "acos",
    acos,
    Math.acos,
    (x) => -1 / Math.sqrt(1 - x * x),
    (x) => -x / (1 - x * x) ** 1.5,
    [0, 0.5, -0.3, 0.999, -0.999],
    { step: FINE },
  ),
  unary("atan", atan, Math.atan, (x) => 1 / (1 + x * x), (x) => (-2 * x) / (1 + x * x) ** 2, [0, 1, -1, 30, 1e-8], {
    special: [1e8, -1e200],
  }),
  binary(
    "atan2",
    atan2,
    Math.atan2,
    (y, x) => [x / (x * x + y * y), -y / (x * x + y * y)],
    (y, x) => {
      const r4 = (x * x + y * y) ** 2;
      return [
        [(-2 * x * y) / r4, (y * y - x * x) / r4],
        [(y * y - x * x) / r4, (2 * x * y) / r4],
      ];
    },
    [[1, 1], [-2, 0.5], [0.5, -3], [-1, -1], [3, 0], [1e-3, 1]],
    { step: FINE, special: [[0, -1], [-0, -1]] }, // the branch cut: finite differences jump by 2π
  ),
  unary("sinh", sinh, Math.sinh, Math.cosh, Math.sinh, [0, 1, -2, 10, 1e-8]),
  unary("cosh", cosh, Math.cosh, Math.sinh, Math.cosh, [0, 1, -2, 10, 1e-8]),
  unary(
    "tanh",
    tanh,
    Math.tanh,
    (x) => 1 - Math.tanh(x) ** 2,
    (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
    [0, 1, -2, 5, 20, 1e-8],
  ),
  // ---- neural
  unary(
    "sigmoid",
    sigmoid,
    sig,
    (x) => sig(x) * (1 - sig(x)),
    (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
    [0, 2, -2, 30, -30, 1e-8],
  ),
  unary("relu", relu, (x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0), () => 0, [1.5, -0.7, 30, -1e5], { special: [0, -0] }),
  unary(
    "softplus",
    softplus,
    (x) => (x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
    sig,
    (x) => sig(x) * (1 - sig(x)),
    [0, 1, -1, 40, -40, 1e-8],
  ),
  // ---- binary selection
  binary(
    "max",
    max,
    Math.max,
    (x, y) => (x > y ? [1, 0] : x < y ? [0, 1] : [0.5, 0.5]),
    () => [[0, 0], [0, 0]],
    [[1, 2], [3, -1], [-0.5, -0.25]],
    { special: [[2, 2], [0, 0], [-1, -1]] },
  ),
  binary(
    "min",
    min,
    Math.min,
    (x, y) => (x < y ? [1, 0] : x > y ? [0, 1] : [0.5, 0.5]),
    () => [[0, 0], [0, 0]],
    [[1, 2], [3, -1], [-0.5, -0.25]],
    { special: [[2, 2], [0, 0], [-1, -1]] },
  ),
  {
    name: "where",
    f: ([c, a, b]) => where(c!, a!, b!),
    value: ([c, a, b]) => (c !== 0 && c === c ? a! : b!),
    d1: ([c]) => (c !== 0 && c === c ? [0, 1, 0] : [0, 0, 1]),
    d2: () => zeroMatrix(3),
    points: [[1, 2, 3], [-2, 5, -1], [0.5, -1, 4]],
    special: [[0, 2, 3], [NaN, 2, 3], [-0, 1, 1]],
  },
  comparison("lt", lt, (x, y) => x < y),
  comparison("le", le, (x, y) => x <= y),
  comparison("gt", gt, (x, y) => x > y),
  comparison("ge", ge, (x, y) => x >= y),
  comparison("eq", eq, (x, y) => x === y),
  // ---- zero gradient
  unary("floor", floor, Math.floor, () => 0, () => 0, [1.3, -2.7, 1e6 + 0.25], { step: TINY, special: [2, -3, 0, -0.5] }),
  unary("ceil", ceil, Math.ceil, () => 0, () => 0, [1.3, -2.7, 1e6 + 0.25], { step: TINY, special: [2, -3, 0, -0.5] }),
  unary("round", round, Math.round, () => 0, () => 0, [1.3, -2.7, 1e6 + 0.25], { step: TINY, special: [2, 2.5, -2.5, -0.5] }),
  unary("stopGradient", stopGradient, (x) => x, () => 0, () => 0, [1.5, -2, 0], { fd: false }),
  // ---- reductions
  {
    name: "sum",
    f: (xs) => sum(xs),
    value: (xs) => xs.reduce((a, b) => a + b, 0),
    d1: (xs) => xs.map(() => 1),
    d2: (xs) => zeroMatrix(xs.length),
    points: [[], [3], [1, 2, 3], [-1e3, 2.5, 0, 7]],
  },
  {
    name: "mean",
    f: (xs) => mean(xs),
    value: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
    d1: (xs) => xs.map(() => 1 / xs.length),
    d2: (xs) => zeroMatrix(xs.length),
    points: [[3], [1, 2, 3], [-4, 0.5, 10, 2.25]],
  },
  {
    name: "dot",
    f: (v) => dot(v.slice(0, v.length / 2), v.slice(v.length / 2)),
    value: (v) => {
      const n = v.length / 2;
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i]! * v[n + i]!;
      return s;
    },
    d1: (v) => [...v.slice(v.length / 2), ...v.slice(0, v.length / 2)],
    d2: (v) => {
      const n = v.length / 2;
      const h = zeroMatrix(v.length);
      for (let i = 0; i < n; i++) h[i]![n + i] = h[n + i]![i] = 1;
      return h;
    },
    points: [[], [2, 3], [1, -2, 3, 4, 0.5, -1]],
  },
  {
    name: "logSumExp",
    f: (xs) => logSumExp(xs),
    value: (xs) => {
      const m = Math.max(...xs);
      return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
    },
    d1: softmaxRef,
    d2: (xs) => {
      const s = softmaxRef(xs);
      return s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
    },
    points: [[0], [1, 2], [-1, 0, 3], [1000, 1000], [-1000, 0, 1000]],
    step: FIXED,
  },
  {
    name: "softmax",
    f: (xs) => sum(softmax(xs).map((s, i) => mul(SOFTMAX_WEIGHTS[i]!, s))),
    value: (xs) => softmaxRef(xs).reduce((a, s, i) => a + SOFTMAX_WEIGHTS[i]! * s, 0),
    d1: (xs) => {
      const s = softmaxRef(xs);
      const cbar = s.reduce((a, si, i) => a + SOFTMAX_WEIGHTS[i]! * si, 0);
      return s.map((sj, j) => sj * (SOFTMAX_WEIGHTS[j]! - cbar));
    },
    d2: (xs) => {
      const s = softmaxRef(xs);
      const c = SOFTMAX_WEIGHTS;
      const cbar = s.reduce((a, si, i) => a + c[i]! * si, 0);
      return s.map((sj, j) =>
        s.map((sl, l) => (j === l ? sj * (c[j]! - cbar) : 0) - sj * sl * (c[j]! - cbar) - sj * sl * (c[l]! - cbar)),
      );
    },
    points: [[0], [1, 2], [-1, 0, 3], [1000, 999, 998], [0.5, -0.5, 2, 1]],
    step: FIXED,
  },
];

// ---- special functions: values from the double-precision kernels (their accuracy against
// high-precision references is test/special-functions.test.ts), derivatives in closed form.
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** φ/Φ, the derivative of log Φ (its accuracy in the far left tail: test/special-functions.test.ts). */
const hazard = special.normHazard;
/** Steps for logit: a thousandth of the distance to the nearer singularity, 0 or 1. */
const LOGIT_STEP = (p: number): number => 1e-3 * Math.min(Math.abs(p), Math.abs(1 - p));
rows.push(
  unary(
    "erf",
    erf,
    special.erf,
    (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
    (x) => -2 * x * TWO_OVER_SQRT_PI * Math.exp(-x * x),
    [-2, -0.5, 0, 0.3, 1, 3],
    { special: [30, -30] },
  ),
  unary(
    "erfc",
    erfc,
    special.erfc,
    (x) => -TWO_OVER_SQRT_PI * Math.exp(-x * x),
    (x) => 2 * x * TWO_OVER_SQRT_PI * Math.exp(-x * x),
    [-2, -0.5, 0, 0.3, 1, 3, 6],
    { special: [30, -30] },
  ),
  unary("normCdf", normCdf, special.normCdf, phi, (x) => -x * phi(x), [-6, -1, 0, 0.5, 2, 5], { special: [-40, 40] }),
  unary(
    "logNormCdf",
    logNormCdf,
    special.logNormCdf,
    hazard,
    (x) => -hazard(x) * (x + hazard(x)),
    [-30, -20.5, -20, -19.5, -10, -3, -1, 0, 1, 3, 8], // the kernels switch method at -20 and 0
  ),
  unary("lgamma", lgamma, special.lgamma, special.digamma, (x) => special.polygamma(1, x), [0.3, 1, 2, 2.5, 7.2, 15, -0.5, -2.3], {
    step: FINE,
  }),
  unary(
    "digamma",
    digamma,
    special.digamma,
    (x) => special.polygamma(1, x),
    (x) => special.polygamma(2, x),
    [0.3, 1, 1.4616321449683622, 2.5, 7.2, 15, -0.5, -2.3],
    { step: FINE },
  ),
  unary("log2", log2, Math.log2, (x) => 1 / (x * Math.LN2), (x) => -1 / (x * x * Math.LN2), [1e-3, 0.5, 1, 8, 1e10], {
    step: RELATIVE,
    special: [0],
  }),
  unary("log10", log10, Math.log10, (x) => 1 / (x * Math.LN10), (x) => -1 / (x * x * Math.LN10), [1e-3, 0.5, 1, 1000, 1e10], {
    step: RELATIVE,
    special: [0],
  }),
  unary(
    "cbrt",
    cbrt,
    Math.cbrt,
    (x) => 1 / (3 * Math.cbrt(x) ** 2),
    (x) => -2 / (9 * x * Math.cbrt(x) ** 2),
    [-8, -0.5, 1e-3, 1, 27, 1e6],
    { step: RELATIVE },
  ),
  binary(
    "hypot",
    hypot,
    Math.hypot,
    // At the origin both partials are taken as 0, and so is the Hessian.
    (x, y) => {
      const h = Math.hypot(x, y);
      return h === 0 ? [0, 0] : [x / h, y / h];
    },
    (x, y) => {
      const h = Math.hypot(x, y);
      if (h === 0) return [[0, 0], [0, 0]];
      const [c, s] = [x / h, y / h]; // written with the unit vector, so that h³ cannot overflow
      return [
        [(s * s) / h, (-c * s) / h],
        [(-c * s) / h, (c * c) / h],
      ];
    },
    [[3, 4], [-1, 2], [0.5, -0.25], [1e-3, 1]],
    { step: RELATIVE, special: [[0, 0], [3e200, 4e200], [-3e-200, 4e-200]] },
  ),
  unary(
    "logSigmoid",
    logSigmoid,
    (x) => (x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))),
    (x) => sig(-x),
    (x) => -sig(x) * sig(-x),
    [0, 2, -2, 40, -40, 1e-8],
    { special: [1000, -1000] },
  ),
  unary(
    "logit",
    logit,
    (p) => Math.log(p / (1 - p)),
    (p) => 1 / (p * (1 - p)),
    (p) => (2 * p - 1) / (p * (1 - p)) ** 2,
    [1e-8, 0.01, 0.3, 0.5, 0.75, 0.999],
    { step: LOGIT_STEP },
  ),
);

// ---- user primitives: the same table, no new checker code ------------------------------------------
// definePrimitive with each kind of rule; the missing rules are derived (core/rules.ts).

const myCube = definePrimitive({ name: "myCube", impl: (x: number) => x * x * x, partials: ([x]) => [mul(3, square(x!))] });
const myHypot = definePrimitive({
  name: "myHypot",
  impl: (x: number, y: number) => Math.sqrt(x * x + y * y),
  jvp: ([x, y], [tx, ty]) => {
    const out = sqrt(add(square(x!), square(y!)));
    return [out, div(add(mul(x!, tx!), mul(y!, ty!)), out)];
  },
});
const myLogistic = definePrimitive({
  name: "myLogistic",
  impl: (x: number) => 1 / (1 + Math.exp(-x)),
  vjp: ([x], ct) => {
    const s = sigmoid(x!);
    return [mul(ct, mul(s, sub(1, s)))];
  },
});

rows.push(
  unary("definePrimitive (partials): myCube", myCube, (x) => x * x * x, (x) => 3 * x * x, (x) => 6 * x, [-2, 0, 0.5, 3]),
  binary(
    "definePrimitive (jvp only): myHypot",
    myHypot,
    (x, y) => Math.sqrt(x * x + y * y),
    (x, y) => [x / Math.hypot(x, y), y / Math.hypot(x, y)],
    (x, y) => {
      const r3 = Math.hypot(x, y) ** 3;
      return [
        [(y * y) / r3, (-x * y) / r3],
        [(-x * y) / r3, (x * x) / r3],
      ];
    },
    [[3, 4], [-1, 2], [0.5, -0.25]],
  ),
  unary(
    "definePrimitive (vjp only): myLogistic",
    myLogistic,
    sig,
    (x) => sig(x) * (1 - sig(x)),
    (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
    [-3, 0, 1.5],
  ),
);

// ---- the checker ---------------------------------------------------------------------------------

function transpose(m: number[][]): number[][] {
  return (m[0] ?? []).map((_, j) => m.map((row) => row[j]!));
}

/** Runs one row at one point through every mode and order; returns the mismatches. */
function checkRow(row: Row, p: number[], withFiniteDifferences: boolean): string[] {
  const m = new Mismatches();
  const n = p.length;
  const f = row.f;
  const eye = (j: number): number[] => unit(n, j);

  // Values: on plain numbers, and the primal that each transform reports.
  const plain = f(p) as number;
  m.close("value", plain, row.value(p), CLOSED);
  const [value, gRev] = valueAndGrad(f)(p);
  m.close("valueAndGrad value (same as plain)", value, plain, { rtol: 0, atol: 0 });
  if (n > 0) m.close("jvp primal (same as plain)", jvp(f, [p], [eye(0)])[0], plain, { rtol: 0, atol: 0 });

  // First order: reverse (grad, vjp) and forward (jvp).
  const gVjp = vjp(f, p)[1](1)[0];
  const gFwd = p.map((_, j) => jvp(f, [p], [eye(j)])[1]);

  // Second order, every composition of the two modes.
  const hRevRev = p.map((_, i) => grad((v: Num[]) => grad(f)(v)[i]!)(p));
  const hFwdRev = transpose(p.map((_, j) => jvp(grad(f), [p], [eye(j)])[1]));
  const hRevFwd = p.map((_, i) => grad((v: Num[]) => jvp(f, [v], [eye(i)])[1])(p));
  const hFwdFwd = p.map((_, i) => p.map((_, j) => jvp((v: Num[]) => jvp(f, [v], [eye(i)])[1], [p], [eye(j)])[1]));

  const d1 = row.d1(p);
  const d2 = row.d2(p);
  m.vector("grad vs closed form", gRev, d1, CLOSED);
  m.vector("vjp vs closed form", gVjp, d1, CLOSED);
  m.vector("jvp vs closed form", gFwd, d1, CLOSED);
  m.matrix("grad(grad) vs closed form", hRevRev, d2, CLOSED);
  m.matrix("jvp(grad) vs closed form", hFwdRev, d2, CLOSED);
  m.matrix("grad(jvp) vs closed form", hRevFwd, d2, CLOSED);
  m.matrix("jvp(jvp) vs closed form", hFwdFwd, d2, CLOSED);

  if (withFiniteDifferences && row.fd !== false) {
    const step = row.step ?? FIXED;
    const fdG = fdGradient((q) => f(q) as number, p, step);
    m.vector("grad vs finite differences", gRev, fdG, FD);
    m.vector("jvp vs finite differences", gFwd, fdG, FD);
    // Finite differences of the reverse-mode gradient, and of the forward-mode one.
    const fdHRev = fdJacobian((q) => grad(f)(q), p, step);
    const fdHFwd = fdJacobian((q) => q.map((_, j) => jvp(f, [q], [eye(j)])[1]), p, step);
    m.matrix("grad(grad) vs finite differences of grad", hRevRev, fdHRev, FD);
    m.matrix("jvp(grad) vs finite differences of grad", hFwdRev, fdHRev, FD);
    m.matrix("grad(jvp) vs finite differences of jvp", hRevFwd, fdHFwd, FD);
    m.matrix("jvp(jvp) vs finite differences of jvp", hFwdFwd, fdHFwd, FD);
  }
  return m.problems;
}

const show = (p: number[]): string => `(${p.map((x) => (Object.is(x, -0) ? "-0" : String(x))).join(", ")})`;

describe("every primitive: first and second derivatives in both modes", () => {
  it("the table has rows for every primitive in the list of primitives", () => {
    const covered = new Set(rows.map((r) => /^[A-Za-z0-9]+/.exec(r.name)![0]));
    expect(PRIMITIVES.map((p) => p.name).filter((name) => !covered.has(name))).toEqual([]);
    for (const r of rows) expect(r.points.length + (r.special?.length ?? 0)).toBeGreaterThan(0);
  });

  it("the list of primitives is exactly the primitive functions chainrule exports, each under its own name", () => {
    const modules: Record<string, unknown>[] = [arithmetic, exponential, neural, reductions, rounding, select, specialFns, trig];
    const api = cr as unknown as Record<string, unknown>;
    const exported = Object.keys(api).filter((name) => typeof api[name] === "function" && modules.some((m) => m[name] === api[name]));
    expect(PRIMITIVES.map((p) => p.name).sort()).toEqual(exported.sort());
    for (const p of PRIMITIVES) expect(p.fn, p.name).toBe(api[p.name]);
  });

  it("the README's list of primitives names every primitive", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const item = /^- \*\*Primitives\*\*:[^]*?(?=^- )/m.exec(readme);
    expect(item, "the README's **Primitives** item").not.toBeNull();
    const listed = new Set(item![0].match(/[A-Za-z0-9]+/g));
    expect(PRIMITIVES.map((p) => p.name).filter((name) => !listed.has(name))).toEqual([]);
  });

  for (const row of rows) {
    describe(row.name, () => {
      for (const p of row.points) {
        it(`at ${show(p)}: closed forms and finite differences`, () => {
          expect(checkRow(row, p, true)).toEqual([]);
        });
      }
      for (const p of row.special ?? []) {
        it(`at the special point ${show(p)}: closed forms`, () => {
          expect(checkRow(row, p, false)).toEqual([]);
        });
      }
    });
  }
});

// ---- values on plain numbers -----------------------------------------------------------------------

describe("values on plain numbers follow Math.* and JS arithmetic exactly", () => {
  const inputs = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, Math.PI, 1e-300, 5e-324, -1e300, 1e10 + 0.5, Infinity, -Infinity, NaN];
  const unaryOps: [string, (x: Num) => Num, (x: number) => number][] = [
    ["abs", abs, Math.abs],
    ["sign", sign, Math.sign],
    ["floor", floor, Math.floor],
    ["ceil", ceil, Math.ceil],
    ["round", round, Math.round],
    ["sqrt", sqrt, Math.sqrt],
    ["exp", exp, Math.exp],
    ["log", log, Math.log],
    ["log1p", log1p, Math.log1p],
    ["expm1", expm1, Math.expm1],
    ["sin", sin, Math.sin],
    ["cos", cos, Math.cos],
    ["tan", tan, Math.tan],
    ["asin", asin, Math.asin],
    ["acos", acos, Math.acos],
    ["atan", atan, Math.atan],
    ["sinh", sinh, Math.sinh],
    ["cosh", cosh, Math.cosh],
    ["tanh", tanh, Math.tanh],
    ["log2", log2, Math.log2],
    ["log10", log10, Math.log10],
    ["cbrt", cbrt, Math.cbrt],
    ["neg", neg, (x) => -x],
    ["square", square, (x) => x * x],
    ["reciprocal", reciprocal, (x) => 1 / x],
    ["relu", relu, (x) => Math.max(x, 0)],
    ["stopGradient", stopGradient, (x) => x],
  ];
  const binaryOps: [string, (x: Num, y: Num) => Num, (x: number, y: number) => number][] = [
    ["add", add, (x, y) => x + y],
    ["sub", sub, (x, y) => x - y],
    ["mul", mul, (x, y) => x * y],
    ["div", div, (x, y) => x / y],
    ["pow", pow, Math.pow],
    ["atan2", atan2, Math.atan2],
    ["hypot", hypot, Math.hypot],
    ["max", max, Math.max],
    ["min", min, Math.min],
  ];
  const differing = (a: number, b: number): boolean => !Object.is(a, b);

  for (const [name, op, ref] of unaryOps) {
    it(`${name} is identical to its Math counterpart, plain and inside transforms`, () => {
      const bad = inputs.filter((x) => differing(op(x) as number, ref(x)));
      expect(bad.map(String)).toEqual([]);
      // Inside a transform the primal values are the same numbers.
      const inGrad = inputs.filter((x) => differing(valueAndGrad(op)(x)[0], ref(x)));
      const inJvp = inputs.filter((x) => differing(jvp(op, [x], [1])[0], ref(x)));
      expect(inGrad.map(String)).toEqual([]);
      expect(inJvp.map(String)).toEqual([]);
    });
  }
  for (const [name, op, ref] of binaryOps) {
    it(`${name} is identical to its JavaScript counterpart`, () => {
      const bad: string[] = [];
      for (const x of inputs) for (const y of inputs) if (differing(op(x, y) as number, ref(x, y))) bad.push(`(${x}, ${y})`);
      expect(bad).toEqual([]);
    });
  }

  it("spot values from the contract", () => {
    expect(mul(3, 4)).toBe(12);
    expect(typeof mul(3, 4)).toBe("number");
    expect(add(0.1, 0.2)).toBe(0.1 + 0.2);
    expect(round(2.5)).toBe(3);
    expect(round(-2.5)).toBe(-2);
    expect(Object.is(round(-0.5), -0)).toBe(true);
    expect(Object.is(sign(-0), -0)).toBe(true);
    expect(Object.is(sign(0), 0)).toBe(true);
    expect(sign(NaN)).toBeNaN();
    expect(Object.is(abs(-0), 0)).toBe(true);
    expect(floor(-0.5)).toBe(-1);
    expect(Object.is(ceil(-0.5), -0)).toBe(true);
    expect(Object.is(neg(0), -0)).toBe(true);
    expect(Object.is(min(0, -0), -0)).toBe(true);
    expect(Object.is(max(-0, 0), 0)).toBe(true);
    expect(max(NaN, 1)).toBeNaN();
    expect(sigmoid(0)).toBe(0.5);
    expect(softplus(0)).toBeCloseTo(Math.LN2, 15);
    expect(relu(-2)).toBe(0);
  });

  it("comparisons return 1 or 0 (NaN compares false), where picks on truthiness", () => {
    expect([lt(1, 2), le(2, 2), gt(1, 2), ge(2, 2), eq(2, 2), eq(0, -0)]).toEqual([1, 1, 0, 1, 1, 1]);
    expect([lt(NaN, 1), le(NaN, NaN), gt(NaN, 0), ge(1, NaN), eq(NaN, NaN)]).toEqual([0, 0, 0, 0, 0]);
    expect(where(1, 2, 3)).toBe(2);
    expect(where(-0.5, 2, 3)).toBe(2);
    expect(where(0, 2, 3)).toBe(3);
    expect(where(-0, 2, 3)).toBe(3);
    expect(where(NaN, 2, 3)).toBe(3);
    expect(where(true, 2, 3)).toBe(2);
    expect(where(false, 2, 3)).toBe(3);
  });

  it("reductions on plain numbers", () => {
    expect(sum([1, 2, 3])).toBe(6);
    expect(sum([])).toBe(0);
    expect(mean([1, 2, 3])).toBe(2);
    expect(mean([])).toBeNaN();
    expect(dot([1, 2], [3, 4])).toBe(11);
    expect(dot([], [])).toBe(0);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([Infinity, 1])).toBe(Infinity);
    expect(logSumExp([NaN, 1])).toBeNaN();
    expect(softmax([0, 0])).toEqual([0.5, 0.5]);
    for (const v of softmax([1000, 1000])) expect(v).toBeCloseTo(0.5, 12);
    const s = softmax([1, 2, 3]) as number[];
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(s[2]! / s[1]!).toBeCloseTo(Math.E, 14);
  });
});

// ---- the primitives' documented special points -----------------------------------------------------------------

/** The derivative of a scalar function in every mode, first and second order. */
function allModes(f: (x: Num) => Num, x: number): { first: number[]; second: number[] } {
  return {
    first: [grad(f)(x), jvp(f, [x], [1])[1], vjp(f, x)[1](1)[0]],
    second: [
      grad(grad(f))(x),
      jvp(grad(f), [x], [1])[1],
      grad((y: Num) => jvp(f, [y], [1])[1])(x),
      jvp((y: Num) => jvp(f, [y], [1])[1], [x], [1])[1],
    ],
  };
}

/** Every entry is zero (either sign) — and in particular not NaN. */
function expectAllZero(values: readonly number[]): void {
  expect(values.map((v) => (v === 0 ? 0 : v))).toEqual(values.map(() => 0));
}

describe("the primitives' documented special points", () => {
  it("relu'(0) = 0 (and relu'' = 0), in every mode", () => {
    for (const x of [0, -0]) {
      const { first, second } = allModes(relu, x);
      expectAllZero(first);
      expectAllZero(second);
    }
    expect(allModes(relu, 1e-300).first).toEqual([1, 1, 1]);
  });

  it("abs'(0) = 0, in every mode", () => {
    for (const x of [0, -0]) {
      const { first, second } = allModes(abs, x);
      expectAllZero(first);
      expectAllZero(second);
    }
    expect(allModes(abs, -1e-300).first).toEqual([-1, -1, -1]);
  });

  it("sign' = 0 everywhere, 0 included", () => {
    for (const x of [-2, -0, 0, 3, NaN, Infinity]) {
      const { first, second } = allModes(sign, x);
      expectAllZero(first);
      expectAllZero(second);
    }
  });

  it("floor, ceil, round and stopGradient have gradient 0 at every order, integers and halves included", () => {
    for (const op of [floor, ceil, round, stopGradient]) {
      for (const x of [-2, -0.5, 0, 0.5, 1, 2.5, 1.3]) {
        const { first, second } = allModes(op, x);
        expectAllZero(first);
        expectAllZero(second);
      }
    }
  });

  it("comparisons have gradient 0 in both arguments, ties included", () => {
    for (const op of [lt, le, gt, ge, eq]) {
      for (const [x, y] of [[1, 2], [2, 2], [3, 1]] as const) {
        expectAllZero(grad(op, { argnums: [0, 1] })(x, y));
        expectAllZero([jvp(op, [x, y], [1, 1])[1]]);
        expectAllZero(grad(grad(op), { argnums: [0, 1] })(x, y));
      }
    }
  });

  it("stopGradient: the value is unchanged and is a constant to every derivative, at every order", () => {
    const f = (x: Num) => mul(x, stopGradient(square(x))); // d/dx = stop(x²) = x², d²/dx² = 0
    expect(grad(f)(3)).toBe(9);
    expect(jvp(f, [3], [1])).toEqual([27, 9]);
    expectAllZero([grad(grad(f))(3), jvp(grad(f), [3], [1])[1]]);
    expect(toNumber(valueAndGrad((x: Num) => stopGradient(x))(4)[0])).toBe(4);
  });

  it("max and min split the gradient evenly at a tie: 0.5 each", () => {
    expect(grad(max, { argnums: [0, 1] })(2, 2)).toEqual([0.5, 0.5]);
    expect(grad(min, { argnums: [0, 1] })(-1, -1)).toEqual([0.5, 0.5]);
    expect(jvp(max, [2, 2], [1, 0])[1]).toBe(0.5);
    expect(jvp(min, [2, 2], [0, 1])[1]).toBe(0.5);
    expect(vjp(max, 0, 0)[1](1)).toEqual([0.5, 0.5]);
    // A tie with a constant: half the gradient reaches x.
    expect(grad((x: Num) => max(x, 2))(2)).toBe(0.5);
    expect(grad((x: Num) => min(2, x))(2)).toBe(0.5);
    // The same value on both sides: the halves add up to the whole gradient.
    expect(grad((x: Num) => max(x, x))(2)).toBe(1);
    expect(grad((x: Num) => min(x, x))(-3)).toBe(1);
    // Second order at a tie: 0.
    expectAllZero(grad(grad(max), { argnums: [0, 1] })(2, 2));
    // Away from ties the gradient goes to one side only.
    expect(grad(max, { argnums: [0, 1] })(3, 2)).toEqual([1, 0]);
    expect(grad(min, { argnums: [0, 1] })(3, 2)).toEqual([0, 1]);
  });

  it("pow: ∂/∂x x⁰ = 0 everywhere, x = 0 included, at every order and in both modes", () => {
    for (const x of [0, -0, 2, -3, 0.5, 1e-300]) {
      const f = (b: Num) => pow(b, 0);
      const { first, second } = allModes(f, x);
      expectAllZero(first);
      expectAllZero(second);
      expectAllZero([grad(grad(grad(f)))(x)]);
      // With the exponent traced as well (it is 0): the partial in x is still 0, and so is ∂²/∂x².
      const g2 = (b: Num, e: Num) => pow(b, e);
      expectAllZero([grad(g2)(x, 0), grad(grad(g2))(x, 0), jvp(g2, [x, 0], [1, 0])[1], jvp(grad(g2), [x, 0], [1, 0])[1]]);
    }
  });

  it("pow: ∂/∂y 0^y = 0 for y > 0, at every order and in both modes", () => {
    for (const y of [0.5, 1, 2, 3.7, 1e-300]) {
      const f = (e: Num) => pow(0, e);
      const { first, second } = allModes(f, y);
      expectAllZero(first);
      expectAllZero(second);
      expectAllZero([grad(grad(grad(f)))(y)]);
      // With the base traced as well (it is 0).
      const g2 = (b: Num, e: Num) => pow(b, e);
      expectAllZero([
        grad(g2, { argnums: 1 })(0, y),
        grad(grad(g2, { argnums: 1 }), { argnums: 1 })(0, y),
        jvp(g2, [0, y], [0, 1])[1],
        jvp(grad(g2, { argnums: 1 }), [0, y], [0, 1])[1],
      ]);
    }
  });

  it("pow: the Hessian of x^y is symmetric and exact at y = 0 (mixed partial 1/x)", () => {
    const f = (p: Num[]) => pow(p[0]!, p[1]!);
    for (const x of [3, 0.5, 2]) {
      const rev = [0, 1].map((i) => grad((v: Num[]) => grad(f)(v)[i]!)([x, 0]));
      const fwd = [0, 1].map((j) => jvp(grad(f), [[x, 0]], [unit(2, j)])[1]);
      const expected = [
        [0, 1 / x],
        [1 / x, Math.log(x) ** 2],
      ];
      for (const h of [rev, fwd]) {
        h.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 14)));
      }
    }
  });

  describe("NaN-safe selection: grad(x => where(gt(x, 0), sqrt(x), 0))(-1) is 0, not NaN", () => {
    const f = (x: Num) => where(gt(x, 0), sqrt(x), 0);
    it("first and second order, reverse and forward, and third order", () => {
      const { first, second } = allModes(f, -1);
      expectAllZero(first);
      expectAllZero(second);
      expectAllZero([grad(grad(grad(f)))(-1), jvp(grad(grad(f)), [-1], [1])[1]]);
      // On the selected side the branch's derivatives come through.
      const at4 = allModes(f, 4);
      expect(at4.first).toEqual([0.25, 0.25, 0.25]);
      at4.second.forEach((v) => expect(v).toBeCloseTo(-1 / 32, 15));
    });
    it("also when the discarded branch is infinite or the condition itself is traced", () => {
      const g = (x: Num) => where(le(x, 0), 0, log(x)); // log(0) = -Infinity, log'(0) = Infinity
      expectAllZero(allModes(g, 0).first);
      expectAllZero(allModes(g, -2).second);
      // The condition is one of the differentiated inputs: the selected branch gets the gradient.
      const h = (c: Num, x: Num) => where(c, sqrt(x), mul(2, x));
      expect(grad(h, { argnums: [0, 1] })(0, -1)).toEqual([0, 2]);
      expect(grad(h, { argnums: [0, 1] })(1, 4)).toEqual([0, 0.25]);
      expect(jvp(h, [0, -1], [1, 1])).toEqual([-2, 2]);
      expect(jvp(h, [NaN, -1], [0, 1])[1]).toBe(2);
    });
  });

  it("where with a plain boolean selects, and only the selected branch gets a gradient", () => {
    const f = (x: Num, flag: boolean) => where(flag, mul(x, x), mul(3, x));
    expect(grad(f)(2, true)).toBe(4);
    expect(grad(f)(2, false)).toBe(3);
    expect(jvp((x: Num) => f(x, true), [2], [1])).toEqual([4, 4]);
    expect(grad(grad(f))(2, true)).toBe(2);
    expect(grad((x: Num) => where(false, sqrt(x), x))(-4)).toBe(1);
    // Data-dependent control flow on concrete values.
    const relu2 = (x: Num) => where(toNumber(x) > 0, x, 0);
    expect([grad(relu2)(3), grad(relu2)(-3)]).toEqual([1, 0]);
  });

  it("NaN and Infinity propagate as in plain JS arithmetic elsewhere", () => {
    expect(grad(log)(0)).toBe(Infinity); // 1/0
    expect(grad(log)(-1)).toBe(-1); // 1/x, even though log(-1) is NaN
    expect(valueAndGrad(log)(-1)[0]).toBeNaN();
    expect(grad(sqrt)(0)).toBe(Infinity); // 0.5/√0
    expect(grad(sqrt)(-1)).toBeNaN();
    expect(grad(reciprocal)(0)).toBe(-Infinity); // -1/0²
    expect(grad((x: Num) => div(1, x))(0)).toBe(-Infinity);
    expect(grad(exp)(Infinity)).toBe(Infinity);
    expect(grad(exp)(-Infinity)).toBe(0);
    expect(grad((x: Num) => mul(x, NaN))(1)).toBeNaN();
    expect(grad((x: Num) => mul(x, Infinity))(1)).toBe(Infinity);
    expect(grad(square)(NaN)).toBeNaN();
    expect(jvp(square, [NaN], [1])[1]).toBeNaN();
    expect(jvp(log, [0], [1])).toEqual([-Infinity, Infinity]);
    expect(grad(grad(log))(0)).toBe(-Infinity);
    expect(jvp(grad(sqrt), [0], [1])[1]).toBe(-Infinity);
    expect(grad(sin)(Infinity)).toBeNaN(); // cos(∞)
    expect(add(NaN, 1)).toBeNaN();
    expect(div(1, 0)).toBe(Infinity);
    expect(div(-1, 0)).toBe(-Infinity);
    expect(div(0, 0)).toBeNaN();
  });
});
