/**
 * Custom derivative rules: `customVjp(f, { fwd, bwd })` and `customJvp(f, { jvp })`, as in JAX,
 * except that they compose with every transform — a `customVjp` function works under `jvp`,
 * `jacfwd`, `hessian` and `jit`, and to any order (in JAX it does not: jax#16049).
 *
 * How: a custom function is an anonymous primitive over the flattened scalar leaves of its
 * arguments — one primitive per output leaf `j` (usually exactly one). Its `impl` evaluates `f`
 * on plain numbers and picks leaf `j` (one call of `f` serves all leaves). Its rule is the
 * user's rule, applied to the primal leaves one level down:
 *
 *   customVjp:  vjp(xs, out, ct) = flatten(bwd(residuals(xs), ct · eⱼ)),  residuals(xs) = fwd(...xs)[1]
 *   customJvp:  jvp(xs, out, ts) = leaf j of jvp(xs, ts)[1]
 *
 * The missing rules (a forward rule for `customVjp`, the local gradient for both) are derived
 * by `core/rules.ts`. Because `xs` are the values one level down, an enclosing transform sees
 * (and differentiates) every operation of `fwd` and `bwd` — that is what makes second order
 * and forward mode work.
 *
 * Residuals: the call site runs `fwd` once on the concrete inputs and keeps
 * `[inputs, residuals]` in the equation's `params`; the rule reuses them whenever it is called
 * on those same numbers (first-order reverse mode and `jvp`: `fwd` runs once, `bwd` once, as
 * in JAX). At higher orders the rule is called on traced values of an enclosing transform,
 * so `fwd` runs again on them (once per equation) — that recomputation is what lets the
 * enclosing transform differentiate through the residuals.
 */
import { isTracer, toNumber, type Num } from "../core/num.js";
import { unlistedPrimitive, type Primitive, type RuleSet } from "../core/primitive.js";
import { bind, flattenAsLive } from "../core/trace.js";
import { ChainruleError, ConcretizationError } from "../errors.js";
import { flatten, unflatten, type TreeDef } from "../tree/tree.js";
import type { Tangent, Tangents } from "../tree/types.js";
import type { OutputChecked } from "./grad.js";
import { argRoot, expectFunction, functionName, readFunction, readOptions, unflattenEach } from "./common.js";
import { stageFlat } from "../core/stage.js";
import { isArrayValue } from "../tree/tree.js";

/**
 * What `bwd` of {@link customVjp} returns: one gradient tree per argument of `f` (shaped like
 * that argument), or `null` for an argument whose gradient is zero.
 * @example
 * ```ts
 * import type { Cotangents, Num } from "chainrule";
 * // bwd of a function of (x: Num, w: Num[]) returns one gradient per argument, null for zero:
 * const cts: Cotangents<[Num, Num[]]> = [2, null];
 * console.log(cts.length); // 2
 * ```
 * @category Transforms
 */
export type Cotangents<P extends readonly unknown[]> = Readonly<{ [K in keyof P]: Tangent<P[K]> | null }>;

/**
 * The rules of {@link customVjp}.
 * @example
 * ```ts
 * import { customVjp, exp, log1p, mul, sigmoid, type CustomVjpRules, type Num } from "chainrule";
 * const softplusPlain = (x: Num) => log1p(exp(x));
 * const rules: CustomVjpRules<typeof softplusPlain, Num> = {
 *   fwd: (x) => [softplusPlain(x), x],
 *   bwd: (x, ct) => [mul(ct, sigmoid(x))],
 * };
 * console.log(customVjp(softplusPlain, rules)(0)); // 0.6931471805599453
 * ```
 * @typeParam F - the type of the function the rules are for.
 * @category Transforms
 */
export interface CustomVjpRules<F extends (...args: any[]) => unknown, Res> {
  /** The forward pass: `[f(...args), residuals]`; residuals are anything `bwd` needs. */
  readonly fwd: (...args: Parameters<F>) => readonly [ReturnType<F>, Res];
  /** The backward pass: one gradient per argument, given the residuals and the output's cotangent. */
  readonly bwd: (residuals: Res, cotangent: Tangent<ReturnType<F>>) => Cotangents<Parameters<F>>;
}

