// Shared pieces of the jit tests: comparing trees of numbers "to rounding", the primitive table,
// and random programs (straight-line DAGs and loop-structured ones) over chainrule's primitives.
import { expect } from "vitest";
import * as cr from "../../src/index.js";
import type { Num } from "../../src/index.js";

/** Leaves of a tree of numbers, depth first. */
export function leaves(t: unknown, out: number[] = []): number[] {
  if (typeof t === "number") out.push(t);
  else if (Array.isArray(t)) for (const x of t) leaves(x, out);
  else if (t !== null && typeof t === "object") for (const k of Object.keys(t)) leaves((t as Record<string, unknown>)[k], out);
  else throw new Error(`not a tree of numbers: ${String(t)}`);
  return out;
}

/** Whether a and b agree to rounding: NaN with NaN, equal infinities, 0 with -0, else relative `tol`. */
export function agree(a: number, b: number, tol = 1e-12): boolean {
  if (a !== a || b !== b) return a !== a && b !== b;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Asserts that two trees have the same structure and agree leaf by leaf. */
export function expectAgree(actual: unknown, expected: unknown, tol = 1e-12): void {
  expect(structure(actual)).toBe(structure(expected));
  const a = leaves(actual);
  const b = leaves(expected);
  for (let i = 0; i < a.length; i++) {
    if (!agree(a[i]!, b[i]!, tol)) expect.fail(`leaf ${i}: ${a[i]} vs ${b[i]} (expected)`);
  }
}

function structure(t: unknown): string {
  if (typeof t === "number") return "*";
  if (Array.isArray(t)) return `[${t.map(structure).join(",")}]`;
  if (t !== null && typeof t === "object") {
    return `{${Object.keys(t)
      .map((k) => `${JSON.stringify(k)}:${structure((t as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return typeof t;
}

type F1 = (x: Num) => Num;
type F2 = (x: Num, y: Num) => Num;

/**
 * Every primitive, with a map from a number in [-2, 2] into its domain (so that derivatives are
 * finite), for the table-driven tests.
 */
export const UNARY: readonly (readonly [string, F1, (x: number) => number])[] = [
  ["neg", cr.neg, (x) => x],
  ["square", cr.square, (x) => x],
  ["sqrt", cr.sqrt, (x) => Math.abs(x) + 0.1],
  ["reciprocal", cr.reciprocal, (x) => (x >= 0 ? x + 0.2 : x - 0.2)],
  ["abs", cr.abs, (x) => x],
  ["sign", cr.sign, (x) => x],
  ["exp", cr.exp, (x) => x],
  ["log", cr.log, (x) => Math.abs(x) + 0.1],
  ["log1p", cr.log1p, (x) => Math.abs(x)],
  ["expm1", cr.expm1, (x) => x],
  ["sin", cr.sin, (x) => x],
  ["cos", cr.cos, (x) => x],
  ["tan", cr.tan, (x) => x / 2],
  ["asin", cr.asin, (x) => x / 2.5],
  ["acos", cr.acos, (x) => x / 2.5],
  ["atan", cr.atan, (x) => x],
  ["sinh", cr.sinh, (x) => x],
  ["cosh", cr.cosh, (x) => x],
  ["tanh", cr.tanh, (x) => x],
  ["sigmoid", cr.sigmoid, (x) => x * 10],
  ["relu", cr.relu, (x) => x],
  ["softplus", cr.softplus, (x) => x * 10],
  ["floor", cr.floor, (x) => x],
  ["ceil", cr.ceil, (x) => x],
  ["round", cr.round, (x) => x],
  ["stopGradient", cr.stopGradient, (x) => x],
  ["erf", cr.erf, (x) => x * 2],
  ["erfc", cr.erfc, (x) => x * 2],
  ["normCdf", cr.normCdf, (x) => x * 3],
  ["logNormCdf", cr.logNormCdf, (x) => x * 12],
  ["lgamma", cr.lgamma, (x) => Math.abs(x) * 5 + 0.1],
  ["digamma", cr.digamma, (x) => Math.abs(x) * 5 + 0.1],
  ["log2", cr.log2, (x) => Math.abs(x) + 0.1],
  ["log10", cr.log10, (x) => Math.abs(x) + 0.1],
  ["cbrt", cr.cbrt, (x) => (x >= 0 ? x + 0.1 : x - 0.1)],
  ["logSigmoid", cr.logSigmoid, (x) => x * 10],
  ["logit", cr.logit, (x) => (x + 2.1) / 4.2],
];

export const BINARY: readonly (readonly [string, F2, (x: number) => number, (y: number) => number])[] = [
  ["add", cr.add, (x) => x, (y) => y],
  ["sub", cr.sub, (x) => x, (y) => y],
  ["mul", cr.mul, (x) => x, (y) => y],
  ["div", cr.div, (x) => x, (y) => (y >= 0 ? y + 0.2 : y - 0.2)],
  ["pow", cr.pow, (x) => Math.abs(x) + 0.1, (y) => y],
  ["atan2", cr.atan2, (x) => x, (y) => (y >= 0 ? y + 0.1 : y - 0.1)],
  ["hypot", cr.hypot, (x) => x, (y) => y],
  ["max", cr.max, (x) => x, (y) => y],
  ["min", cr.min, (x) => x, (y) => y],
  ["lt", cr.lt, (x) => x, (y) => y],
  ["le", cr.le, (x) => x, (y) => y],
  ["gt", cr.gt, (x) => x, (y) => y],
  ["ge", cr.ge, (x) => x, (y) => y],
  ["eq", cr.eq, (x) => x, (y) => y],
];

/** Variadic primitives and composites over arrays, as functions of an array. */
export const ARRAY: readonly (readonly [string, (xs: Num[]) => Num | Num[]])[] = [
  ["sum", (xs) => cr.sum(xs)],
  ["mean", (xs) => cr.mean(xs)],
  ["dot", (xs) => cr.dot(xs.slice(0, xs.length >> 1), xs.slice(xs.length >> 1, 2 * (xs.length >> 1)))],
  ["logSumExp", (xs) => cr.logSumExp(xs)],
  ["softmax", (xs) => cr.softmax(xs)],
  ["where", (xs) => cr.where(cr.gt(xs[0]!, 0), xs[1]!, xs[2]!)],
];

// ---- random programs --------------------------------------------------------------------------

/** Operations a random program may use; each stays finite on finite, moderate inputs. */
export const SAFE_OPS: readonly ((xs: readonly Num[]) => Num)[] = [
  ([a, b]) => cr.add(a!, b!),
  ([a, b]) => cr.sub(a!, b!),
  ([a, b]) => cr.mul(a!, b!),
  ([a, b]) => cr.div(a!, cr.add(cr.square(b!), 1)),
  ([a]) => cr.neg(a!),
  ([a]) => cr.sin(a!),
  ([a]) => cr.cos(a!),
  ([a]) => cr.tanh(a!),
  ([a]) => cr.sigmoid(a!),
  ([a]) => cr.softplus(a!),
  ([a]) => cr.exp(cr.tanh(a!)),
  ([a]) => cr.log(cr.add(cr.square(a!), 0.5)),
  ([a]) => cr.sqrt(cr.add(cr.square(a!), 0.25)),
  ([a]) => cr.square(a!),
  ([a]) => cr.abs(a!),
  ([a]) => cr.relu(a!),
  ([a, b]) => cr.max(a!, b!),
  ([a, b]) => cr.min(a!, b!),
  ([a, b, c]) => cr.where(cr.gt(a!, b!), b!, c!),
  ([a, b, c]) => cr.where(cr.lt(a!, 0), cr.sqrt(cr.abs(a!)), cr.mul(b!, c!)),
  ([a, b]) => cr.atan2(a!, cr.add(cr.abs(b!), 0.5)),
  ([a, b, c]) => cr.sum([a!, b!, c!]),
  ([a, b, c]) => cr.dot([a!, b!], [c!, a!]),
  ([a, b]) => cr.logSumExp([a!, b!]),
  ([a]) => cr.mul(a!, 0.5),
  ([a]) => cr.add(a!, 1),
  ([a]) => cr.stopGradient(a!),
  ([a]) => cr.floor(a!),
  ([a, b]) => cr.pow(cr.add(cr.abs(a!), 0.5), cr.tanh(b!)),
];

/** One step of a random program: an operation and the indices of its three operands. */
export interface Step {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Runs a straight-line program: values start as the inputs; each step appends one value. */
export function runProgram(steps: readonly Step[], inputs: readonly Num[], outputs: number): Num[] {
  const vals: Num[] = [...inputs];
  for (const s of steps) {
    const n = vals.length;
    vals.push(SAFE_OPS[s.op % SAFE_OPS.length]!([vals[s.a % n]!, vals[s.b % n]!, vals[s.c % n]!]));
  }
  return vals.slice(-outputs);
}

/**
 * A loop-structured program (what re-rolling must find): `outer` repetitions of `inner`
 * repetitions of a body over a carried state, the i-th input and its neighbour, and constants.
 */
export function runLoops(body: readonly Step[], inputs: readonly Num[], outer: number, inner: number): Num {
  let state: Num = 0.5;
  const out: Num[] = [];
  for (let o = 0; o < outer; o++) {
    let acc: Num = inputs[o % inputs.length]!;
    for (let i = 0; i < inner; i++) {
      const k = (o * inner + i) % inputs.length;
      const vals: Num[] = [acc, state, inputs[k]!, inputs[(k + 1) % inputs.length]!, 0.25 * (i % 3)];
      for (const s of body) {
        const n = vals.length;
        vals.push(SAFE_OPS[s.op % SAFE_OPS.length]!([vals[s.a % n]!, vals[s.b % n]!, vals[s.c % n]!]));
      }
      acc = vals[vals.length - 1]!;
      state = cr.tanh(cr.add(state, cr.mul(0.1, vals[vals.length - 2]!)));
    }
    out.push(acc);
  }
  return cr.add(cr.sum(out), state);
}
