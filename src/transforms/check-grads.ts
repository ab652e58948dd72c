/**
 * `checkGrads`: compares derivatives computed by automatic differentiation with central finite
 * differences, in forward and reverse mode, up to a given order — as JAX's
 * `jax.test_util.check_grads`, but entry by entry, so that a failure names the tree path.
 */
import { isTracer, type Num } from "../core/num.js";
import { ChainruleError, GradientCheckError, TreeStructureError, type GradientCheckEntry } from "../errors.js";
import { flatten, leafPaths, splitLeaves, unflatten, type TreeDef } from "../tree/tree.js";
import { describeValue } from "../core/num.js";
import { expectFunction, expectScalar, isArrayValue, readNumber, readOptions, type OptionReader } from "./common.js";
import { jacfwd, jacrev } from "./jacobian.js";

/**
 * How `checkGrads` computes derivatives: `fwd` (forward mode, `jacfwd`) or `rev` (reverse
 * mode, `jacrev`/`grad`).
 * @example
 * ```ts
 * import { checkGrads, mul, sin, type GradMode } from "chainrule";
 * const modes: GradMode[] = ["rev"];
 * checkGrads((x: number) => mul(x, sin(x)), [0.5], { modes }); // reverse mode only
 * ```
 * @category Transforms
 */
export type GradMode = "fwd" | "rev";

/**
 * Options of {@link checkGrads}.
 * @example
 * ```ts
 * import { checkGrads, exp, type CheckGradsOptions } from "chainrule";
 * const strict: CheckGradsOptions = { order: 2, rtol: 1e-8, atol: 1e-8 };
 * checkGrads((x: number) => exp(x), [0.3], strict); // first and second derivatives, both modes
 * ```
 * @category Transforms
 */
export interface CheckGradsOptions {
  /**
   * Check derivatives up to this order: 1 (gradients) or 2 (also the derivatives of the
   * gradients). Default 1. Higher orders are not supported: each order multiplies the work by
   * the number of checked leaves and modes.
   */
  readonly order?: number;
  /** Which modes to check; at order 2 every combination (`fwd over rev`, …). Default `["fwd", "rev"]`. */
  readonly modes?: readonly GradMode[];
  /**
   * Finite-difference step (absolute, finite and positive). Default `1e-4`. The estimate is a central difference
   * refined by one Richardson step (steps `eps` and `eps/2`), accurate to about `eps⁴`.
   */
  readonly eps?: number;
  /** Relative tolerance, finite and ≥ 0. Default `1e-6`. */
  readonly rtol?: number;
  /** Absolute tolerance, finite and ≥ 0: an entry passes when `|actual − expected| ≤ atol + rtol·|expected|`. Default `1e-6`. */
  readonly atol?: number;
}

/** A function of the flat vector of every checked leaf, with a flat output. */
type FlatFn = (theta: Num[]) => Num[];

/** One function whose derivatives are checked: `f` itself, then its derivative functions. */
interface Level {
  readonly fn: FlatFn;
  /** For each output leaf, the paths of the differentiations that produced it. */
  readonly labels: readonly (readonly string[])[];
  /** Modes of the differentiations so far, innermost first. */
  readonly modes: readonly GradMode[];
}

const MAX_LISTED = 10;

const readOrder: OptionReader<number> = (value, where) => {
  if (value !== 1 && value !== 2) {
    throw new ChainruleError(
      `${where} must be 1 (first derivatives) or 2 (also second derivatives), got ${describeValue(value)}: higher orders are not supported (each order multiplies the work)`,
    );
  }
  return value;
};

const readModes: OptionReader<GradMode[]> = (value, where) => {
  const list = isArrayValue(value) ? Array.from(value) : undefined;
  const ok = list !== undefined && list.length > 0 && list.every((m, i) => (m === "fwd" || m === "rev") && list.indexOf(m) === i);
  if (!ok) {
    throw new ChainruleError(`${where} must be a non-empty array of distinct modes "fwd" and "rev", got ${describeValue(value)}`);
  }
  return list as GradMode[];
};

const CHECK_GRADS_OPTIONS = {
  order: readOrder,
  modes: readModes,
  eps: readNumber("> 0", (x) => x > 0),
  rtol: readNumber("≥ 0", (x) => x >= 0),
  atol: readNumber("≥ 0", (x) => x >= 0),
};

/** Central differences with one Richardson step: `expected[out][in]`. */
function finiteDifferences(fn: FlatFn, theta: readonly number[], eps: number): number[][] {
  const at = (l: number, h: number): { x: number; y: number[] } => {
    const t = theta.slice();
    t[l] = theta[l]! + h;
    return { x: t[l]!, y: fn(t) as number[] };
  };
  const cols: number[][] = [];
  for (let l = 0; l < theta.length; l++) {
    const p1 = at(l, eps);
    const m1 = at(l, -eps);
    const p2 = at(l, eps / 2);
    const m2 = at(l, -eps / 2);
    // Divide by the steps actually taken (x ± h is rounded).
    const h1 = p1.x - m1.x;
    const h2 = p2.x - m2.x;
    cols.push(
      p1.y.map((_, o) => {
        const d1 = (p1.y[o]! - m1.y[o]!) / h1;
        const d2 = (p2.y[o]! - m2.y[o]!) / h2;
        return (4 * d2 - d1) / 3;
      }),
    );
  }
  const m = cols.length > 0 ? cols[0]!.length : 0;
  return Array.from({ length: m }, (_, o) => cols.map((c) => c[o]!));
}

function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(10))) : String(x);
}