/**
 * The rule of {@link customJvp}.
 * @example
 * ```ts
 * import { customJvp, cos, mul, sin, type CustomJvpRules, type Num } from "chainrule";
 * const mySin = (x: Num) => sin(x);
 * const rules: CustomJvpRules<typeof mySin> = { jvp: ([x], [t]) => [sin(x), mul(cos(x), t)] };
 * console.log(customJvp(mySin, rules)(0)); // 0
 * ```
 * @typeParam F - the type of the function the rules are for.
 * @category Transforms
 */
export interface CustomJvpRules<F extends (...args: any[]) => unknown> {
  /** `[f(...primals), tangentOut]`: the output and its tangent along `tangents` (0 = no tangent). */
  readonly jvp: (primals: Parameters<F>, tangents: Tangents<Parameters<F>>) => readonly [ReturnType<F>, Tangent<ReturnType<F>>];
}

// ---- the shared machinery ------------------------------------------------------------------------

type Kind = "customVjp" | "customJvp";

/** A custom function at one input/output structure: its primitives and its last evaluation. */
interface Shape {
  readonly inDefs: readonly TreeDef[];
  readonly outDef: TreeDef;
  readonly prims: Primitive[];
  /** The last evaluation of `f` on numbers, so that m output leaves cost one call. */
  lastIn: readonly number[] | undefined;
  lastOut: readonly number[];
}

/**
 * Per-equation memory (the `params` of the custom primitives of one call): the residuals at
 * the call's concrete inputs, and the last residuals (or output tangents) computed by a rule.
 */
class CallMemo {
  constructor(
    /** The concrete input leaves at the call site (undefined under `jit`, where there are none). */
    readonly xs0: readonly number[] | undefined,
    /** `fwd`'s residuals at `xs0`. */
    readonly res0: unknown,
  ) {}
  xs: readonly Num[] | undefined = undefined;
  ts: readonly Num[] | undefined = undefined;
  value: unknown = undefined;
}

