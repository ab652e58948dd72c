/**
 * Jacobians and Hessians: `jacfwd` (one forward-mode pass per input leaf), `jacrev` (one
 * reverse-mode trace, one pullback per output leaf), `hessian` (`jacfwd ∘ jacrev`) and `hvp`
 * (a Hessian-vector product, forward over reverse, without forming the Hessian).
 *
 * Layout (as JAX): the output tree with each leaf replaced by a tree shaped like the
 * differentiated argument — for `argnums` given as an array, by a tuple of such trees, one per
 * argument. For `f: (x: Num[]) => Num[]` the Jacobian is `number[][]` with row `i` = output `i`.
 */
import { jvpFlat } from "../core/forward.js";
import { vjpFlat } from "../core/reverse.js";
import type { Num } from "../core/num.js";
import { flattenAsLive, flattenLive } from "../core/trace.js";
import { ChainruleError } from "../errors.js";
import { flatten, unflatten, type TreeDef } from "../tree/tree.js";
import type { Aux, Primal, Tangent } from "../tree/types.js";
import { argumentPositions, expectFunction, expectScalar, flattenArgs, flattenOutput, GRAD_OPTIONS, readOptions, rebuildArgs, splitAux, unflattenEach, type Argnums } from "./common.js";
import type { AnyResult, ArgnumsChecked, GradOf, GradOptions, OutputChecked } from "./grad.js";

/**
 * The type of a Jacobian: the output tree type `Out` with every `Num` leaf replaced by `In`
 * (the type of the gradient of one output leaf). `Jacobian<Num[], number[]>` is `number[][]`.
 *
 * @example
 * ```ts
 * import type { Jacobian, Num } from "chainrule";
 * const j: Jacobian<{ u: Num; v: Num }, number[]> = { u: [1, 0], v: [0, 1] };
 * console.log(j.u);
 * ```
 * @category Transforms
 */
export type Jacobian<Out, In> = Out extends Num
  ? In
  : Out extends (...args: never[]) => unknown
    ? never
    : Out extends readonly unknown[]
      ? { -readonly [K in keyof Out]: Jacobian<Out[K], In> }
      : Out extends object
        ? { -readonly [K in keyof Out]: Jacobian<Out[K], In> }
        : never;

// ---- the shared implementation -------------------------------------------------------------------

/**
 * Rebuilds one output leaf's row — its gradient over the differentiated arguments, whose
 * structures are `defs` — from the flat `values`: one tree, or a tuple of trees.
 */
function row(defs: readonly TreeDef[], values: readonly Num[], single: boolean): unknown {
  const trees = unflattenEach(defs, values);
  return single ? trees[0] : trees;
}

function checkSameStructure(first: TreeDef | undefined, def: TreeDef, transform: string): void {
  if (first !== undefined && !first.equals(def)) {
    throw new ChainruleError(
      `${transform}: the function returned trees of different structures for different tangent directions (${String(first)} and ${String(def)}); its output structure must not depend on the values`,
    );
  }
}

/** The forward-mode Jacobian: one JVP per input leaf (one call of `f` each). */
/** The function `f` as the flat workers see it: traced leaves in, output leaves (and aux) out. */
function flatFunction(
  f: (...args: unknown[]) => unknown,
  fa: ReturnType<typeof flattenArgs>,
  hasAux: boolean,
  transform: string,
  onOutput: (def: TreeDef) => void,
): (inputs: Num[]) => { outputs: Num[]; aux: unknown } {
  return (inputs) => {
    let out = f(...rebuildArgs(fa, inputs));
    let aux: unknown;
    if (hasAux) [out, aux] = splitAux(out, transform);
    const { leaves, def } = flattenOutput(out, `${transform}: output`);
    onOutput(def);
    return { outputs: leaves, aux };
  };
}

