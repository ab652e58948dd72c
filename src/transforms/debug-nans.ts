/**
 * `debugNans(f)`: while `f` runs — with every derivative computed inside it — the first
 * primitive that produces NaN from inputs that are not NaN throws `NonFiniteError`, as JAX's
 * `debug_nans`; so does a chain-rule product whose zero factor absorbed ±Infinity or NaN. Outside it NaN propagates like in plain JavaScript and costs nothing: the check
 * on numbers is one comparison against `nanWatch.hook` (core/eval.ts), which is `undefined`
 * unless a `debugNans` function is running.
 */
import { formatNumber } from "../core/graph.js";
import { absorbs, nanWatch, type ChainProduct } from "../core/eval.js";
import type { Primitive } from "../core/primitive.js";
import { openTraces } from "../core/trace.js";
import { NonFiniteError } from "../errors.js";
import { SCALE } from "../primitives/arithmetic.js";
import { expectFunction } from "./common.js";
import { isStaging } from "../core/stage.js";

const MAX_SHOWN = 8;

/** The equation `prim(x₀, x₁, …) = out`, with long argument lists shortened. */
function equation(prim: Primitive, xs: readonly number[], out: number): string {
  const shown = xs.slice(0, MAX_SHOWN).map(formatNumber);
  if (xs.length > MAX_SHOWN) shown.push(`… ${xs.length - MAX_SHOWN} more`);
  return `${prim.name}(${shown.join(", ")}) = ${formatNumber(out)}`;
}

/** The hook `debugNans` installs: throws for NaN made from non-NaN inputs, and for `0 · ∞` taken as 0. */
function onNan(prim: Primitive, xs: readonly number[], out: number, product?: ChainProduct): void {
  if (out === out) {
    if (prim === SCALE && absorbs(xs[0]!, xs[1]!)) throw absorbed(xs[0]!, xs[1]!, product === undefined ? nanWatch.rule : product.rule);
    return; // (called for every 0 too: only scale's is news)
  }
  for (let i = 0; i < xs.length; i++) if (xs[i] !== xs[i]) return; // NaN in, NaN out: not produced here
  const rule = nanWatch.rule;
  const where = rule === undefined ? "in the forward pass" : `inside the derivative rule of ${rule.name}`;
  throw new NonFiniteError(
    `debugNans: ${equation(prim, xs, out)} — the primitive ${prim.name} produced NaN from inputs that are not NaN, ${where}. ` +
      (rule === undefined
        ? "(This is reported even in a branch that where(...) discards later, as JAX does.)"
        : `Its value was not NaN, but its derivative is not defined here (or its rule computed NaN in a branch that where(...) discards).`),
    { primitive: prim.name, rule: rule?.name },
  );
}

/**
 * The error for a chain-rule product `c · d` (a cotangent or tangent `c`, a local gradient `d`)
 * that a zero factor made 0 although the other one was ±Infinity or NaN.
 */
function absorbed(c: number, d: number, rule: Primitive | undefined): NonFiniteError {
  const of = rule === undefined ? "" : ` of ${rule.name}`;
  const what =
    c === 0
      ? `the local gradient${of} is ${formatNumber(d)} here, and the zero cotangent (or tangent) it met made the product 0`
      : `a cotangent (or tangent) of ${formatNumber(c)} met the local gradient${of}, 0 here, which made the product 0`;
  return new NonFiniteError(
    `debugNans: scale(${formatNumber(c)}, ${formatNumber(d)}) = 0 — ${what}${rule === undefined ? "" : `, inside the derivative rule of ${rule.name}`}. ` +
      "The derivative is finite but probably wrong (JAX and PyTorch give NaN): a value overflowed or underflowed upstream, " +
      "as exp(1000) = Infinity in log(add(1, exp(x))) — write it with a stable primitive (softplus, logSumExp, log1p, expm1) — " +
      "or this is a branch that where(...) discards, whose input you can guard instead.",
    { primitive: rule?.name ?? SCALE.name, rule: rule?.name },
  );
}

/**
 * Runs `f` with NaN checking: the first primitive whose value is NaN while its inputs were not —
 * in the forward pass, in a derivative rule (`debugNans(grad(f))` checks the backward pass
 * too), or in a branch that `where` later discards — throws {@link NonFiniteError} naming that
 * primitive, its equation (e.g. `log(-1) = NaN`) and, inside a rule, the primitive whose rule it
 * is. A NaN that comes in through an input is not reported where it merely passes through.
 * It also reports a derivative product where a zero absorbed an infinite or NaN factor — how an
 * overflow (`exp(1000)`) turns a gradient into a finite wrong value, `0 · ∞` taken as 0 —
 * naming the primitive whose local gradient was not finite.
 * Nesting is safe; outside `debugNans` nothing is checked and NaN propagates.
 *
 * Under `jit` or `makeGraph` values are abstract: calling a `debugNans` function while a graph
 * is being staged marks that graph (`checkNans`), and code compiled from it checks every
 * equation's value when it runs.
 *
 * @param f - any function.
 * @returns a function with the same signature as `f`, checking for NaN while it runs.
 * @throws {@link NonFiniteError} (when called) at the first NaN produced.
 * @example
 * ```ts
 * import { debugNans, grad, log, mul, NonFiniteError, type Num } from "chainrule";
 * const f = (x: Num) => mul(x, log(x));
 * console.log(grad(f)(-1)); // NaN, silently
 * try {
 *   debugNans(grad(f))(-1);
 * } catch (e) {
 *   if (e instanceof NonFiniteError) console.log(e.message); // debugNans: log(-1) = NaN — ...
 * }
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @category Transforms
 */
export function debugNans<F extends (...args: any[]) => unknown>(f: F): F {
  expectFunction(f, "debugNans");
  const checked = (...args: unknown[]): unknown => {
    // Staged values are abstract: ask compiled code to check instead.
    for (const t of openTraces()) if (isStaging(t)) t.graph.checkNans = true;
    const hook = nanWatch.hook;
    nanWatch.hook = onNan;
    try {
      return f(...args);
    } finally {
      nanWatch.hook = hook;
    }
  };
  return checked as F;
}
