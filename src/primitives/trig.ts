/**
 * Trigonometric and hyperbolic primitives: value, local gradient and JavaScript, one block each.
 */
import type { Num } from "../core/num.js";
import { builtin, op1, op2 } from "../core/primitive.js";
import { add, div, neg, reciprocal, sqrt, square, sub } from "./arithmetic.js";

// ---- sin ---------------------------------------------------------------------------------------
export const SIN = builtin({
  name: "sin",
  arity: 1,
  impl: Math.sin,
  rule: { partials: ([x]) => [cos(x!)] },
  partialNum: (_j, x) => Math.cos(x),
  emit: ([x]) => `Math.sin(${x})`,
});
/**
 * Sine (`Math.sin`).
 * @example
 * ```ts
 * import { sin } from "chainrule";
 * console.log(sin(0)); // 0
 * ```
 * @category Primitives
 */
export const sin: (x: Num) => Num = op1(SIN);

// ---- cos ---------------------------------------------------------------------------------------
export const COS = builtin({
  name: "cos",
  arity: 1,
  impl: Math.cos,
  rule: { partials: ([x]) => [neg(sin(x!))] },
  partialNum: (_j, x) => -Math.sin(x),
  emit: ([x]) => `Math.cos(${x})`,
});
/**
 * Cosine (`Math.cos`).
 * @example
 * ```ts
 * import { cos } from "chainrule";
 * console.log(cos(0)); // 1
 * ```
 * @category Primitives
 */
export const cos: (x: Num) => Num = op1(COS);

// ---- tan ---------------------------------------------------------------------------------------
export const TAN = builtin({
  name: "tan",
  arity: 1,
  impl: Math.tan,
  rule: { partials: (_, out) => [add(1, square(out))] }, // sec²x = 1 + tan²x
  emit: ([x]) => `Math.tan(${x})`,
});
/**
 * Tangent (`Math.tan`).
 * @example
 * ```ts
 * import { tan } from "chainrule";
 * console.log(tan(0)); // 0
 * ```
 * @category Primitives
 */
export const tan: (x: Num) => Num = op1(TAN);

// ---- asin --------------------------------------------------------------------------------------
export const ASIN = builtin({
  name: "asin",
  arity: 1,
  impl: Math.asin,
  rule: { partials: ([x]) => [reciprocal(sqrt(sub(1, square(x!))))] },
  emit: ([x]) => `Math.asin(${x})`,
});
/**
 * Arcsine (`Math.asin`).
 * @example
 * ```ts
 * import { asin } from "chainrule";
 * console.log(asin(0)); // 0
 * ```
 * @category Primitives
 */
export const asin: (x: Num) => Num = op1(ASIN);

// ---- acos --------------------------------------------------------------------------------------
export const ACOS = builtin({
  name: "acos",
  arity: 1,
  impl: Math.acos,
  rule: { partials: ([x]) => [neg(reciprocal(sqrt(sub(1, square(x!)))))] },
  emit: ([x]) => `Math.acos(${x})`,
});
/**
 * Arccosine (`Math.acos`).
 * @example
 * ```ts
 * import { acos } from "chainrule";
 * console.log(acos(1)); // 0
 * ```
 * @category Primitives
 */
export const acos: (x: Num) => Num = op1(ACOS);

// ---- atan --------------------------------------------------------------------------------------
export const ATAN = builtin({
  name: "atan",
  arity: 1,
  impl: Math.atan,
  rule: { partials: ([x]) => [reciprocal(add(1, square(x!)))] },
  emit: ([x]) => `Math.atan(${x})`,
});
/**
 * Arctangent (`Math.atan`).
 * @example
 * ```ts
 * import { atan } from "chainrule";
 * console.log(atan(0)); // 0
 * ```
 * @category Primitives
 */
export const atan: (x: Num) => Num = op1(ATAN);

// ---- atan2 -------------------------------------------------------------------------------------
export const ATAN2 = builtin({
  name: "atan2",
  arity: 2,
  impl: Math.atan2,
  // ∂/∂y atan2(y, x) = x / (x² + y²), ∂/∂x = -y / (x² + y²)
  rule: {
    partials: ([y, x]) => {
      const r2 = add(square(x!), square(y!));
      return [div(x!, r2), neg(div(y!, r2))];
    },
  },
  emit: ([y, x]) => `Math.atan2(${y}, ${x})`,
});
/**
 * The angle of the point `(x, y)`, argument order as `Math.atan2(y, x)`.
 * @example
 * ```ts
 * import { atan2 } from "chainrule";
 * console.log(atan2(1, 1)); // π/4
 * ```
 * @category Primitives
 */
export const atan2: (y: Num, x: Num) => Num = op2(ATAN2);

// ---- sinh --------------------------------------------------------------------------------------
export const SINH = builtin({
  name: "sinh",
  arity: 1,
  impl: Math.sinh,
  rule: { partials: ([x]) => [cosh(x!)] },
  emit: ([x]) => `Math.sinh(${x})`,
});
/**
 * Hyperbolic sine (`Math.sinh`).
 * @example
 * ```ts
 * import { sinh } from "chainrule";
 * console.log(sinh(0)); // 0
 * ```
 * @category Primitives
 */
export const sinh: (x: Num) => Num = op1(SINH);

// ---- cosh --------------------------------------------------------------------------------------
export const COSH = builtin({
  name: "cosh",
  arity: 1,
  impl: Math.cosh,
  rule: { partials: ([x]) => [sinh(x!)] },
  emit: ([x]) => `Math.cosh(${x})`,
});
/**
 * Hyperbolic cosine (`Math.cosh`).
 * @example
 * ```ts
 * import { cosh } from "chainrule";
 * console.log(cosh(0)); // 1
 * ```
 * @category Primitives
 */
export const cosh: (x: Num) => Num = op1(COSH);

// ---- tanh --------------------------------------------------------------------------------------
export const TANH = builtin({
  name: "tanh",
  arity: 1,
  impl: Math.tanh,
  rule: { partials: (_, out) => [sub(1, square(out))] },
  partialNum: (_j, _x, _y, out) => 1 - out * out,
  emit: ([x]) => `Math.tanh(${x})`,
});
/**
 * Hyperbolic tangent (`Math.tanh`).
 * @example
 * ```ts
 * import { tanh } from "chainrule";
 * console.log(tanh(0)); // 0
 * ```
 * @category Primitives
 */
export const tanh: (x: Num) => Num = op1(TANH);