/**
 * Checks the derivatives of a scalar function against central finite differences, like JAX's
 * `check_grads`: with respect to every argument in `args` that is a tree of numbers (the others
 * pass through untouched), in forward and reverse mode, up to `order` (1 by default; 2 also
 * checks the derivatives of the first-derivative functions, in every combination of modes).
 * Use it to test a custom rule (`customVjp`, `customJvp`, `definePrimitive`).
 *
 * @param f - a function returning a scalar `Num`.
 * @param args - all arguments of `f`, as an array.
 * @param options - `order`, `modes`, `eps`, `rtol`, `atol` (see {@link CheckGradsOptions}).
 * @returns nothing when every derivative agrees.
 * @throws {@link GradientCheckError} listing the worst disagreeing derivatives by tree path
 *   (e.g. `args[0].w[3]`), expected vs actual, with mode and order; `.entries` has them all.
 * @throws {@link NonScalarOutputError} when `f` returns an array or object.
 * @throws {@link ChainruleError} for bad options, or when called inside a transform.
 * @example
 * ```ts
 * import { checkGrads, customVjp, mul, sin, cos, type Num } from "chainrule";
 * const mySin = customVjp((x: Num) => sin(x), {
 *   fwd: (x) => [sin(x), x],
 *   bwd: (x, ct) => [mul(ct, cos(x))],
 * });
 * checkGrads((p: { a: Num }, k: string) => mul(mySin(p.a), p.a), [{ a: 0.5 }, "not checked"], { order: 2 });
 * console.log("ok"); // nothing thrown: the rule agrees with finite differences
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function checkGrads<F extends (...args: any[]) => Num>(f: F, args: Parameters<F>, options: CheckGradsOptions = {}): void {
  expectFunction(f, "checkGrads");
  if (!isArrayValue(args)) throw new ChainruleError(`checkGrads(f, args): args must be the array of all arguments of f, got ${describeValue(args)}`);
  const { order = 1, modes = ["fwd", "rev"], eps = 1e-4, rtol = 1e-6, atol = 1e-6 } = readOptions(options, CHECK_GRADS_OPTIONS, "checkGrads");

  // The arguments that are trees of numbers; the others pass through.
  const numeric: { index: number; def: TreeDef; leaves: number[] }[] = [];
  args.forEach((a: unknown, index: number) => {
    let flat: { leaves: Num[]; def: TreeDef };
    try {
      flat = flatten(a, `args[${index}]`, "checkGrads");
    } catch (e) {
      if (e instanceof TreeStructureError) return;
      throw e;
    }
    if (flat.leaves.some(isTracer)) {
      throw new ChainruleError(`checkGrads: args[${index}] holds a traced value; call checkGrads outside every transform, with numbers`);
    }
    numeric.push({ index, def: flat.def, leaves: flat.leaves as number[] });
  });
  const theta0 = numeric.flatMap((a) => a.leaves);
  if (theta0.length === 0) return;
  const paths = numeric.flatMap((a) => leafPaths(a.def, `args[${a.index}]`));
  const defs = numeric.map((a) => a.def);
  const rebuild = (theta: readonly Num[]): unknown[] => {
    const callArgs = (args as unknown[]).slice();
    const pieces = splitLeaves(defs, theta);
    numeric.forEach((a, i) => (callArgs[a.index] = unflatten(a.def, pieces[i]!)));
    return callArgs;
  };

  const failures: GradientCheckEntry[] = [];
  const scores: number[] = [];
  let checked = 0;
  let levels: Level[] = [{ fn: (theta) => [expectScalar(f(...rebuild(theta)), "checkGrads")], labels: [[]], modes: [] }];
  for (let k = 1; k <= order; k++) {
    const next: Level[] = [];
    for (const level of levels) {
      const expected = finiteDifferences(level.fn, theta0, eps);
      for (const mode of modes) {
        const jac = mode === "fwd" ? jacfwd(level.fn) : jacrev(level.fn);
        const actual = jac(theta0) as number[][];
        const modeName = [mode, ...[...level.modes].reverse()].join(" over ");
        actual.forEach((rowA, o) => {
          rowA.forEach((a, l) => {
            const e = expected[o]![l]!;
            checked++;
            const diff = Math.abs(a - e);
            const tol = atol + rtol * Math.abs(e);
            if (diff <= tol || Object.is(a, e) || (a !== a && e !== e)) return;
            const p = [...level.labels[o]!, paths[l]!];
            failures.push({ path: p.length === 1 ? p[0]! : `(${p.join(", ")})`, paths: p, order: k, mode: modeName, expected: e, actual: a });
            scores.push(diff === diff ? diff / (tol > 0 ? tol : Number.MIN_VALUE) : Infinity);
          });
        });
        if (k < order) {
          next.push({
            fn: (theta) => (jac(theta) as Num[][]).flat(),
            labels: level.labels.flatMap((lab) => paths.map((p) => [...lab, p])),
            modes: [...level.modes, mode],
          });
        }
      }
    }
    levels = next;
  }
  if (failures.length === 0) return;

  const order_ = failures.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]!);
  const sorted = order_.map((i) => failures[i]!);
  const lines = sorted.slice(0, MAX_LISTED).map(
    (e) =>
      `  ${e.path} (order ${e.order}, ${e.mode}): expected ${show(e.expected)} (finite differences), got ${show(e.actual)}` +
      (Number.isFinite(e.actual - e.expected) ? `, off by ${show(Math.abs(e.actual - e.expected))}` : ""),
  );
  if (sorted.length > MAX_LISTED) lines.push(`  … and ${sorted.length - MAX_LISTED} more`);
  throw new GradientCheckError(
    `checkGrads: ${sorted.length} of ${checked} derivatives disagree with central finite differences ` +
      `(eps ${eps}, rtol ${rtol}, atol ${atol}); worst first:\n${lines.join("\n")}`,
    sorted,
  );
}
