/**
 * `grad` and `valueAndGrad`: reverse mode for scalar functions, with `argnums` and `hasAux`.
 */
import { backward, zeroCotangents } from "../core/backward.js";
import type { Num } from "../core/num.js";
import { withNewTrace } from "../core/trace.js";
import type { Aux, Primal } from "../tree/types.js";
import {
  argRoot,
  argumentPositions,
  expectFunction,
  expectScalar,
  lowerAux,
  lowerValue,
  readBoolean,
  readOptions,
  readPositions,
  splitAux,
  type Argnums,
} from "./common.js";
import { gradientOf, ReverseTrace, traceArgument, type ReverseTracer } from "./vjp.js";

export type { Argnums } from "./common.js";

/**
 * The gradients `grad` returns for the argument tuple `P` and `argnums` `A`: one tree for a
 * number, a tuple of trees for an array.
 *
 * @example
 * ```ts
 * import type { GradOf, Num } from "chainrule";
 * type Args = [params: { w: Num[] }, x: number];
 * const g: GradOf<Args, 0> = { w: [0.5, -1] };
 * const gs: GradOf<Args, [0, 1]> = [{ w: [0.5, -1] }, 2];
 * console.log(g.w, gs[1]); // the gradients, typed
 * ```
 * @category Transforms
 */
export type GradOf<P extends readonly unknown[], A> = A extends number
  ? Primal<P[A]>
  : A extends readonly number[]
    ? { -readonly [K in keyof A]: Primal<P[A[K] & number]> }
    : never;

/**
 * Options of {@link grad} and {@link valueAndGrad}.
 *
 * @example
 * ```ts
 * import { grad, mul, type GradOptions, type Num } from "chainrule";
 * const options: GradOptions<1, false> = { argnums: 1 };
 * console.log(grad((x: Num, y: Num) => mul(x, y), options)(2, 3)); // 2
 * ```
 * @category Transforms
 */
export interface GradOptions<A extends Argnums = Argnums, H extends boolean = boolean> {
  /** Which arguments to differentiate: a position, or an array of them (a tuple of gradients). Default 0. */
  readonly argnums?: A;
  /** The function returns `[value, aux]`; `aux` comes back beside the gradient. Default false. */
  readonly hasAux?: H;
}

/** @internal The options of `grad`, `valueAndGrad`, `jacfwd`, `jacrev` and `hessian`, for `readOptions`. */
export const GRAD_OPTIONS = { argnums: readPositions, hasAux: readBoolean };

// ---- the shared implementation -------------------------------------------------------------------

interface ValueAndGrads {
  readonly value: Num;
  readonly grads: unknown[];
  readonly aux: unknown;
}

/** @internal The gradient engine behind `grad`, `valueAndGrad` and `hvp`. */
export function valueAndGrads(
  f: (...args: unknown[]) => unknown,
  args: unknown[],
  argnums: Argnums,
  hasAux: boolean,
  transform: string,
): ValueAndGrads {
  const positions = argumentPositions(argnums, args.length, `${transform}: argnums`);
  const { trace, traced, value, output, aux } = withNewTrace(
    (level) => new ReverseTrace(level, transform),
    (trace) => {
      const callArgs = args.slice();
      const traced = positions.map((k) => {
        const [tree, record] = traceArgument(trace, args[k], argRoot(k, args.length), `${transform}: argument`);
        callArgs[k] = tree;
        return record;
      });
      let out = f(...callArgs);
      let aux: unknown;
      if (hasAux) [out, aux] = splitAux(out, transform);
      const output = expectScalar(out, transform);
      return { trace, traced, value: lowerValue(output, trace), output, aux: hasAux ? lowerAux(aux, trace, `${transform}: aux`) : undefined };
    },
  );
  const ct = zeroCotangents(trace.graph);
  if (typeof output !== "number" && output._trace === trace) {
    ct.set((output as ReverseTracer)._id, 1);
    backward(trace.graph, trace.vals, ct);
  }
  const grads = traced.map((a) => gradientOf(a, ct));
  // The tape is ours alone (the trace is closed): its arrays serve the next call.
  trace.graph.release();
  trace.vals.release();
  ct.release();
  return { value, grads, aux };
}

function pick(grads: unknown[], argnums: Argnums): unknown {
  return typeof argnums === "number" ? grads[0] : grads;
}

// ---- grad ----------------------------------------------------------------------------------------

