/**
 * Control flow that transforms keep as one piece: `scan`, `foriLoop`, `whileLoop`, `cond`,
 * `switchCase` and `checkpoint` (JAX's lax.scan, fori_loop, while_loop, cond, switch and
 * checkpoint). This file is the public side: it checks arguments and options, flattens trees
 * to leaves and wraps the user's functions so that every output is checked against the
 * structure it must have; then it hands the flat form (`spec.ts`) to `loopImpl` (`impl.ts`).
 */
import { ChainruleError, ConcretizationError } from "../errors.js";
import { MAX_SPREAD_ARGS } from "../core/eval.js";
import { describeValue, isTracer, type Num } from "../core/num.js";
import { flattenAsLive, flattenLive } from "../core/trace.js";
import { add } from "../primitives/arithmetic.js";
import { ceil, floor } from "../primitives/rounding.js";
import { ge, gt, lt, where } from "../primitives/select.js";
import { isPlainObject, unflatten, type TreeDef } from "../tree/tree.js";
import { expectFunction, isArrayValue, readBoolean, readOptions, type OptionReader } from "../transforms/common.js";
import { loopImpl } from "./impl.js";
import type { FlatStep } from "./spec.js";

/**
 * Options of {@link scan}.
 *
 * @example
 * ```ts
 * import { scan, add, type Num, type ScanOptions } from "chainrule";
 * const options: ScanOptions = { reverse: true, checkpoint: { snapshots: 4 } };
 * const [total, partial] = scan((c: Num, x: Num) => [add(c, x), c] as const, 0, [1, 2, 3], options);
 * console.log(total, partial); // 6 [5, 3, 0]
 * ```
 * @category Loops
 */
export interface ScanOptions {
  /** Run from the last element of `xs` to the first; `ys[i]` stays the output for `xs[i]`. Default false. */
  readonly reverse?: boolean;
  /** The number of steps: required when `xs` is `null`, and equal to `xs.length` otherwise. */
  readonly length?: number;
  /**
   * What reverse mode keeps of the forward pass: `"all"` (default) stores the carry of every
   * step; `{ snapshots: k }` stores at most `k` carries and recomputes the others from the
   * nearest one (binomial checkpointing): less memory, more forward steps.
   */
  readonly checkpoint?:
    | "all"
    | {
        /** The most carries reverse mode stores at once (an integer ≥ 1). */
        readonly snapshots: number;
      };
}

/**
 * Options of {@link whileLoop}.
 *
 * @example
 * ```ts
 * import { whileLoop, add, lt, type Num, type WhileOptions } from "chainrule";
 * const options: WhileOptions = { maxSteps: 100 };
 * console.log(whileLoop((i: Num) => lt(i, 10), (i: Num) => add(i, 3), 0, options)); // 12
 * ```
 * @category Loops
 */
export interface WhileOptions {
  /** Refuse (with a `ChainruleError`) to run more than this many steps. Default: no limit. */
  readonly maxSteps?: number;
}

/**
 * What a loop body may return for a carry of type `T`: `T` with every array and property
 * readonly, so that a pair written `[…] as const` (which makes nested arrays readonly) is
 * accepted as well as a mutable one.
 *
 * @example
 * ```ts
 * import { scan, add, type CarryOut, type Num } from "chainrule";
 * const next: CarryOut<[Num, Num]> = [1, 2] as const;
 * const [[a, b]] = scan((c: [Num, Num], x: Num) => [[add(c[0], x), c[1]], x] as const, [0, 5], [1, 2]);
 * console.log(next.length, a, b); // 2 3 5
 * ```
 * @category Loops
 */
export type CarryOut<T> = T extends Num ? T : T extends object ? { readonly [K in keyof T]: CarryOut<T[K]> } : T;

// ---- option readers ------------------------------------------------------------------------------

function isCount(x: unknown, min: number): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= min;
}

const readLength: OptionReader<number> = (value, where) => {
  if (!isCount(value, 0)) throw new ChainruleError(`${where} must be a number of steps (an integer ≥ 0), got ${describeValue(value)}`);
  return value;
};

