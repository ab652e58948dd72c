// Shared pieces of the jit tests: comparing trees of numbers "to rounding", the primitive table,
// and random programs (straight-line DAGs and loop-structured ones) over chainrule's primitives.
import { expect } from "vitest";
import * as cr from "../../src/index.js";
import type { Num } from "../../src/index.js";
import { PRIMITIVES } from "../../src/primitives/index.js";

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

/** The entry of `table` for primitive `name`; a listed primitive without one fails the tests that load this file. */
function entryFor<T>(table: Readonly<Record<string, T>>, name: string, what: string): T {
  if (!Object.hasOwn(table, name)) throw new Error(`test/transforms/jit-helpers.ts: no ${what} for the primitive ${name}; add one`);
  return table[name]!;
}

/**
 * For each one-input primitive, a map from a number in [-2, 2] into its domain (so that
 * derivatives are finite).
 */
const UNARY_DOMAINS: Readonly<Record<string, (x: number) => number>> = {
  neg: (x) => x,
  square: (x) => x,
  sqrt: (x) => Math.abs(x) + 0.1,
  reciprocal: (x) => (x >= 0 ? x + 0.2 : x - 0.2),
  abs: (x) => x,
  sign: (x) => x,
  exp: (x) => x,
  log: (x) => Math.abs(x) + 0.1,
  log1p: (x) => Math.abs(x),
  expm1: (x) => x,
  sin: (x) => x,
  cos: (x) => x,
  tan: (x) => x / 2,
  asin: (x) => x / 2.5,
  acos: (x) => x / 2.5,
  atan: (x) => x,
  sinh: (x) => x,
  cosh: (x) => x,
  tanh: (x) => x,
  sigmoid: (x) => x * 10,
  relu: (x) => x,
  softplus: (x) => x * 10,
  floor: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
  stopGradient: (x) => x,
  erf: (x) => x * 2,
  erfc: (x) => x * 2,
  normCdf: (x) => x * 3,
  logNormCdf: (x) => x * 12,
  lgamma: (x) => Math.abs(x) * 5 + 0.1,
  digamma: (x) => Math.abs(x) * 5 + 0.1,
  log2: (x) => Math.abs(x) + 0.1,
  log10: (x) => Math.abs(x) + 0.1,
  cbrt: (x) => (x >= 0 ? x + 0.1 : x - 0.1),
  logSigmoid: (x) => x * 10,
  logit: (x) => (x + 2.1) / 4.2,
};

const same = (x: number): number => x;
/** For each two-input primitive, the maps of its two inputs into its domain. */
const BINARY_DOMAINS: Readonly<Record<string, readonly [(x: number) => number, (y: number) => number]>> = {
  add: [same, same],
  sub: [same, same],
  mul: [same, same],
  div: [same, (y) => (y >= 0 ? y + 0.2 : y - 0.2)],
  pow: [(x) => Math.abs(x) + 0.1, same],
  atan2: [same, (y) => (y >= 0 ? y + 0.1 : y - 0.1)],
  hypot: [same, same],
  max: [same, same],
  min: [same, same],
  lt: [same, same],
  le: [same, same],
  gt: [same, same],
  ge: [same, same],
  eq: [same, same],
};

/** For each three-input primitive, its operands taken from an array. */
const TERNARY_OPERANDS: Readonly<Record<string, (xs: Num[]) => [Num, Num, Num]>> = {
  where: (xs) => [cr.gt(xs[0]!, 0), xs[1]!, xs[2]!],
};

/** Every one-input primitive with its domain map, for the table-driven tests. */
export const UNARY: readonly (readonly [string, F1, (x: number) => number])[] = PRIMITIVES.flatMap((p) =>
  p.arity === 1 ? [[p.name, p.fn, entryFor(UNARY_DOMAINS, p.name, "domain in UNARY_DOMAINS")] as const] : [],
);

/** Every two-input primitive with the domain maps of its inputs. */
export const BINARY: readonly (readonly [string, F2, (x: number) => number, (y: number) => number])[] = PRIMITIVES.flatMap((p) =>
  p.arity === 2 ? [[p.name, p.fn, ...entryFor(BINARY_DOMAINS, p.name, "domains in BINARY_DOMAINS")] as const] : [],
);

/**
 * The primitives over arrays (the second half of the array is `dot`'s second vector), then the
 * three-input ones, as functions of an array.
 */
export const ARRAY: readonly (readonly [string, (xs: Num[]) => Num | Num[]])[] = [
  ...PRIMITIVES.flatMap((p) => {
    if (p.arity !== "n") return [];
    const f = p.fn;
    const apply = p.arrays === 1 ? (xs: Num[]) => f(xs) : (xs: Num[]) => f(xs.slice(0, xs.length >> 1), xs.slice(xs.length >> 1, 2 * (xs.length >> 1)));
    return [[p.name, apply] as const];
  }),
  ...PRIMITIVES.flatMap((p) => {
    if (p.arity !== 3) return [];
    const operands = entryFor(TERNARY_OPERANDS, p.name, "operands in TERNARY_OPERANDS");
    const f = p.fn;
    return [
      [
        p.name,
        (xs: Num[]) => {
          const [a, b, c] = operands(xs);
          return f(a, b, c);
        },
      ] as const,
    ];
  }),
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