function sameLeaves(a: readonly Num[], b: readonly Num[] | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The concrete numbers of `leaves`, or undefined when one is abstract (under `jit`/`makeGraph`). */
function concreteValues(leaves: readonly Num[]): number[] | undefined {
  const xs = new Array<number>(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    try {
      xs[i] = toNumber(leaves[i]!);
    } catch (e) {
      if (e instanceof ConcretizationError) return undefined;
      throw e;
    }
  }
  return xs;
}

function displayName(kind: Kind, f: (...args: any[]) => unknown): string {
  const base = typeof f.name === "string" ? f.name.replace(/[^A-Za-z0-9_]/g, "") : "";
  return base === "" ? kind : `${kind}_${base}`;
}

function expectPair(r: unknown, what: string): readonly [unknown, unknown] {
  if (!isArrayValue(r) || r.length !== 2) {
    throw new ChainruleError(`${what} must return a pair [out, ${what.endsWith("fwd") ? "residuals" : "tangentOut"}], got ${r === null ? "null" : isArrayValue(r) ? `an array of length ${r.length}` : typeof r}`);
  }
  return r as unknown as readonly [unknown, unknown];
}

function checkStructure(expected: TreeDef, def: TreeDef, what: string): void {
  if (!expected.equals(def)) {
    throw new ChainruleError(`${what} returned a tree of structure ${String(def)}, but f returns ${String(expected)}: they must agree`);
  }
}

/**
 * Builds the function a custom rule returns. `primal(args)` evaluates at concrete arguments
 * and returns `[out, residuals]`; `rule(shape, j)` is the rule of output leaf `j`.
 */
function customFunction(
  kind: Kind,
  f: (...args: unknown[]) => unknown,
  primal: (args: unknown[]) => readonly [unknown, unknown],
  rule: (shape: Shape, j: number, name: string) => RuleSet,
): (...args: unknown[]) => unknown {
  const name = displayName(kind, f);
  const label = `${kind}(${functionName(f)})`;
  const shapes = new Map<string, Shape>();
  const outDefs = new Map<string, TreeDef>();

  const shapeOf = (inKey: string, inDefs: readonly TreeDef[], outDef: TreeDef): Shape => {
    const key = `${inKey} -> ${String(outDef)}`;
    let s = shapes.get(key);
    if (s !== undefined) return s;
    const n = inDefs.reduce((a, d) => a + d.numLeaves, 0);
    const m = outDef.numLeaves;
    const shape: Shape = { inDefs, outDef, prims: [], lastIn: undefined, lastOut: [] };
    for (let j = 0; j < m; j++) {
      /** Output leaf j of f at the input leaves xs (f runs once per new xs, for all its outputs). */
      const valueAt = (xs: number[]): number => {
        if (!sameLeaves(xs, shape.lastIn)) {
          const { leaves, def } = flatten(f(...unflattenEach(inDefs, xs)), "", `${label}: output`);
          checkStructure(outDef, def, `${label}: f`);
          for (const y of leaves) {
            if (typeof y !== "number") {
              throw new ChainruleError(
                `${label}: f returned a traced value when called on plain numbers — it closes over a value traced by an enclosing transform. Pass that value to f as an argument instead.`,
              );
            }
          }
          shape.lastIn = xs.slice();
          shape.lastOut = leaves as number[];
        }
        return shape.lastOut[j]!;
      };
      shape.prims.push(
        unlistedPrimitive({
          name: m === 1 ? name : `${name}_${j}`,
          arity: n,
          impl: (...xs: number[]) => valueAt(xs),
          // Any number of input leaves: called with the array, never spread (see applyImpl).
          implArray: (xs: ArrayLike<number>) => valueAt(Array.isArray(xs) ? (xs as number[]) : Array.from(xs)),
          rule: rule(shape, j, label) as never,
          emit: undefined,
        }),
      );
    }
    shapes.set(key, shape);
    return shape;
  };

  /** The output structure at input structure `inDefs`, without values: stage `f` once. */
  const abstractOutDef = (inKey: string, inDefs: readonly TreeDef[]): TreeDef => {
    let def = outDefs.get(inKey);
    if (def !== undefined) return def;
    let staged: TreeDef | undefined;
    stageFlat(
      (inputs) => {
        staged = flatten(f(...unflattenEach(inDefs, inputs)), "", `${label}: output`).def;
        return { outputs: [] };
      },
      new Array<string>(inDefs.reduce((n, d) => n + d.numLeaves, 0)).fill(""),
      label,
    );
    def = staged!;
    outDefs.set(inKey, def);
    return def;
  };

  return (...args: unknown[]): unknown => {
    const flat = args.map((a, i) => flatten(a, argRoot(i, args.length), `${label}: argument`));
    const leaves = flat.flatMap((a) => a.leaves);
    // Outside every transform a custom function is just f.
    if (!leaves.some(isTracer)) return f(...args);
    const inDefs = flat.map((a) => a.def);
    const inKey = inDefs.map(String).join(" | ");
    const xs0 = concreteValues(leaves);
    let shape: Shape;
    let memo: CallMemo;
    if (xs0 !== undefined) {
      const [out, res] = primal(unflattenEach(inDefs, xs0));
      const { leaves: outLeaves, def } = flatten(out, "", `${label}: output`);
      outDefs.set(inKey, def);
      shape = shapeOf(inKey, inDefs, def);
      if (outLeaves.every((y) => typeof y === "number")) {
        shape.lastIn = xs0;
        shape.lastOut = outLeaves as number[];
      }
      memo = new CallMemo(xs0, res);
    } else {
      shape = shapeOf(inKey, inDefs, abstractOutDef(inKey, inDefs));
      memo = new CallMemo(undefined, undefined);
    }
    const outs = shape.prims.map((p) => bind(p, leaves, memo));
    return unflatten(shape.outDef, outs);
  };
}

// ---- customVjp -----------------------------------------------------------------------------------

/**
 * Gives `f` a hand-written reverse-mode rule, as JAX's `custom_vjp`: `fwd(...args)` returns
 * `[out, residuals]` and `bwd(residuals, cotangent)` returns one gradient tree per argument
 * (or `null` for a zero gradient). Write `fwd` and `bwd` with chainrule's ops: they are
 * differentiated in turn, so the function works under every transform — `grad` to any order,
 * `jvp`, `jacfwd`, `hessian`, `jit` — with the custom rule used at every level.
 *
 * Outside every transform the result just calls `f`. Under a transform `f` is one primitive
 * (per output leaf) in the graph; at first order `fwd` and `bwd` run once each per call, at
 * higher orders `fwd` is recomputed in the backward pass on the enclosing transform's values,
 * which is how those transforms differentiate through the residuals.
 *
 * Every argument must be a tree of `Num`. `f`, `fwd` and `bwd` must not close over values
 * traced by an enclosing transform (pass them as arguments), and the structure of `f`'s output
 * may depend on the arguments' structure but not on their values.
 *
 * @param f - the function; any trees of `Num` in and out.
 * @param rules - `{ fwd, bwd }`.
 * @returns a function with the same signature as `f`.
 * @throws {@link ChainruleError} when `rules` is not `{ fwd, bwd }` with two functions (an unknown
 *   key is refused); (when called) if `fwd` does not return a pair, or `bwd` does not return one
 *   gradient per argument.
 * @throws {@link TreeStructureError} (when called) if a gradient from `bwd` is not shaped like
 *   its argument (the message names the path, e.g. `args[1].w[0]`).
 * @example
 * ```ts
 * import { customVjp, grad, jvp, hessian, exp, log1p, mul, sigmoid, sub, type Num } from "chainrule";
 * // log(1 + eˣ), with the gradient sigmoid(x), stable for large x.
 * const softplus = customVjp((x: Num) => log1p(exp(x)), {
 *   fwd: (x) => [log1p(exp(x)), sigmoid(x)],
 *   bwd: (s, ct) => [mul(ct, s)],
 * });
 * console.log(grad(softplus)(1000)); // 1
 * console.log(grad(grad(softplus))(0)); // 0.25 = σ'(0)
 * console.log(jvp(softplus, [0], [2])[1]); // 1
 * console.log(hessian((x: Num[]) => softplus(sub(x[0]!, x[1]!)))([0, 0])); // [[0.25, -0.25], [-0.25, 0.25]]
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function customVjp<F extends (...args: any[]) => unknown, const Res>(f: OutputChecked<F, false, "customVjp">, rules: CustomVjpRules<F, Res>): F;
export function customVjp<F extends (...args: any[]) => unknown, const Res>(f: F, rules: CustomVjpRules<F, Res>): F {
  expectFunction(f, "customVjp");
  const read = readOptions(rules, { fwd: readFunction, bwd: readFunction }, "customVjp", "rules");
  if (read.fwd === undefined || read.bwd === undefined) {
    throw new ChainruleError("customVjp(f, { fwd, bwd }) needs fwd: (...args) => [out, residuals] and bwd: (residuals, cotangent) => gradients");
  }
  const fwd = read.fwd as (...args: unknown[]) => unknown;
  const bwd = read.bwd as (res: unknown, ct: unknown) => unknown;
  const label = `customVjp(${functionName(f)})`;
  const runFwd = (args: unknown[]): readonly [unknown, unknown] => expectPair(fwd(...args), `${label}: fwd`);
  const g = customFunction("customVjp", f as (...args: unknown[]) => unknown, runFwd, (shape, j) => {
    const { inDefs, outDef } = shape;
    const m = outDef.numLeaves;
    const residuals = (xs: readonly Num[], memo: CallMemo | undefined): unknown => {
      if (memo === undefined) return runFwd(unflattenEach(inDefs, xs))[1];
      if (sameLeaves(xs, memo.xs0)) return memo.res0;
      if (sameLeaves(xs, memo.xs)) return memo.value;
      const res = runFwd(unflattenEach(inDefs, xs))[1];
      memo.xs = xs.slice();
      memo.value = res;
      return res;
    };
    return {
      vjp: (xs, _out, ct, params) => {
        const res = residuals(xs, params as CallMemo | undefined);
        const cts = m === 1 && outDef.kind === "leaf" ? ct : unflatten(outDef, Array.from({ length: m }, (_, k) => (k === j ? ct : 0)));
        const grads = bwd(res, cts);
        if (!isArrayValue(grads) || grads.length !== inDefs.length) {
          throw new ChainruleError(
            `${label}: bwd must return an array with one gradient per argument of f (${inDefs.length}), got ${isArrayValue(grads) ? `an array of length ${grads.length}` : grads === null ? "null" : typeof grads}`,
          );
        }
        const out: Num[] = [];
        grads.forEach((gr: unknown, i) => {
          const d = inDefs[i]!;
          if (gr === null || gr === undefined) {
            for (let k = 0; k < d.numLeaves; k++) out.push(0);
          } else {
            for (const c of flattenAsLive(d, gr, `args[${i}]`, `${label}: the gradient bwd returned`)) out.push(c);
          }
        });
        return out;
      },
    };
  });
  return g as F;
}

// ---- customJvp -----------------------------------------------------------------------------------

/**
 * Gives `f` a hand-written forward-mode rule, as JAX's `custom_jvp`: `jvp(primals, tangents)`
 * returns `[out, tangentOut]`, where `primals` and `tangents` hold one tree per argument (a
 * tangent of exactly `0` means "no tangent"). Write the rule with chainrule's ops: it is
 * differentiated in turn, so the function works under every transform — `jvp` and `grad` to
 * any order, `jacrev`, `hessian`, `jit`. Reverse mode derives the local gradient from the rule
 * (one call per input leaf).
 *
 * Outside every transform the result just calls `f`; under a transform the value is `f`'s and
 * the rule supplies only the tangent. The same restrictions as {@link customVjp} apply.
 *
 * @param f - the function; any trees of `Num` in and out.
 * @param rules - `{ jvp }`.
 * @returns a function with the same signature as `f`.
 * @throws {@link ChainruleError} when `rules` is not `{ jvp }` with a function (an unknown key is
 *   refused); (when called) if `jvp` does not return a pair.
 * @throws {@link TreeStructureError} (when called) if the tangent is not shaped like the output.
 * @example
 * ```ts
 * import { customJvp, grad, div, exp, log1p, mul, add, type Num } from "chainrule";
 * const softplus = customJvp((x: Num) => log1p(exp(x)), {
 *   jvp: ([x], [t]) => [log1p(exp(x)), mul(t, div(1, add(1, exp(mul(-1, x)))))],
 * });
 * console.log(grad(softplus)(0)); // 0.5
 * console.log(grad(grad(softplus))(0)); // 0.25
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function customJvp<F extends (...args: any[]) => unknown>(f: OutputChecked<F, false, "customJvp">, rules: CustomJvpRules<F>): F;
export function customJvp<F extends (...args: any[]) => unknown>(f: F, rules: CustomJvpRules<F>): F {
  expectFunction(f, "customJvp");
  const { jvp: rule } = readOptions(rules, { jvp: readFunction }, "customJvp", "rules");
  if (rule === undefined) throw new ChainruleError("customJvp(f, { jvp }) needs jvp: (primals, tangents) => [out, tangentOut]");
  const jvpRule = rule as (primals: unknown[], tangents: unknown[]) => unknown;
  const label = `customJvp(${functionName(f)})`;
  const g = customFunction(
    "customJvp",
    f as (...args: unknown[]) => unknown,
    (args) => [f(...args), undefined],
    (shape, j) => {
      const { inDefs, outDef } = shape;
      return {
        jvp: (xs, _out, ts, params) => {
          const memo = params as CallMemo | undefined;
          if (memo !== undefined && sameLeaves(xs, memo.xs) && sameLeaves(ts, memo.ts)) return (memo.value as Num[])[j]!;
          const [, tOut] = expectPair(jvpRule(unflattenEach(inDefs, xs), unflattenEach(inDefs, ts)), `${label}: jvp`);
          const touts = flattenAsLive(outDef, tOut, "", `${label}: the tangent jvp returned`);
          if (memo !== undefined) {
            memo.xs = xs.slice();
            memo.ts = ts.slice();
            memo.value = touts;
          }
          return touts[j]!;
        },
      };
    },
  );
  return g as F;
}