/**
 * The gradient of a scalar function: `grad(f)(...args)` is the derivative of `f` with respect
 * to `args[0]` (or the arguments in `argnums`), a tree of numbers shaped like that argument.
 * Arguments not differentiated pass through untouched and may be anything. Composes with every
 * transform: `grad(grad(f))` is the second derivative.
 *
 * @typeParam F - the type of `f`; the gradient's type follows from its parameters.
 * @param f - a function returning a scalar `Num` (with `hasAux`, `[Num, aux]`).
 * @param options - `argnums` (default 0) and `hasAux` (default false).
 * @returns a function with `f`'s parameters returning the gradient (with `hasAux`, `[gradient, aux]`).
 * @throws {@link NonScalarOutputError} when `f` returns an array or object.
 * @throws {@link TreeStructureError} when a differentiated argument is not a tree of numbers.
 * @throws {@link ChainruleError} when `f` is not a function, or `options` is not `{ argnums, hasAux }`:
 *   an unknown key, `argnums` not distinct argument positions (or out of range), `hasAux` not a boolean.
 * @example
 * ```ts
 * import { grad, add, mul, type Num } from "chainrule";
 * // The lecture notes' example: f(x, y, z) = (x + y)·z at (-2, 5, -4).
 * const f = (x: Num, y: Num, z: Num) => mul(add(x, y), z);
 * console.log(grad(f)(-2, 5, -4)); // -4
 * console.log(grad(f, { argnums: [0, 1, 2] })(-2, 5, -4)); // [-4, -4, 3]
 * console.log(grad(grad((x: Num) => mul(x, mul(x, x))))(2)); // 12
 * ```
 * @category Transforms
 */
export function grad<P extends any[], const R extends readonly [Num, unknown], const A extends Argnums = 0>(
  f: (...args: P) => R,
  options: GradOptions<A, true> & { readonly hasAux: true },
): (...args: P) => [GradOf<P, A>, Aux<R[1]>];
export function grad<F extends (...args: any[]) => Num>(f: F): (...args: Parameters<F>) => Primal<Parameters<F>[0]>;
export function grad<F extends (...args: any[]) => Num, const A extends Argnums = 0>(
  f: F,
  options: GradOptions<A, false>,
): (...args: Parameters<F>) => GradOf<Parameters<F>, A>;
export function grad(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "grad");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "grad");
  return (...args: unknown[]) => {
    const r = valueAndGrads(f, args, argnums, hasAux, "grad");
    const g = pick(r.grads, argnums);
    return hasAux ? [g, r.aux] : g;
  };
}

// ---- valueAndGrad --------------------------------------------------------------------------------

/**
 * Like {@link grad}, but returns the function's value too: `[value, gradient]`, or with
 * `hasAux` `[[value, aux], gradient]`. One forward and one backward pass.
 *
 * @typeParam F - the type of `f`; the gradient's type follows from its parameters.
 * @param f - a function returning a scalar `Num` (with `hasAux`, `[Num, aux]`).
 * @param options - `argnums` (default 0) and `hasAux` (default false).
 * @returns a function with `f`'s parameters returning `[value, gradient]` (with `hasAux`, `[[value, aux], gradient]`).
 * @throws {@link NonScalarOutputError} when `f` returns an array or object.
 * @throws {@link ChainruleError} for bad options, as {@link grad}.
 * @example
 * ```ts
 * import { valueAndGrad, add, mul, type Num } from "chainrule";
 * const f = (x: Num, y: Num, z: Num) => mul(add(x, y), z);
 * console.log(valueAndGrad(f, { argnums: [0, 1, 2] })(-2, 5, -4)); // [-12, [-4, -4, 3]]
 * ```
 * @category Transforms
 */
export function valueAndGrad<P extends any[], const R extends readonly [Num, unknown], const A extends Argnums = 0>(
  f: (...args: P) => R,
  options: GradOptions<A, true> & { readonly hasAux: true },
): (...args: P) => [[number, Aux<R[1]>], GradOf<P, A>];
export function valueAndGrad<F extends (...args: any[]) => Num>(
  f: F,
): (...args: Parameters<F>) => [number, Primal<Parameters<F>[0]>];
export function valueAndGrad<F extends (...args: any[]) => Num, const A extends Argnums = 0>(
  f: F,
  options: GradOptions<A, false>,
): (...args: Parameters<F>) => [number, GradOf<Parameters<F>, A>];
export function valueAndGrad(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "valueAndGrad");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "valueAndGrad");
  return (...args: unknown[]) => {
    const r = valueAndGrads(f, args, argnums, hasAux, "valueAndGrad");
    const g = pick(r.grads, argnums);
    return hasAux ? [[r.value, r.aux], g] : [r.value, g];
  };
}
