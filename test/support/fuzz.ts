// Shared pieces of the fuzz suite (test/fuzz/): the budget and seed (fixed, overridable from the
// environment), random tree shapes, random programs over every primitive, and the comparison of
// two results "to rounding" with their exact structure.
import fc from "fast-check";
import * as cr from "../../src/index.js";
import type { Num } from "../../src/index.js";
import { ARRAY, BINARY, UNARY } from "../transforms/jit-helpers.js";

// ---- budget and seed ----------------------------------------------------------------------------

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** `CHAINRULE_FUZZ_RUNS=<n>`: every property runs n cases instead of its default budget. */
export const FUZZ_RUNS = envInt("CHAINRULE_FUZZ_RUNS");
/** `CHAINRULE_FUZZ_SEED=<n>`: replays a run (fast-check prints a failing run's seed). */
export const FUZZ_SEED = envInt("CHAINRULE_FUZZ_SEED") ?? 20261204;

/** fast-check parameters for a property whose default budget is `runs` cases. */
export function fuzzParams(runs: number): fc.Parameters<unknown> {
  return { numRuns: FUZZ_RUNS ?? runs, seed: FUZZ_SEED, endOnFailure: false };
}

/** The vitest timeout of a fuzz test: its default, or unbounded when a larger budget is asked for. */
export function fuzzTimeout(ms: number): number {
  return FUZZ_RUNS === undefined ? ms : 24 * 3600 * 1000;
}

// ---- trees --------------------------------------------------------------------------------------

/** Keys of generated records: identifiers, one that needs quoting, and an integer-like key. */
const KEYS = ["w", "b", "a b", "x0", "1", "layers"] as const;

/**
 * Random trees up to depth `maxDepth`, leaves from `leaf`: records, arrays (tuples), arrays of
 * single-leaf trees such as `[[1], [2]]`, `[{ w: 1 }]`, `[[1]]`, objects inside arrays, and
 * empty arrays and records among them.
 */
export function treeOf<L>(leaf: fc.Arbitrary<L>, maxDepth = 6): fc.Arbitrary<unknown> {
  const { tree } = fc.letrec<{ tree: unknown; node: unknown }>((tie) => ({
    tree: fc.oneof({ depthSize: "small", maxDepth, withCrossShrink: true }, leaf, tie("node")),
    node: fc.oneof(
      fc.array(tie("tree"), { maxLength: 4 }),
      // arrays of single-leaf trees: the shapes that look like arrays of leaves by their counts
      fc.array(fc.oneof(leaf.map((x) => [x]), leaf.map((x) => ({ w: x }))), { minLength: 1, maxLength: 3 }),
      fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie("tree")), { maxLength: 4, selector: ([k]) => k }).map(
        (entries) => Object.fromEntries(entries),
      ),
    ),
  }));
  return tree;
}

/** The leaves of a tree of plain values (depth first, keys in order); anything not an array or object is a leaf. */
export function leavesOf(t: unknown): unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [t];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    else if (x !== null && typeof x === "object" && !(x instanceof cr.Tracer)) {
      const keys = Object.keys(x);
      for (let i = keys.length - 1; i >= 0; i--) stack.push((x as Record<string, unknown>)[keys[i]!]);
    } else out.push(x);
  }
  return out;
}

/** `t` with its leaves replaced, in order, by `f(leaf, index)`. */
export function mapLeaves(t: unknown, f: (leaf: unknown, i: number) => unknown): unknown {
  let i = 0;
  const go = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(go);
    if (x !== null && typeof x === "object" && !(x instanceof cr.Tracer)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x)) o[k] = go((x as Record<string, unknown>)[k]);
      return o;
    }
    return f(x, i++);
  };
  return go(t);
}

