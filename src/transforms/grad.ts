/**
 * `grad` and `valueAndGrad`: reverse mode for scalar functions, with `argnums` and `hasAux`.
 */
import { vjpFlat } from "../core/reverse.js";
import type { Num } from "../core/num.js";
import type { Aux, Primal, Tangent } from "../tree/types.js";
import {
  argumentPositions,
  expectFunction,
  expectScalar,
  flattenArgs,
  readBoolean,
  readOptions,
  readPositions,
  rebuildArgs,
  splitAux,
  unflattenEach,
  type Argnums,
  GRAD_OPTIONS,
} from "./common.js";

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
export interface GradOptions<A = Argnums, H extends boolean = boolean> {
  /** Which arguments to differentiate: a position, or an array of them (a tuple of gradients). Default 0. */
  readonly argnums?: A;
  /** The function returns `[value, aux]`; `aux` comes back beside the gradient. Default false. */
  readonly hasAux?: H;
}

/**
 * The bound of the function's result in `grad`, `valueAndGrad`, `jacfwd`, `jacrev` and
 * `hessian`: any value, spelt so that an array literal the function returns inline — and an
 * array literal inside it — is typed as a tuple. That is what lets `hasAux` take
 * `(x) => [loss, aux]` without `as const`. What the result must really be is checked by
 * {@link OutputChecked}.
 *
 * @example
 * ```ts
 * import { grad, mul, type AnyResult, type Num } from "chainrule";
 * const pair: AnyResult = [1, { note: "anything" }];
 * const [g, aux] = grad((x: Num) => [mul(x, x), { x }], { hasAux: true })(3); // no `as const`
 * console.log(g, aux.x, pair); // 6 3 [1, { note: "anything" }]
 * ```
 * @category Transforms
 */
export type AnyResult =
  | Num
  | readonly [readonly [unknown, ...unknown[]] | {} | null | undefined, ...(readonly [unknown, ...unknown[]] | {} | null | undefined)[]]
  | {}
  | null
  | undefined
  | void;

/**
 * What `grad`, `valueAndGrad`, `jacfwd`, `jacrev`, `hessian`, `hvp`, `vjp`, `jvp`, `customVjp` and
 * `customJvp` (named `T`) accept as `f`: `F`
 * itself when its result suits the transform (see {@link OutputProblem}), otherwise the message
 * saying what is wrong, which the compile error then quotes in its first line (a parameter of
 * type "grad: the function must return a scalar Num, not an array …").
 *
 * @example
 * ```ts
 * import { grad, mul, type Num, type OutputChecked } from "chainrule";
 * const f = (x: Num) => mul(x, x);
 * const ok: OutputChecked<typeof f, false, "grad"> = f;
 * console.log(grad(ok)(3)); // 6
 * ```
 * @typeParam F - the function given to the transform.
 * @typeParam H - the `hasAux` option as written (`true`: `f` returns a pair `[out, aux]`).
 * @typeParam T - the transform's name.
 * @category Transforms
 */
export type OutputChecked<F extends (...args: any[]) => unknown, H, T extends string> = [OutputProblem<ReturnType<F>, H, T>] extends [never]
  ? F
  : OutputProblem<ReturnType<F>, H, T>;

/**
 * What is wrong with `R` as the result of the function given to the transform `T`, as a
 * message, or `never` when nothing is: `grad`, `valueAndGrad` and `hvp` need a scalar `Num`; the
 * Jacobians (`jacfwd`, `jacrev`, `hessian`), `vjp`, `jvp`, `customVjp` and `customJvp` a tree of `Num`; with `hasAux` `H` true, a pair
 * `[out, aux]` whose `out` is such.
 *
 * @example
 * ```ts
 * import type { Num, OutputProblem } from "chainrule";
 * const message: OutputProblem<Num[], false, "grad"> =
 *   "grad: the function must return a scalar Num, not an array (for a vector output use jacrev or jacfwd)";
 * const none: OutputProblem<Num[], false, "jacrev">[] = [];
 * console.log(message.startsWith("grad:"), none.length); // true 0
 * ```
 * @typeParam R - the function's result type.
 * @typeParam H - the `hasAux` option as written (a literal `true` or `false`).
 * @typeParam T - the transform's name.
 * @category Transforms
 */
