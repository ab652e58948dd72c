// The n-ary primitives at 10⁶ inputs, with their values, gradients and directional derivatives in
// closed form: shared by the two scale test files (split so that vitest runs them in parallel).
import { expect } from "vitest";
import { dot, logSumExp, mean, softmax, sum, type Num } from "../../src/index.js";

export const N = 1_000_000;

// ---- n-ary primitives at 10⁶ inputs -------------------------------------------------------------

/** Inputs in [-1, 1), deterministic. */
export const xs = Array.from({ length: N }, (_, i) => Math.sin(i * 0.618) * 0.999);
const ys = Array.from({ length: N }, (_, i) => Math.cos(i * 0.414));

function plainSum(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
function plainMax(a: readonly number[]): number {
  let m = -Infinity;
  for (const v of a) if (v > m) m = v;
  return m;
}
const maxX = plainMax(xs);
const expX = xs.map((v) => Math.exp(v - maxX));
const sumExpX = plainSum(expX);
const lse = maxX + Math.log(sumExpX);
export const soft = expX.map((v) => v / sumExpX);

/** Relative closeness for sums of a million terms (their rounding grows with n). */
export const close = (actual: number, expected: number, rtol = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
};
/** A few entries of a gradient, and its length. */
export const spot = (g: readonly number[], expected: (i: number) => number): void => {
  expect(g.length).toBe(N);
  for (const i of [0, 1, 12_345, N >> 1, N - 1]) close(g[i]!, expected(i));
};

/** One n-ary primitive as a scalar function of its 10⁶-long arguments, with closed forms. */
export interface Nary {
  readonly name: string;
  readonly f: (...args: Num[][]) => Num;
  readonly args: readonly number[][];
  readonly value: number;
  /** ∂f/∂(first argument)ᵢ */
  readonly grad: (i: number) => number;
  /** The tangents for jvp, and the directional derivative along them. */
  readonly tangents: readonly number[][];
  readonly jvp: number;
}

const s0 = soft[0]!;
const xDotY = plainSum(xs.map((v, i) => v * ys[i]!));
const softDotY = plainSum(soft.map((s, i) => s * ys[i]!));
export const NARY: readonly Nary[] = [
  { name: "sum", f: (v) => sum(v), args: [xs], value: plainSum(xs), grad: () => 1, tangents: [ys], jvp: plainSum(ys) },
  { name: "mean", f: (v) => mean(v), args: [xs], value: plainSum(xs) / N, grad: () => 1 / N, tangents: [ys], jvp: plainSum(ys) / N },
  {
    name: "dot (10⁶ per side)",
    f: (a, b) => dot(a!, b!),
    args: [xs, ys],
    value: xDotY,
    grad: (i) => ys[i]!,
    // along (ẋ, ẏ) = (y, x): y·y + x·x
    tangents: [ys, xs],
    jvp: plainSum(ys.map((v) => v * v)) + plainSum(xs.map((v) => v * v)),
  },
  { name: "logSumExp", f: (v) => logSumExp(v), args: [xs], value: lse, grad: (i) => soft[i]!, tangents: [ys], jvp: softDotY },
  {
    // its first entry, a function of all 10⁶ inputs; ∂s₀/∂xᵢ = s₀ (δ₀ᵢ − sᵢ)
    name: "softmax",
    f: (v) => softmax(v)[0]!,
    args: [xs],
    value: s0,
    grad: (i) => s0 * ((i === 0 ? 1 : 0) - soft[i]!),
    tangents: [ys],
    jvp: s0 * (ys[0]! - softDotY),
  },
];