function forwardJacobian(
  f: (...args: unknown[]) => unknown,
  args: unknown[],
  argnums: Argnums,
  hasAux: boolean,
  transform: string,
): { jac: unknown; aux: unknown } {
  const positions = argumentPositions(argnums, args.length, `${transform}: argnums`);
  const fa = flattenArgs(args, positions, `${transform}: argument`);
  const n = fa.leaves.length;
  let outDef: TreeDef | undefined;
  let aux: unknown;
  const flat = flatFunction(f, fa, hasAux, transform, (def) => {
    checkSameStructure(outDef, def, transform);
    outDef = def;
  });
  // columns[k][j] = ∂ out_j / ∂ in_k: one forward pass per input leaf.
  const columns: Num[][] = [];
  const runs = Math.max(n, 1); // with no input leaves, still call f once for its output structure
  const tangents = new Array<Num>(n).fill(0);
  for (let col = 0; col < runs; col++) {
    if (col > 0) tangents[col - 1] = 0;
    if (n > 0) tangents[col] = 1;
    const r = jvpFlat(flat, fa.leaves, tangents, transform);
    if (col === 0) aux = r.aux;
    if (n > 0) columns.push(r.tangents);
  }
  const m = outDef!.numLeaves;
  const rows = new Array<unknown>(m);
  for (let j = 0; j < m; j++) {
    rows[j] = row(
      fa.defs,
      columns.map((c) => c[j]!),
      typeof argnums === "number",
    );
  }
  return { jac: unflatten(outDef!, rows), aux };
}

function reverseJacobian(
  f: (...args: unknown[]) => unknown,
  args: unknown[],
  argnums: Argnums,
  hasAux: boolean,
  transform: string,
): { jac: unknown; aux: unknown } {
  const positions = argumentPositions(argnums, args.length, `${transform}: argnums`);
  const fa = flattenArgs(args, positions, `${transform}: argument`);
  let outDef: TreeDef | undefined;
  const lin = vjpFlat(
    flatFunction(f, fa, hasAux, transform, (def) => (outDef = def)),
    fa.leaves,
    transform,
  );
  // One backward pass per output leaf, with that leaf's cotangent 1.
  const m = lin.outputs.length;
  const cts = new Array<Num>(m).fill(0);
  const rows = new Array<unknown>(m);
  for (let j = 0; j < m; j++) {
    if (j > 0) cts[j - 1] = 0;
    cts[j] = 1;
    rows[j] = row(fa.defs, lin.pullback(cts), typeof argnums === "number");
  }
  return { jac: unflatten(outDef!, rows), aux: lin.aux };
}

// ---- jacfwd --------------------------------------------------------------------------------------