/** An option that must be an integer ≥ 1; `what` says what it counts. */
function readPositive(what: string): OptionReader<number> {
  return (value, where) => {
    if (!isCount(value, 1)) throw new ChainruleError(`${where} must be a number of ${what} (an integer ≥ 1), got ${describeValue(value)}`);
    return value;
  };
}

const CHECKPOINT_KEYS = { snapshots: readPositive("stored carries") };

/** scan's `checkpoint`: `"all"` → undefined (store every carry); `{ snapshots: k }` → k. */
const readCheckpoint: OptionReader<number | undefined> = (value, where) => {
  if (value === "all") return undefined;
  if (!isPlainObject(value)) {
    throw new ChainruleError(`${where} must be "all" or { snapshots: k } (k an integer ≥ 1), got ${describeValue(value)}`);
  }
  const { snapshots } = readOptions(value, CHECKPOINT_KEYS, "scan", "checkpoint");
  if (snapshots === undefined) throw new ChainruleError(`${where} must be "all" or { snapshots: k } (k an integer ≥ 1); snapshots is missing`);
  return snapshots;
};

const SCAN_OPTIONS = { reverse: readBoolean, length: readLength, checkpoint: readCheckpoint };
const WHILE_OPTIONS = { maxSteps: readPositive("steps") };

// ---- helpers -------------------------------------------------------------------------------------

/** A loop bound: a plain integer (the number of steps is fixed when the loop is traced). */
function readBound(x: unknown, name: string): number {
  if (isTracer(x)) {
    throw new ConcretizationError(
      `foriLoop: ${name} must be a plain integer, got a traced value; the number of steps is fixed before the loop runs. ` +
        "Pass a number (e.g. from a static argument), or use whileLoop for a bound that depends on traced values",
    );
  }
  if (typeof x !== "number" || !Number.isSafeInteger(x)) throw new ChainruleError(`foriLoop: ${name} must be an integer, got ${describeValue(x)}`);
  return x;
}

function expectNum(x: unknown, fn: string, what: string): Num {
  if (typeof x === "number" || isTracer(x)) return x;
  throw new ChainruleError(`${fn}: ${what} must be a Num (a number or a traced value), got ${describeValue(x)}`);
}

/** Checks that the body returned a pair `[carry, y]`. */
function splitPair(out: unknown): [unknown, unknown] {
  if (!isArrayValue(out) || out.length !== 2) {
    throw new ChainruleError(`scan: the body must return a pair [carry, y] (y may be [] for no output), got ${describeValue(out)}`);
  }
  return [out[0], out[1]];
}

// ---- scan ----------------------------------------------------------------------------------------

/**
 * Runs `body` over the elements of `xs` in order, threading a carry: JAX's `lax.scan`. Each
 * step maps `(carry, x)` to `[newCarry, y]`; the result is the final carry and every step's `y`.
 * Transforms keep it as one loop (its body traced once), so long loops stay small under `jit`
 * and reverse mode; `options.checkpoint` trades the memory of reverse mode for recomputation.
 *
 * @typeParam C - the carry: a tree of `Num`, the same structure at every step.
 * @typeParam X - one element of `xs`.
 * @typeParam Y - what a step outputs: a tree of `Num` (`[]` for nothing).
 * @param body - one step, `(carry, x) => [newCarry, y]`; `newCarry` must have `init`'s structure.
 * @param init - the initial carry.
 * @param xs - an array of trees of one structure (one per step), or `null` with `options.length`
 *   (then `x` is `undefined`).
 * @param options - `reverse`, `length`, `checkpoint` ({@link ScanOptions}).
 * @returns `[finalCarry, ys]`, `ys[i]` the output of the step that read `xs[i]`. An output without numbers (`[]`, `{}`) is one frozen value shared by every step.
 * @throws {@link TreeStructureError} when a step's carry does not mirror `init`, a `y` differs in
 *   structure from the first step's, or an element of `xs` from `xs[0]` (the message names the path).
 * @throws {@link ChainruleError} for a body that is not a function or does not return a pair,
 *   `xs` that is neither an array nor `null`, or bad options.
 * @example
 * ```ts
 * import { scan, grad, add, mul, type Num } from "chainrule";
 * // Running sums, and the gradient of the last one w.r.t. a weight applied at every step.
 * const [total, sums] = scan((c: Num, x: Num) => [add(c, x), add(c, x)] as const, 0, [1, 2, 3]);
 * console.log(total, sums); // 6 [1, 3, 6]
 * const decayed = (w: Num) => scan((c: Num, x: Num) => [add(mul(c, w), x), 0] as const, 0, [1, 1, 1])[0];
 * console.log(grad(decayed)(0.5)); // 2
 * ```
 * @category Loops
 */