export type OutputProblem<R, H, T extends string> = unknown extends R
  ? never // any or unknown (or not inferred yet): nothing to check
  : boolean extends H
    ? `${T}: hasAux must be written as true or false, not a boolean variable: the result's type depends on it`
    : [H] extends [true]
      ? [R] extends [readonly [infer Out, unknown]]
        ? [OutputProblem<Out, false, T>] extends [never]
          ? never
          : `${T}: with hasAux, the function must return a pair [out, aux] whose out is ${T extends "grad" | "valueAndGrad" | "hvp" ? "a scalar Num" : "a tree of Num"}`
        : [R] extends [readonly unknown[]]
          ? number extends R["length"]
            ? `${T}: with hasAux, the function must return a pair [out, aux], but its result is typed as an array: write \`return [out, aux] as const\`, or annotate the return type`
            : `${T}: with hasAux, the function must return a pair [out, aux], not ${R["length"]} values`
          : `${T}: with hasAux, the function must return a pair [out, aux]`
      : T extends "grad" | "valueAndGrad" | "hvp"
        ? [R] extends [Num]
          ? never
          : [R] extends [readonly unknown[]]
            ? `${T}: the function must return a scalar Num, not an array (for a vector output use jacrev or jacfwd)`
            : [R] extends [object]
              ? `${T}: the function must return a scalar Num, not an object (for a tree output use jacrev or jacfwd)`
              : `${T}: the function must return a scalar Num`
        : [R] extends [Tangent<Primal<R>>]
          ? never
          : `${T}: the function must return a tree of Num (a Num, or arrays and plain objects of them)`;

/**
 * What `argnums` may be for a function with parameters `P`: `A` itself when each position in it
 * is a parameter of `P`, otherwise a message naming the positions that are not (for `grad` and
 * the other transforms, named `T`). Not checked when `P` has a rest parameter or `A` is not a
 * literal.
 *
 * @example
 * ```ts
 * import type { ArgnumsChecked, Num } from "chainrule";
 * const ok: ArgnumsChecked<[0, 1], [x: Num, y: Num], "grad"> = [0, 1];
 * const message: ArgnumsChecked<2, [x: Num, y: Num], "grad"> =
 *   "grad: argnums 2 is not a parameter position: the function has 2 parameters";
 * console.log(ok, message.length > 0); // [0, 1] true
 * ```
 * @typeParam A - `argnums` as written.
 * @typeParam P - the function's parameter types.
 * @typeParam T - the transform's name.
 * @category Transforms
 */
export type ArgnumsChecked<A, P extends readonly unknown[], T extends string> = number extends P["length"]
  ? A
  : Exclude<
        A extends readonly (infer E)[] ? E : A,
        Extract<keyof P, `${number}`> extends infer K ? (K extends `${infer I extends number}` ? I : never) : never
      > extends infer Bad extends number
    ? [Bad] extends [never]
      ? A
      : number extends Bad
        ? A // not a literal: checked when called
        : `${T}: argnums ${Bad} is not a parameter position: the function has ${P["length"]} parameter${P["length"] extends 1 ? "" : "s"}`
    : A;


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
  const fa = flattenArgs(args, positions, `${transform}: argument`);
  const lin = vjpFlat(
    (inputs) => {
      let out = f(...rebuildArgs(fa, inputs));
      let aux: unknown;
      if (hasAux) [out, aux] = splitAux(out, transform);
      return { outputs: [expectScalar(out, transform)], aux };
    },
    fa.leaves,
    transform,
  );
  const grads = unflattenEach(fa.defs, lin.pullback([1]));
  lin.release(); // the tape is ours alone (the trace is closed): its arrays serve the next call
  return { value: lin.outputs[0]!, grads, aux: lin.aux };
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
export function grad<F extends (...args: any[]) => AnyResult, const A extends Argnums = 0, const H extends boolean = false>(
  f: OutputChecked<F, H, "grad">,
  options?: GradOptions<ArgnumsChecked<A, Parameters<F>, "grad">, H>,
): (...args: Parameters<F>) => H extends true ? [GradOf<Parameters<F>, A>, ReturnType<F> extends readonly [unknown, infer X] ? Aux<X> : never] : GradOf<Parameters<F>, A>;
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
export function valueAndGrad<F extends (...args: any[]) => AnyResult, const A extends Argnums = 0, const H extends boolean = false>(
  f: OutputChecked<F, H, "valueAndGrad">,
  options?: GradOptions<ArgnumsChecked<A, Parameters<F>, "valueAndGrad">, H>,
): (...args: Parameters<F>) => H extends true
  ? [[number, ReturnType<F> extends readonly [unknown, infer X] ? Aux<X> : never], GradOf<Parameters<F>, A>]
  : [number, GradOf<Parameters<F>, A>];
export function valueAndGrad(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "valueAndGrad");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "valueAndGrad");
  return (...args: unknown[]) => {
    const r = valueAndGrads(f, args, argnums, hasAux, "valueAndGrad");
    const g = pick(r.grads, argnums);
    return hasAux ? [[r.value, r.aux], g] : [r.value, g];
  };
}
