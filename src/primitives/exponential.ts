/**
 * Exponential and logarithmic primitives: value, local gradient and JavaScript, one block each.
 */
import type { Num } from "../core/num.js";
import { builtin, op1 } from "../core/primitive.js";
import { add, mul, reciprocal } from "./arithmetic.js";

// ---- exp ---------------------------------------------------------------------------------------
export const EXP = builtin({
  name: "exp",
  arity: 1,
  impl: Math.exp,
  rule: { partials: (_, out) => [out] },
  partialNum: (_j, _x, _y, out) => out,
  emit: ([x]) => `Math.exp(${x})`,
});
/**
 * `eˣ` (`Math.exp`).
 * @example
 * ```ts
 * import { exp } from "chainrule";
 * console.log(exp(0)); // 1
 * ```
 * @category Primitives
 */
export const exp: (x: Num) => Num = op1(EXP);

// ---- log ---------------------------------------------------------------------------------------
export const LOG = builtin({
  name: "log",
  arity: 1,
  impl: Math.log,
  rule: { partials: ([x]) => [reciprocal(x!)] },
  partialNum: (_j, x) => 1 / x,
  emit: ([x]) => `Math.log(${x})`,
});
/**
 * Natural logarithm (`Math.log`).
 * @example
 * ```ts
 * import { log } from "chainrule";
 * console.log(log(1)); // 0
 * ```
 * @category Primitives
 */
export const log: (x: Num) => Num = op1(LOG);

// ---- log1p -------------------------------------------------------------------------------------
export const LOG1P = builtin({
  name: "log1p",
  arity: 1,
  impl: Math.log1p,
  rule: { partials: ([x]) => [reciprocal(add(1, x!))] },
  emit: ([x]) => `Math.log1p(${x})`,
});
/**
 * `log(1 + x)`, accurate for small `x` (`Math.log1p`).
 * @example
 * ```ts
 * import { log1p } from "chainrule";
 * console.log(log1p(0)); // 0
 * ```
 * @category Primitives
 */
export const log1p: (x: Num) => Num = op1(LOG1P);

// ---- expm1 -------------------------------------------------------------------------------------
export const EXPM1 = builtin({
  name: "expm1",
  arity: 1,
  impl: Math.expm1,
  rule: { partials: (_, out) => [add(out, 1)] },
  emit: ([x]) => `Math.expm1(${x})`,
});
/**
 * `eˣ - 1`, accurate for small `x` (`Math.expm1`).
 * @example
 * ```ts
 * import { expm1 } from "chainrule";
 * console.log(expm1(0)); // 0
 * ```
 * @category Primitives
 */
export const expm1: (x: Num) => Num = op1(EXPM1);

// ---- log2 --------------------------------------------------------------------------------------
export const LOG2 = builtin({
  name: "log2",
  arity: 1,
  impl: Math.log2,
  rule: { partials: ([x]) => [reciprocal(mul(x!, Math.LN2))] }, // 1/(x ln 2)
  emit: ([x]) => `Math.log2(${x})`,
});
/**
 * Base-2 logarithm (`Math.log2`: exact at powers of 2); its derivative is `1/(x ln 2)`.
 * @example
 * ```ts
 * import { log2 } from "chainrule";
 * console.log(log2(8)); // 3
 * ```
 * @category Primitives
 */
export const log2: (x: Num) => Num = op1(LOG2);

// ---- log10 -------------------------------------------------------------------------------------
export const LOG10 = builtin({
  name: "log10",
  arity: 1,
  impl: Math.log10,
  rule: { partials: ([x]) => [reciprocal(mul(x!, Math.LN10))] }, // 1/(x ln 10)
  emit: ([x]) => `Math.log10(${x})`,
});
/**
 * Base-10 logarithm (`Math.log10`: exact at powers of 10); its derivative is `1/(x ln 10)`.
 * @example
 * ```ts
 * import { log10 } from "chainrule";
 * console.log(log10(1000)); // 3
 * ```
 * @category Primitives
 */
export const log10: (x: Num) => Num = op1(LOG10);