/** The structure of a tree as text: `*` leaves, `[…]`, `{"key":…}` with keys in order. */
export function shapeOf(t: unknown): string {
  if (typeof t === "number") return "*";
  if (Array.isArray(t)) return `[${t.map(shapeOf).join(",")}]`;
  if (t !== null && typeof t === "object") {
    return `{${Object.keys(t)
      .map((k) => `${JSON.stringify(k)}:${shapeOf((t as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return `<${typeof t}>`;
}

// ---- comparing results --------------------------------------------------------------------------

/** Equal to 1e-12 relative (absolute below 1): NaN equals NaN, equal infinities, 0 equals -0. */
export function sameNumber(a: number, b: number, tol = 1e-12): boolean {
  if (a !== a || b !== b) return a !== a && b !== b;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Where two results differ: `undefined` when they have the same structure (deep, keys in order)
 * and the same numbers; otherwise a description of the first difference.
 */
export function difference(actual: unknown, expected: unknown, tol = 1e-12): string | undefined {
  const sa = shapeOf(actual);
  const se = shapeOf(expected);
  if (sa !== se) return `structure ${sa} instead of ${se}`;
  const a = leavesOf(actual) as number[];
  const e = leavesOf(expected) as number[];
  for (let i = 0; i < e.length; i++) {
    if (!sameNumber(a[i]!, e[i]!, tol)) return `leaf ${i}: ${a[i]} instead of ${e[i]}`;
  }
  return undefined;
}

// ---- random programs over every primitive -------------------------------------------------------

/** One operation of a random program: a name and how it applies to its operands. */
export interface FuzzOp {
  readonly name: string;
  /** Operands it reads (variadic operations read 1–4 of them). */
  readonly apply: (xs: readonly Num[], pick: number) => Num;
}

/**
 * Every primitive, from the jit tests' tables (unary, binary, and the n-ary reductions with
 * `where`), which are built from the list in src/primitives/index.ts and fail on a primitive
 * they have no entry for; plus the uses of `where` with a boolean and with an equality condition.
 * Domains are not restricted: the fuzz wants NaN, infinities and kinks.
 */
export const FUZZ_OPS: readonly FuzzOp[] = [
  ...UNARY.map(([name, f]): FuzzOp => ({ name, apply: (xs) => f(xs[0]!) })),
  ...BINARY.map(([name, f]): FuzzOp => ({ name, apply: (xs) => f(xs[0]!, xs[1]!) })),
  ...ARRAY.map(
    ([name, f]): FuzzOp => ({
      name,
      apply: (xs, pick) => {
        const r = f(name === "where" ? [...xs] : xs.slice(0, 1 + (pick % 4)));
        return Array.isArray(r) ? r[pick % r.length]! : r;
      },
    }),
  ),
  { name: "where", apply: (xs, pick) => cr.where(pick % 2 === 0, xs[0]!, xs[1]!) },
  { name: "where", apply: (xs) => cr.where(cr.eq(xs[0]!, xs[1]!), xs[2]!, xs[3]!) },
];

/** Constants of random programs: ordinary numbers and the special ones. */
export const specialNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN), weight: 2 },
  { arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 3 },
);

/** Inputs: moderate numbers, with the specials now and then. */
export const inputNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.double({ min: -3, max: 3, noNaN: true }), weight: 6 },
  { arbitrary: fc.constantFrom(0, -0, 1, Infinity, -Infinity, NaN), weight: 1 },
);

export interface Step {
  readonly op: number;
  readonly args: readonly [number, number, number, number];
  readonly pick: number;
}

/** A random program: constants, steps, and the tree of value indices (0 is the last value) it returns. */
export interface Program {
  readonly consts: readonly number[];
  readonly steps: readonly Step[];
  /** A tree whose leaves are indices into the program's values. */
  readonly out: unknown;
}

export const step: fc.Arbitrary<Step> = fc.record({
  op: fc.nat(FUZZ_OPS.length - 1),
  // Operand k is the k-th value counting back from the newest, so programs are dense chains.
  args: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7), fc.nat(7)),
  pick: fc.nat(),
});

/** Programs with constants from `constant`, up to `maxSteps` steps, outputs shaped like random trees. */
export function program(constant: fc.Arbitrary<number>, maxSteps = 8, outDepth = 6): fc.Arbitrary<Program> {
  return fc.record({
    consts: fc.array(constant, { minLength: 1, maxLength: 3 }),
    steps: fc.array(step, { maxLength: maxSteps }),
    out: treeOf(fc.nat(), outDepth),
  });
}

/** Runs a program on the leaves of `input`: values are the input leaves, the constants, then one per step; operands count back from the newest. */
export function runProgram(p: Program, input: unknown): unknown {
  const vals: Num[] = [...(leavesOf(input) as Num[]), ...p.consts];
  for (const s of p.steps) {
    const n = vals.length;
    const xs = s.args.map((a) => vals[n - 1 - (a % n)]!);
    vals.push(FUZZ_OPS[s.op % FUZZ_OPS.length]!.apply(xs, s.pick));
  }
  // Output index 0 is the last value, so that small (shrunk) indices read the program's results.
  return mapLeaves(p.out, (i) => vals[vals.length - 1 - ((i as number) % vals.length)]!);
}

/** A readable form of a program run on `input`, for failure messages: `v2 = mul(x0, c0)`, `out […]`. */
export function showProgram(p: Program, input: unknown): string {
  const names = [...leavesOf(input).map((_, i) => `x${i}`), ...p.consts.map((c, i) => `c${i}=${showTree(c)}`)];
  const lines: string[] = [];
  for (const s of p.steps) {
    const n = names.length;
    const name = `v${lines.length}`;
    const operands = s.args.map((a) => names[n - 1 - (a % n)]!.replace(/=.*/, ""));
    lines.push(`${name} = ${FUZZ_OPS[s.op % FUZZ_OPS.length]!.name}(${operands.join(", ")}; pick ${s.pick})`);
    names.push(name);
  }
  const out = mapLeaves(p.out, (i) => names[names.length - 1 - ((i as number) % names.length)]!.replace(/=.*/, ""));
  return `${names.filter((n) => n.startsWith("c")).join(", ")}; ${lines.join("; ")}; returns ${showTree(out)}`;
}

/** A tree as text, numbers as JavaScript prints them (so NaN, Infinity and -0 show). */
export function showTree(t: unknown): string {
  if (typeof t === "number") return Object.is(t, -0) ? "-0" : String(t);
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return `[${t.map(showTree).join(", ")}]`;
  if (t !== null && typeof t === "object") {
    return `{ ${Object.keys(t)
      .map((k) => `${JSON.stringify(k)}: ${showTree((t as Record<string, unknown>)[k])}`)
      .join(", ")} }`;
  }
  return String(t);
}