export function scan<C, X, Y>(
  body: (carry: C, x: X) => readonly [NoInfer<CarryOut<C>>, Y],
  init: NoInfer<C>,
  xs: readonly X[] | null,
  options?: ScanOptions,
): [C, Y[]] {
  expectFunction(body, "scan", "a body function (carry, x) => [carry, y]");
  const opts = readOptions(options, SCAN_OPTIONS, "scan");
  let length: number;
  let xLeaves: Num[][] | null = null;
  let xDef: TreeDef | undefined;
  if (xs === null) {
    if (opts.length === undefined) throw new ChainruleError("scan: xs is null, so options.length must give the number of steps, e.g. scan(body, init, null, { length: 10 })");
    length = opts.length;
  } else {
    if (!isArrayValue(xs)) {
      throw new ChainruleError(`scan: xs must be an array of trees (one per step), or null with options.length, got ${describeValue(xs)}`);
    }
    length = xs.length;
    if (opts.length !== undefined && opts.length !== length) {
      throw new ChainruleError(`scan: options.length is ${opts.length} but xs has ${length} elements; they must agree (or leave length out)`);
    }
    xLeaves = new Array<Num[]>(length);
    for (let i = 0; i < length; i++) {
      if (xDef === undefined) {
        const first = flattenLive(xs[i], `xs[${i}]`, "scan: xs");
        xDef = first.def;
        xLeaves[i] = first.leaves;
      } else {
        xLeaves[i] = flattenAsLive(xDef, xs[i], `xs[${i}]`, "scan: xs (every element must have the structure of xs[0])");
      }
    }
  }
  const { leaves: initLeaves, def: carryDef } = flattenLive(init, "init", "scan: init");
  let yDef: TreeDef | undefined;
  const step = (carry: readonly Num[], x: readonly Num[]): FlatStep => {
    const [c, y] = splitPair(body(unflatten(carryDef, carry) as C, (xDef === undefined ? undefined : unflatten(xDef, x)) as X));
    const carryOut = flattenAsLive(carryDef, c, "carry", "scan: the body's carry output does not match init");
    if (yDef === undefined) {
      const first = flattenLive(y, "y", "scan: the body's output y");
      yDef = first.def;
      return { carry: carryOut, y: first.leaves };
    }
    return { carry: carryOut, y: flattenAsLive(yDef, y, "y", "scan: the body's output y differs in structure from another step's") };
  };
  const out = loopImpl.scan({
    body: step,
    init: initLeaves,
    xs: xLeaves,
    length,
    reverse: opts.reverse ?? false,
    snapshots: opts.checkpoint ?? undefined,
  });
  const ys = new Array<Y>(length);
  const nY = yDef === undefined ? 0 : yDef.numLeaves;
  if (length === 0 || yDef === undefined) {
    // no step traced: no outputs
  } else if (yDef.kind === "leaf") for (let i = 0; i < length; i++) ys[i] = out.ys[i] as Y;
  else if (nY === 0) ys.fill(frozenEmpty(yDef) as Y); // y without numbers (`[]`): one shared, frozen value
  else for (let i = 0; i < length; i++) ys[i] = unflatten(yDef, out.ys.slice(i * nY, (i + 1) * nY)) as Y;
  return [unflatten(carryDef, out.carry) as C, ys];
}

/** The value of a structure without leaves (`[]`, `{}`, nested), frozen at every level: safe to share. */
function frozenEmpty(def: TreeDef): unknown {
  const value = unflatten(def, []);
  const pending: unknown[] = [value];
  for (let v = pending.pop(); v !== undefined; v = pending.pop()) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) pending.push(child);
  }
  return value;
}

// ---- foriLoop ------------------------------------------------------------------------------------

