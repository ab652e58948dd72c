/**
 * Activation functions used in neural networks: value, local gradient and JavaScript.
 */
import { sigmoid as sigmoidNum, softplus as softplusNum } from "../core/helpers.js";
import type { Num } from "../core/num.js";
import { builtin, op1 } from "../core/primitive.js";
import { logit as logitNum, logSigmoid as logSigmoidNum } from "../core/special-math.js";
import { mul, neg, reciprocal, sub } from "./arithmetic.js";
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

// ---- logSigmoid --------------------------------------------------------------------------------
export const LOG_SIGMOID = builtin({
  name: "logSigmoid",
  arity: 1,
  impl: logSigmoidNum,
  rule: { partials: ([x]) => [sigmoid(neg(x!))] }, // (log σ)' = 1 − σ(x) = σ(−x)
  emit: ([x]) => `$h.logSigmoid(${x})`,
});
/**
 * `log σ(x) = −softplus(−x)`, computed without overflow (`logSigmoid(-1000)` is -1000) or loss
 * of accuracy for large x (`logSigmoid(40)` is −4.2e-18, not 0); its derivative is `σ(−x)`.
 * @example
 * ```ts
 * import { logSigmoid } from "chainrule";
 * console.log(logSigmoid(0)); // -0.6931471805599453
 * console.log(logSigmoid(-1000)); // -1000
 * ```
 * @category Primitives
 */
export const logSigmoid: (x: Num) => Num = op1(LOG_SIGMOID);

// ---- logit -------------------------------------------------------------------------------------
export const LOGIT = builtin({
  name: "logit",
  arity: 1,
  impl: logitNum,
  rule: { partials: ([p]) => [reciprocal(mul(p!, sub(1, p!)))] }, // 1/(p(1 − p))
  emit: ([p]) => `$h.logit(${p})`,
});
/**
 * The log-odds `log(p / (1 − p))`, the inverse of {@link sigmoid}: `2·atanh(2p − 1)` near ½ and
 * `log p − log1p(−p)` elsewhere, so it keeps its relative accuracy on all of (0, 1)
 * (−Infinity at 0, Infinity at 1, NaN outside). Its derivative is `1/(p(1 − p))`.
 * @example
 * ```ts
 * import { logit, sigmoid } from "chainrule";
 * console.log(logit(0.5)); // 0
 * console.log(sigmoid(logit(0.9))); // 0.9
 * ```
 * @category Primitives
 */
export const logit: (x: Num) => Num = op1(LOGIT);
