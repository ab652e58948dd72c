/**
 * Small pieces every transform shares: argument positions and paths, options, and the edge
 * between user trees and the engine's flat lists of leaves (`flattenArgs`/`rebuildArgs`).
 */
import { ChainruleError, NonScalarOutputError } from "../errors.js";
import { describeValue, isTracer, type Num } from "../core/num.js";
import { flattenLive } from "../core/trace.js";
import { stageFlat } from "../core/stage.js";
import type { Graph } from "../core/graph.js";
import { leafPaths, splitLeaves, unflatten, type TreeDef } from "../tree/tree.js";
import { isArrayValue } from "../tree/tree.js";
import { readAny, readBoolean, type OptionReader } from "../util/options.js";
export { isArrayValue };
export {
  expectFunction,
  functionName,
  readAny,
  readBoolean,
  readFunction,
  readNumber,
  readOptions,
  type OptionReader,
  type OptionSpec,
  type ReadOptions,
} from "../util/options.js";

/**
 * `number` or an array of them: which arguments a transform differentiates (the `argnums`
 * option of {@link grad} and {@link valueAndGrad}).
 *
 * @example
 * ```ts
 * import { grad, mul, type Argnums, type Num } from "chainrule";
 * const which: Argnums = [0, 1];
 * console.log(grad((x: Num, y: Num) => mul(x, y), { argnums: which })(2, 3)); // [3, 2]
 * ```
 * @category Transforms
 */
export type Argnums = number | readonly number[];

/** The path prefix of argument `i` in messages: `args[i]` when there are several, else none. */
export function argRoot(i: number, count: number): string {
  return count > 1 ? `args[${i}]` : "";
}

// ---- trees in, leaves out -----------------------------------------------------------------------

/** The arguments a transform traces, flattened: every leaf in order, and how to put them back. */
export interface FlatArgs {
  /** The call's arguments as given (untraced positions are passed through as they are). */
  readonly args: readonly unknown[];
  /** The traced positions, in order. */
  readonly positions: readonly number[];
  /** The structure of each traced argument. */
  readonly defs: readonly TreeDef[];
  /** All their leaves, argument after argument. */
  readonly leaves: Num[];
}

/**
 * Flattens the arguments at `positions` (each leaf checked: no leaked tracer); `what` names them
 * in messages (e.g. `grad: argument`).
 */
export function flattenArgs(args: readonly unknown[], positions: readonly number[], what: string): FlatArgs {
  const defs: TreeDef[] = [];
  const leaves: Num[] = [];
  for (const k of positions) {
    const r = flattenLive(args[k], argRoot(k, args.length), what);
    defs.push(r.def);
    for (let i = 0; i < r.leaves.length; i++) leaves.push(r.leaves[i]!);
  }
  return { args, positions, defs, leaves };
}

/** The call's arguments with the traced positions rebuilt from `leaves` (one per leaf of `fa`). */
export function rebuildArgs(fa: FlatArgs, leaves: readonly Num[]): unknown[] {
  const callArgs = fa.args.slice();
  const trees = unflattenEach(fa.defs, leaves);
  fa.positions.forEach((k, a) => {
    callArgs[k] = trees[a];
  });
  return callArgs;
}

/** One tree per def, read in turn from the flat list `leaves`. */
export function unflattenEach(defs: readonly TreeDef[], leaves: readonly Num[]): unknown[] {
  return splitLeaves(defs, leaves).map((part, i) => unflatten(defs[i]!, part));
}

/** The argument path of every leaf of `fa` (for printed graphs). */
export function leafPathsOf(fa: FlatArgs): string[] {
  const out: string[] = [];
  fa.positions.forEach((k, a) => {
    for (const p of leafPaths(fa.defs[a]!, argRoot(k, fa.args.length))) out.push(p);
  });
  return out;
}

/** Flattens a function's output tree (`what` names it in messages); its leaves must not be leaked tracers. */
export function flattenOutput(out: unknown, what: string): { leaves: Num[]; def: TreeDef } {
  return flattenLive(out, "", what);
}


// ---- argument positions (argnums, staticArgnums) -------------------------------------------------

/**
 * Checks a list of argument positions — `argnums`, `staticArgnums` — as far as it can be checked
 * without a call: a position (an integer ≥ 0), or an array of distinct ones. Returns a copy (so
 * a later change to the user's array changes nothing). The range is checked at each call by
 * {@link argumentPositions}.
 */