/**
 * `carry = body(i, carry)` for `i = lower, …, upper - 1`, kept as one loop by transforms:
 * JAX's `lax.fori_loop`. The bounds are plain integers; with `upper <= lower` the result is
 * `init`.
 *
 * @typeParam C - the carry: a tree of `Num`.
 * @param lower - the first `i` (an integer).
 * @param upper - one past the last `i` (an integer).
 * @param body - one step, `(i, carry) => newCarry`, `newCarry` with `init`'s structure.
 * @param init - the initial carry.
 * @returns the final carry.
 * @throws {@link ConcretizationError} for a traced bound.
 * @throws {@link ChainruleError} for a bound that is not an integer or a body that is not a function.
 * @throws {@link TreeStructureError} when the body's output does not mirror `init`.
 * @example
 * ```ts
 * import { foriLoop, grad, add, mul, type Num } from "chainrule";
 * // x^5 by repeated multiplication, and its derivative 5x^4.
 * const pow5 = (x: Num) => foriLoop(0, 5, (_i: Num, p: Num) => mul(p, x), 1);
 * console.log(pow5(2), grad(pow5)(2)); // 32 80
 * console.log(foriLoop(1, 4, (i: Num, s: Num) => add(s, i), 0)); // 6
 * ```
 * @category Loops
 */
export function foriLoop<C>(lower: number, upper: number, body: (i: Num, carry: C) => NoInfer<CarryOut<C>>, init: NoInfer<C>): C {
  const lo = readBound(lower, "lower");
  const hi = readBound(upper, "upper");
  expectFunction(body, "foriLoop", "a body function (i, carry) => carry");
  const { leaves: initLeaves, def } = flattenLive(init, "init", "foriLoop: init");
  // The counter is the carry's first leaf, so that a body traced once sees it as a value.
  const step = (carry: readonly Num[]): FlatStep => {
    const i = carry[0]!;
    const out = flattenAsLive(def, body(i, unflatten(def, carry.slice(1)) as C), "carry", "foriLoop: the body's output does not match init");
    return { carry: [add(i, 1)].concat(out), y: [] };
  };
  const out = loopImpl.scan({ body: step, init: [lo as Num].concat(initLeaves), xs: null, length: Math.max(0, hi - lo), reverse: false, snapshots: undefined });
  return unflatten(def, out.carry.slice(1)) as C;
}

// ---- whileLoop -----------------------------------------------------------------------------------

/**
 * `while (condFn(carry)) carry = body(carry)`, kept as one loop by transforms: JAX's
 * `lax.while_loop`. The number of steps may depend on the data; reverse mode stores the carry
 * of every step taken. Use `options.maxSteps` to bound it.
 *
 * @typeParam C - the carry: a tree of `Num`.
 * @param condFn - `carry => Num`: nonzero (and not NaN) to take another step.
 * @param body - one step, `carry => newCarry`, `newCarry` with `init`'s structure.
 * @param init - the initial carry.
 * @param options - `maxSteps` ({@link WhileOptions}).
 * @returns the first carry for which `condFn` is 0.
 * @throws {@link ChainruleError} when the loop needs more than `maxSteps` steps, for functions
 *   that are not functions, a condition that is not a `Num`, or bad options.
 * @throws {@link TreeStructureError} when the body's output does not mirror `init`.
 * @example
 * ```ts
 * import { whileLoop, grad, abs, add, div, gt, mul, sub, type Num } from "chainrule";
 * // Newton's iteration for √a, to convergence; its derivative is 1/(2√a).
 * const sqrtNewton = (a: Num) =>
 *   whileLoop(
 *     (x: Num) => gt(abs(sub(mul(x, x), a)), 1e-12),
 *     (x: Num) => mul(0.5, add(x, div(a, x))),
 *     a,
 *     { maxSteps: 100 },
 *   );
 * console.log(sqrtNewton(9), grad(sqrtNewton)(9)); // 3 0.1667
 * ```
 * @category Loops
 */