/**
 * The Jacobian of `f` by forward mode: `jacfwd(f)(...args)` differentiates every output leaf
 * with respect to `args[0]` (or the arguments in `argnums`) with one JVP per input leaf.
 * Prefer it when there are fewer inputs than outputs. Composes with every transform.
 *
 * Layout (as JAX): the output tree with each leaf replaced by a tree shaped like the argument
 * (for `argnums` as an array: a tuple of such trees). For `f: (x: Num[]) => Num[]` it is
 * `number[][]`, row `i` = output `i`; for a scalar output it is the gradient.
 *
 * `f` is called once per input leaf (once if there are none), each time with one input leaf
 * moving; with `hasAux`, the aux of the first call is returned.
 *
 * @param f - the function; its output may be any tree of `Num` (with `hasAux`, `[out, aux]`).
 * @param options - `argnums` (default 0) and `hasAux` (default false), as in `grad`.
 * @returns a function with `f`'s parameters returning the Jacobian (with `hasAux`, `[jacobian, aux]`).
 * @throws {@link TreeStructureError} when a differentiated argument or the output is not a tree of `Num`.
 * @throws {@link ChainruleError} when `f` is not a function, or `options` is not `{ argnums, hasAux }`:
 *   an unknown key, `argnums` not distinct argument positions (or out of range), `hasAux` not a boolean.
 * @example
 * ```ts
 * import { jacfwd, mul, sin, type Num } from "chainrule";
 * const f = (x: Num[]) => [mul(x[0]!, x[1]!), sin(x[0]!)];
 * console.log(jacfwd(f)([2, 3])); // [[3, 2], [cos 2, 0]]
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function jacfwd<F extends (...args: any[]) => AnyResult, const A extends Argnums = 0, const H extends boolean = false>(
  f: OutputChecked<F, H, "jacfwd">,
  options?: GradOptions<ArgnumsChecked<A, Parameters<F>, "jacfwd">, H>,
): (...args: Parameters<F>) => H extends true ? [Jacobian<(ReturnType<F> extends readonly [infer O, unknown] ? O : never), GradOf<Parameters<F>, A>>, (ReturnType<F> extends readonly [unknown, infer X] ? Aux<X> : never)] : Jacobian<ReturnType<F>, GradOf<Parameters<F>, A>>;
export function jacfwd(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "jacfwd");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "jacfwd");
  return (...args: unknown[]) => {
    const r = forwardJacobian(f, args, argnums, hasAux, "jacfwd");
    return hasAux ? [r.jac, r.aux] : r.jac;
  };
}

// ---- jacrev --------------------------------------------------------------------------------------

/**
 * The Jacobian of `f` by reverse mode: `f` is traced once and each output leaf is pulled back
 * through that one trace. Prefer it when there are fewer outputs than inputs. Same layout and
 * options as {@link jacfwd}; composes with every transform.
 *
 * @param f - the function; its output may be any tree of `Num` (with `hasAux`, `[out, aux]`).
 * @param options - `argnums` (default 0) and `hasAux` (default false), as in `grad`.
 * @returns a function with `f`'s parameters returning the Jacobian (with `hasAux`, `[jacobian, aux]`).
 * @throws {@link TreeStructureError} when a differentiated argument or the output is not a tree of `Num`.
 * @throws {@link ChainruleError} when `f` is not a function, or `options` is not `{ argnums, hasAux }`:
 *   an unknown key, `argnums` not distinct argument positions (or out of range), `hasAux` not a boolean.
 * @example
 * ```ts
 * import { jacrev, add, mul, type Num } from "chainrule";
 * const f = (p: { a: Num; b: Num }) => ({ s: add(p.a, p.b), m: mul(p.a, p.b) });
 * console.log(jacrev(f)({ a: 2, b: 3 })); // { s: { a: 1, b: 1 }, m: { a: 3, b: 2 } }
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function jacrev<F extends (...args: any[]) => AnyResult, const A extends Argnums = 0, const H extends boolean = false>(
  f: OutputChecked<F, H, "jacrev">,
  options?: GradOptions<ArgnumsChecked<A, Parameters<F>, "jacrev">, H>,
): (...args: Parameters<F>) => H extends true ? [Jacobian<(ReturnType<F> extends readonly [infer O, unknown] ? O : never), GradOf<Parameters<F>, A>>, (ReturnType<F> extends readonly [unknown, infer X] ? Aux<X> : never)] : Jacobian<ReturnType<F>, GradOf<Parameters<F>, A>>;
export function jacrev(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "jacrev");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "jacrev");
  return (...args: unknown[]) => {
    const r = reverseJacobian(f, args, argnums, hasAux, "jacrev");
    return hasAux ? [r.jac, r.aux] : r.jac;
  };
}

// ---- hessian -------------------------------------------------------------------------------------

/**
 * The Hessian of `f`: `jacfwd(jacrev(f))` (forward over reverse, as JAX). For
 * `f: (x: Num[]) => Num` it is `number[][]` with `H[i][j] = ∂²f/∂xᵢ∂xⱼ`; in general the
 * Jacobian of the Jacobian, in the layout of {@link jacfwd}. `argnums` and `hasAux` apply to
 * both levels.
 *
 * @param f - the function (usually scalar-valued; with `hasAux`, `[out, aux]`).
 * @param options - `argnums` (default 0) and `hasAux` (default false), as in `grad`.
 * @returns a function with `f`'s parameters returning the Hessian (with `hasAux`, `[hessian, aux]`).
 * @throws {@link TreeStructureError} when a differentiated argument or the output is not a tree of `Num`.
 * @throws {@link ChainruleError} when `f` is not a function, or `options` is not `{ argnums, hasAux }`:
 *   an unknown key, `argnums` not distinct argument positions (or out of range), `hasAux` not a boolean.
 * @example
 * ```ts
 * import { hessian, mul, type Num } from "chainrule";
 * const f = (x: Num[]) => mul(mul(x[0]!, x[0]!), x[1]!); // x0² x1
 * console.log(hessian(f)([2, 3])); // [[6, 4], [4, 0]]
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function hessian<F extends (...args: any[]) => AnyResult, const A extends Argnums = 0, const H extends boolean = false>(
  f: OutputChecked<F, H, "hessian">,
  options?: GradOptions<ArgnumsChecked<A, Parameters<F>, "hessian">, H>,
): (...args: Parameters<F>) => H extends true
  ? [Jacobian<Jacobian<(ReturnType<F> extends readonly [infer O, unknown] ? O : never), GradOf<Parameters<F>, A>>, GradOf<Parameters<F>, A>>, (ReturnType<F> extends readonly [unknown, infer X] ? Aux<X> : never)]
  : Jacobian<Jacobian<ReturnType<F>, GradOf<Parameters<F>, A>>, GradOf<Parameters<F>, A>>;
export function hessian(f: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  expectFunction(f, "hessian");
  const { argnums = 0, hasAux = false } = readOptions(options, GRAD_OPTIONS, "hessian");
  const inner = (...args: unknown[]) => {
    const r = reverseJacobian(f, args, argnums, hasAux, "hessian");
    return hasAux ? [r.jac, r.aux] : r.jac;
  };
  return (...args: unknown[]) => {
    const r = forwardJacobian(inner, args, argnums, hasAux, "hessian");
    return hasAux ? [r.jac, r.aux] : r.jac;
  };
}

// ---- hvp -----------------------------------------------------------------------------------------

/**
 * The Hessian-vector product of a scalar function: `hvp(f)(x, v, ...rest)` is `H·v`, where
 * `H` is the Hessian of `f` with respect to `x` at `x` (a tree), computed forward over reverse
 * (`jvp` of `grad`) at the cost of about one gradient — the Hessian is never formed. `v` is a
 * tree shaped like `x`; the result is too. Arguments after `v` pass to `f` untouched.
 *
 * @param f - a function returning a scalar `Num`; its first argument is differentiated.
 * @returns `(x, v, ...rest) => H·v`, a tree shaped like `x`.
 * @throws {@link TreeStructureError} when `x` is not a tree of numbers or `v` has another structure.
 * @throws {@link NonScalarOutputError} when `f` returns an array or object.
 * @example
 * ```ts
 * import { hvp, mul, type Num } from "chainrule";
 * const f = (x: Num[]) => mul(mul(x[0]!, x[0]!), x[1]!); // H = [[2 x1, 2 x0], [2 x0, 0]]
 * console.log(hvp(f)([2, 3], [1, 0])); // [6, 4]
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function hvp<F extends (x: any, ...rest: any[]) => unknown>(
  f: OutputChecked<F, false, "hvp">,
): (x: Parameters<F>[0], v: Tangent<Parameters<F>[0]>, ...rest: Parameters<F> extends readonly [unknown, ...infer R] ? R : []) => Primal<Parameters<F>[0]> {
  expectFunction(f, "hvp");
  return ((x: unknown, v: unknown, ...rest: unknown[]) => {
    const { leaves, def } = flattenLive(x, "x", "hvp: x");
    const ts = flattenAsLive(def, v, "v", "hvp: v (the direction, shaped like x)");
    // Forward over reverse: the tangent of the gradient along v.
    const r = jvpFlat(
      (inputs) => {
        // The gradient at x (reverse mode), whose tangent along v is the product.
        const lin = vjpFlat((xs) => ({ outputs: [expectScalar((f as (...args: unknown[]) => unknown)(unflatten(def, xs), ...rest), "hvp")] }), inputs, "hvp");
        return { outputs: lin.pullback([1]) };
      },
      leaves,
      ts,
      "hvp",
    );
    return unflatten(def, r.tangents);
  }) as never;
}
