/**
 * Activation functions used in neural networks: value, local gradient and JavaScript.
 */
import { sigmoid as sigmoidNum, softplus as softplusNum } from "../core/helpers.js";
import type { Num } from "../core/num.js";
import { builtin, op1 } from "../core/primitive.js";
import { mul, sub } from "./arithmetic.js";
import { gt } from "./select.js";

// ---- sigmoid -----------------------------------------------------------------------------------
export const SIGMOID = builtin({
  name: "sigmoid",
  arity: 1,
  impl: sigmoidNum,
  rule: { partials: (_, out) => [mul(out, sub(1, out))] }, // σ' = σ(1 − σ)
  emit: ([x]) => `$h.sigmoid(${x})`,
});
/**
 * The logistic function `1 / (1 + e⁻ˣ)`, computed without overflow.
 * @example
 * ```ts
 * import { sigmoid } from "chainrule";
 * console.log(sigmoid(0)); // 0.5
 * ```
 * @category Primitives
 */
export const sigmoid: (x: Num) => Num = op1(SIGMOID);

// ---- relu --------------------------------------------------------------------------------------
export const RELU = builtin({
  name: "relu",
  arity: 1,
  impl: (x) => Math.max(x, 0),
  rule: { partials: ([x]) => [gt(x!, 0)] }, // relu'(0) = 0
  emit: ([x]) => `Math.max(${x}, 0)`,
});
/**
 * `max(x, 0)`; its derivative at 0 is 0.
 * @example
 * ```ts
 * import { relu } from "chainrule";
 * console.log(relu(-2)); // 0
 * ```
 * @category Primitives
 */
export const relu: (x: Num) => Num = op1(RELU);

// ---- softplus ----------------------------------------------------------------------------------
export const SOFTPLUS = builtin({
  name: "softplus",
  arity: 1,
  impl: softplusNum,
  rule: { partials: ([x]) => [sigmoid(x!)] },
  emit: ([x]) => `$h.softplus(${x})`,
});
/**
 * `log(1 + eˣ)`, computed without overflow; its derivative is `sigmoid`.
 * @example
 * ```ts
 * import { softplus } from "chainrule";
 * console.log(softplus(0)); // log 2
 * ```
 * @category Primitives
 */
export const softplus: (x: Num) => Num = op1(SOFTPLUS);