export function whileLoop<C>(condFn: (carry: C) => Num, body: (carry: C) => NoInfer<CarryOut<C>>, init: NoInfer<C>, options?: WhileOptions): C {
  expectFunction(condFn, "whileLoop", "a condition function carry => Num");
  expectFunction(body, "whileLoop", "a body function carry => carry");
  const { maxSteps } = readOptions(options, WHILE_OPTIONS, "whileLoop");
  const { leaves: initLeaves, def } = flattenLive(init, "init", "whileLoop: init");
  const out = loopImpl.whileLoop({
    cond: (carry) => expectNum(condFn(unflatten(def, carry) as C), "whileLoop", "the condition's result"),
    body: (carry) => flattenAsLive(def, body(unflatten(def, carry) as C), "carry", "whileLoop: the body's output does not match init"),
    init: initLeaves,
    maxSteps,
  });
  return unflatten(def, out) as C;
}

/**
 * The operands of a branch and the arguments of a checkpointed function are passed to the
 * user's function as separate arguments: more than a call can take is refused up front.
 */
function refuseManyArguments(fn: string, what: string, count: number): void {
  if (count > MAX_SPREAD_ARGS) {
    throw new ChainruleError(`${fn}: ${count} ${what} are more than a function can be called with (at most ${MAX_SPREAD_ARGS}); pass them as one array or object instead`);
  }
}

// ---- cond and switchCase -------------------------------------------------------------------------

/**
 * Runs the branches through `loopImpl.switchCase`: `index` is already an integer in range;
 * every branch's output must have the structure of the first one that ran.
 */
function runBranches<R>(fn: string, names: readonly string[], branches: readonly unknown[], index: Num, operands: readonly unknown[]): R {
  refuseManyArguments(fn, "operands", operands.length);
  const { leaves, def: operandsDef } = flattenLive(operands, "operands", `${fn}: operands`);
  let outDef: TreeDef | undefined;
  let first = "";
  const flat = branches.map((branch, k) => (xs: readonly Num[]): Num[] => {
    const out = (branch as (...operands: unknown[]) => R)(...(unflatten(operandsDef, xs) as unknown[]));
    if (outDef === undefined) {
      const r = flattenLive(out, "out", `${fn}: the output of ${names[k]}`);
      outDef = r.def;
      first = names[k]!;
      return r.leaves;
    }
    return flattenAsLive(outDef, out, "out", `${fn}: the output of ${names[k]} differs in structure from the output of ${first}`);
  });
  const out = loopImpl.switchCase({ index, branches: flat, operands: leaves });
  return unflatten(outDef!, out) as R;
}

/**
 * `onTrue(...operands)` if `pred` is nonzero, else `onFalse(...operands)`: JAX's `lax.cond`.
 * Only the branch taken runs and receives a gradient, so a NaN or an infinity in the other
 * branch (`log` of a negative number, `1/0`) never reaches the value or the derivatives — unlike
 * `where`, which computes both sides. Inside `jit` both branches are traced and must return
 * trees of one structure.
 *
 * @typeParam A - the operands.
 * @typeParam R - what both branches return.
 * @param pred - the condition: nonzero and not NaN selects `onTrue`.
 * @param onTrue - the branch for a true `pred`.
 * @param onFalse - the branch for a false `pred`.
 * @param operands - the arguments passed to the branch (trees of `Num`).
 * @returns the taken branch's output.
 * @throws {@link TreeStructureError} when the branches return different structures.
 * @throws {@link ChainruleError} for a `pred` that is not a `Num`, or branches that are not functions.
 * @example
 * ```ts
 * import { cond, grad, gt, log, type Num } from "chainrule";
 * // log x for x > 0, else 0: log never sees a negative x, so nothing turns NaN.
 * const safeLog = (x: Num) => cond(gt(x, 0), (v: Num) => log(v), () => 0, x);
 * console.log(safeLog(-1), grad(safeLog)(2), grad(safeLog)(-1)); // 0 0.5 0
 * ```
 * @category Loops
 */
export function cond<A extends unknown[], R>(pred: Num, onTrue: (...operands: A) => R, onFalse: (...operands: A) => R, ...operands: A): R {
  expectNum(pred, "cond", "the condition pred");
  expectFunction(onTrue, "cond", "a function onTrue(...operands)");
  expectFunction(onFalse, "cond", "a function onFalse(...operands)");
  const index: Num = typeof pred === "number" ? (pred !== 0 && pred === pred ? 1 : 0) : where(pred, 1, 0);
  return runBranches("cond", ["onFalse", "onTrue"], [onFalse, onTrue], index, operands);
}