export const readPositions: OptionReader<Argnums> = (value, where) => {
  if (typeof value === "number") {
    checkPosition(value, where);
    return value;
  }
  const list = isArrayValue(value) ? Array.from(value) : undefined;
  if (list === undefined) {
    throw new ChainruleError(`${where} must be an argument position (an integer ≥ 0) or an array of them, got ${describeValue(value)}`);
  }
  const seen = new Set<number>();
  for (const k of list) {
    checkPosition(k, where);
    if (seen.has(k)) throw new ChainruleError(`${where} lists argument ${k} twice`);
    seen.add(k);
  }
  return list as number[];
};

function checkPosition(k: unknown, where: string): asserts k is number {
  if (typeof k !== "number" || !Number.isInteger(k)) {
    throw new ChainruleError(`${where} must contain argument positions (integers ≥ 0), got ${describeValue(k)}`);
  }
  if (k < 0) throw new ChainruleError(`${where} ${k} is negative; argument positions start at 0`);
}

/** The positions in `argnums`/`staticArgnums` (checked by {@link readPositions}) as an array; none for undefined. */
export function positionList(positions: Argnums | undefined): number[] {
  return positions === undefined ? [] : typeof positions === "number" ? [positions] : positions.slice();
}

/**
 * The options of `jit`. `cacheSize` and `verify` are checked by `jit` itself (`readAny`);
 * `verify` is a boolean.
 */
export const JIT_OPTIONS = { staticArgnums: readPositions, cacheSize: readAny, verify: readBoolean };

/**
 * The argument positions of a call with `count` arguments, as an array: `positions` (checked by
 * {@link readPositions}) must all be below `count`.
 * @throws {@link ChainruleError} for a position out of range, saying how many arguments there were.
 */
export function argumentPositions(positions: Argnums, count: number, where: string): number[] {
  const list = positionList(positions);
  for (const k of list) {
    if (k >= count) {
      throw new ChainruleError(
        `${where} ${k} is out of range: the function was called with ${count} argument${count === 1 ? "" : "s"}` +
          (count === 0 ? "" : ` (positions 0 to ${count - 1})`),
      );
    }
  }
  return list;
}

/** Splits the `[value, aux]` pair that a function with `hasAux: true` returns. */
export function splitAux(out: unknown, transform: string): [unknown, unknown] {
  if (!isArrayValue(out) || out.length !== 2) {
    throw new ChainruleError(
      `${transform} with hasAux: true expects the function to return [value, aux], got ${describeValue(out)}`,
    );
  }
  return [out[0], out[1]];
}

/** Checks that a function's output is a scalar `Num`. */
export function expectScalar(out: unknown, transform: string): Num {
  if (typeof out === "number" || isTracer(out)) return out;
  throw new NonScalarOutputError(
    `${transform} needs a function that returns a scalar Num, but it returned ${describeValue(out)}. ` +
      "For array or object outputs use vjp or jacrev, or reduce the output to a scalar (sum, mean, dot).",
  );
}

/** The options of `grad`, `valueAndGrad`, `jacfwd`, `jacrev` and `hessian`. */
export const GRAD_OPTIONS = { argnums: readPositions, hasAux: readBoolean };

/** Stages `f` at the structure of `args` (static positions passed through); the shared edge of `makeGraph` and `jit`. */
export function stage(
  f: (...args: any[]) => unknown,
  args: readonly unknown[],
  staticArgnums: number | readonly number[] | undefined,
  transform: string,
): { graph: Graph } {
  const statics = new Set(staticArgnums === undefined ? [] : typeof staticArgnums === "number" ? [staticArgnums] : staticArgnums);
  const traced: number[] = [];
  for (let i = 0; i < args.length; i++) if (!statics.has(i)) traced.push(i);
  const fa = flattenArgs(args, traced, `${transform}: argument (mark non-numeric arguments with staticArgnums)`);
  let outDef: TreeDef | undefined;
  const { graph } = stageFlat(
    (inputs) => {
      const { leaves, def } = flattenOutput(f(...rebuildArgs(fa, inputs)), `${transform}: output`);
      outDef = def;
      return { outputs: leaves };
    },
    leafPathsOf(fa),
    transform,
  );
  graph.outputDef = outDef;
  return { graph };
}
