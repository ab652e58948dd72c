/**
 * Primitives whose gradient is zero everywhere: rounding and `stopGradient`. Differentiating
 * transforms do not record them at all — their result is a constant to the transform.
 */
import type { Num } from "../core/num.js";
import { builtin, op1 } from "../core/primitive.js";

export const FLOOR = builtin({ name: "floor", arity: 1, impl: Math.floor, rule: "zero", emit: ([x]) => `Math.floor(${x})` });
export const CEIL = builtin({ name: "ceil", arity: 1, impl: Math.ceil, rule: "zero", emit: ([x]) => `Math.ceil(${x})` });
export const ROUND = builtin({ name: "round", arity: 1, impl: Math.round, rule: "zero", emit: ([x]) => `Math.round(${x})` });
export const STOP_GRADIENT = builtin({
  name: "stopGradient",
  arity: 1,
  impl: (x) => x,
  rule: "zero",
  emit: ([x]) => `${x}`,
});

/**
 * The largest integer `<= x` (`Math.floor`); gradient 0.
 * @example
 * ```ts
 * import { floor } from "chainrule";
 * console.log(floor(1.7)); // 1
 * ```
 * @category Primitives
 */
export const floor: (x: Num) => Num = op1(FLOOR);
/**
 * The smallest integer `>= x` (`Math.ceil`); gradient 0.
 * @example
 * ```ts
 * import { ceil } from "chainrule";
 * console.log(ceil(1.2)); // 2
 * ```
 * @category Primitives
 */
export const ceil: (x: Num) => Num = op1(CEIL);
/**
 * `x` rounded to the nearest integer, halves up (`Math.round`); gradient 0.
 * @example
 * ```ts
 * import { round } from "chainrule";
 * console.log(round(2.5)); // 3
 * ```
 * @category Primitives
 */
export const round: (x: Num) => Num = op1(ROUND);
/**
 * `x` unchanged, but treated as a constant by every derivative: its gradient is 0.
 * @example
 * ```ts
 * import { grad, mul, stopGradient, type Num } from "chainrule";
 * // d/dx [x · stop(x)] = stop(x) = 3
 * console.log(grad((x: Num) => mul(x, stopGradient(x)))(3)); // 3
 * ```
 * @category Primitives
 */
export const stopGradient: (x: Num) => Num = op1(STOP_GRADIENT);