/**
 * `branches[index](...operands)`: JAX's `lax.switch`. `index` is rounded toward zero and
 * clamped to the branches (below 0 runs the first, past the end the last; NaN the first).
 * Only the branch taken runs and receives a gradient; inside `jit` every branch is traced and
 * all must return trees of one structure.
 *
 * @typeParam A - the operands.
 * @typeParam R - what every branch returns.
 * @param index - which branch (a `Num`).
 * @param branches - a non-empty array of functions of the operands.
 * @param operands - the arguments passed to the branch (trees of `Num`).
 * @returns the taken branch's output.
 * @throws {@link ChainruleError} for an empty or non-array `branches`, a branch that is not a
 *   function, or an `index` that is not a `Num`.
 * @throws {@link TreeStructureError} when branches return different structures.
 * @example
 * ```ts
 * import { switchCase, mul, sin, square, type Num } from "chainrule";
 * const branches = [(x: Num) => sin(x), (x: Num) => square(x), (x: Num) => mul(3, x)];
 * console.log(switchCase(1.7, branches, 4)); // 16
 * console.log(switchCase(9, branches, 4)); // 12
 * ```
 * @category Loops
 */
export function switchCase<A extends unknown[], R>(index: Num, branches: readonly ((...operands: A) => R)[], ...operands: A): R {
  expectNum(index, "switchCase", "the index");
  if (!isArrayValue(branches)) throw new ChainruleError(`switchCase: branches must be an array of functions, got ${describeValue(branches)}`);
  const fns: unknown[] = Array.from(branches);
  if (fns.length === 0) throw new ChainruleError("switchCase: branches is empty; give at least one function");
  const names = fns.map((_, k) => `branches[${k}]`);
  for (let k = 0; k < fns.length; k++) expectFunction(fns[k], "switchCase", `a function at ${names[k]}`);
  const last = fns.length - 1;
  let k: Num;
  if (typeof index === "number") {
    const t = Math.trunc(index);
    k = t >= last ? last : t > 0 ? t : 0; // NaN: 0
  } else {
    // The same on a traced index (these operations have no gradient).
    const t = where(lt(index, 0), ceil(index), floor(index));
    k = where(ge(t, last), last, where(gt(t, 0), t, 0));
  }
  return runBranches("switchCase", names, fns, k, operands);
}

// ---- checkpoint ----------------------------------------------------------------------------------

/**
 * `f`, whose intermediate values reverse mode recomputes in the backward pass instead of storing
 * them (JAX's `checkpoint`, or remat): less memory for one more evaluation of `f`. Values and
 * derivatives are those of `f`. Its arguments and result are trees of `Num`.
 *
 * @typeParam F - the type of `f`, which the result keeps.
 * @param f - the function.
 * @returns a function with `f`'s signature.
 * @throws {@link ChainruleError} when `f` is not a function.
 * @throws {@link TreeStructureError} when an argument or the result is not a tree of `Num`.
 * @example
 * ```ts
 * import { checkpoint, grad, mul, sin, type Num } from "chainrule";
 * const f = (x: Num) => sin(mul(x, x));
 * const g = checkpoint(f);
 * console.log(grad((x: Num) => g(g(x)))(1) === grad((x: Num) => f(f(x)))(1)); // true
 * ```
 * @category Loops
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F): F {
  expectFunction(f, "checkpoint");
  const wrapped = (...args: unknown[]): unknown => {
    refuseManyArguments("checkpoint", "arguments", args.length);
    const { leaves, def } = flattenLive(args, "args", "checkpoint: arguments");
    let outDef: TreeDef | undefined;
    const out = loopImpl.checkpoint({
      f: (xs) => {
        const r = flattenLive(f(...(unflatten(def, xs) as unknown[])), "out", "checkpoint: the function's output");
        outDef = r.def;
        return r.leaves;
      },
      inputs: leaves,
    });
    return unflatten(outDef!, out);
  };
  return wrapped as F;
}
