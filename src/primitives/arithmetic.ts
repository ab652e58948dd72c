/**
 * Arithmetic primitives. Each block is one primitive: its value, its local gradient (written
 * with chainrule's ops so it can be differentiated again) and its JavaScript for `jit`.
 */
import { scale as scaleNum } from "../core/helpers.js";
import type { Num } from "../core/num.js";
import { builtin, op1, op2 } from "../core/primitive.js";
import { log } from "./exponential.js";
import { eq, where } from "./select.js";

// ---- add ---------------------------------------------------------------------------------------
export const ADD = builtin({
  name: "add",
  arity: 2,
  impl: (x, y) => x + y,
  rule: { partials: () => [1, 1] },
  partialNum: () => 1,
  emit: ([x, y]) => `${x} + ${y}`,
});
/**
 * `x + y`.
 * @example
 * ```ts
 * import { add } from "chainrule";
 * console.log(add(1, 2)); // 3
 * ```
 * @category Primitives
 */
export const add: (x: Num, y: Num) => Num = op2(ADD);

// ---- sub ---------------------------------------------------------------------------------------
export const SUB = builtin({
  name: "sub",
  arity: 2,
  impl: (x, y) => x - y,
  rule: { partials: () => [1, -1] },
  partialNum: (j) => (j === 0 ? 1 : -1),
  emit: ([x, y]) => `${x} - ${y}`,
});
/**
 * `x - y`.
 * @example
 * ```ts
 * import { sub } from "chainrule";
 * console.log(sub(5, 2)); // 3
 * ```
 * @category Primitives
 */
export const sub: (x: Num, y: Num) => Num = op2(SUB);

// ---- mul ---------------------------------------------------------------------------------------
export const MUL = builtin({
  name: "mul",
  arity: 2,
  impl: (x, y) => x * y,
  rule: { partials: ([x, y]) => [y!, x!] },
  partialNum: (j, x, y) => (j === 0 ? y : x),
  emit: ([x, y]) => `${x} * ${y}`,
});
/**
 * `x * y`.
 * @example
 * ```ts
 * import { grad, mul, type Num } from "chainrule";
 * console.log(mul(3, 4)); // 12
 * console.log(grad((x: Num) => mul(x, x))(3)); // 6
 * ```
 * @category Primitives
 */
export const mul: (x: Num, y: Num) => Num = op2(MUL);

// ---- div ---------------------------------------------------------------------------------------
export const DIV = builtin({
  name: "div",
  arity: 2,
  impl: (x, y) => x / y,
  // ∂(x/y)/∂x = 1/y, ∂(x/y)/∂y = -x/y² = -out/y
  rule: { partials: ([, y], out, _, needed) => [needed & 1 ? reciprocal(y!) : 0, needed & 2 ? neg(div(out, y!)) : 0] },
  partialNum: (j, _x, y, out) => (j === 0 ? 1 / y : -(out / y)),
  emit: ([x, y]) => `${x} / ${y}`,
});
/**
 * `x / y`.
 * @example
 * ```ts
 * import { div } from "chainrule";
 * console.log(div(3, 4)); // 0.75
 * ```
 * @category Primitives
 */
export const div: (x: Num, y: Num) => Num = op2(DIV);

// ---- neg ---------------------------------------------------------------------------------------
export const NEG = builtin({
  name: "neg",
  arity: 1,
  impl: (x) => -x,
  rule: { partials: () => [-1] },
  partialNum: () => -1,
  emit: ([x]) => `-${x}`,
});
/**
 * `-x`.
 * @example
 * ```ts
 * import { neg } from "chainrule";
 * console.log(neg(2)); // -2
 * ```
 * @category Primitives
 */
export const neg: (x: Num) => Num = op1(NEG);

// ---- pow ---------------------------------------------------------------------------------------
export const POW = builtin({
  name: "pow",
  arity: 2,
  impl: (x, y) => Math.pow(x, y),
  rule: {
    // ∂/∂x xʸ = y·xʸ⁻¹, with a zero y absorbing (scale): exactly 0 where y = 0 (x⁰ is constant,
    // also at x = 0 where xʸ⁻¹ is infinite), while its derivative in y is still xʸ⁻¹ (the mixed
    // partial ∂²/∂y∂x, 1/x at y = 0; a where(eq(y, 0), 0, …) here would make it 0).
    // ∂/∂y xʸ = log(x)·xʸ, but 0 where x = 0 (0ʸ is flat for y > 0), as JAX and autograd.
    partials: ([x, y], out, _, needed) => [
      needed & 1 ? scale(y!, pow(x!, sub(y!, 1))) : 0,
      needed & 2 ? where(eq(x!, 0), 0, mul(log(x!), out)) : 0,
    ],
  },
  emit: ([x, y]) => `Math.pow(${x}, ${y})`,
});
/**
 * `x` to the power `y` (`Math.pow`). Its derivative in `x` is 0 wherever `y = 0`, and in `y`
 * it is 0 wherever `x = 0`, at every order (as JAX).
 * @example
 * ```ts
 * import { grad, pow, type Num } from "chainrule";
 * console.log(pow(2, 10)); // 1024
 * console.log(grad((x: Num) => pow(x, 3))(2)); // 12
 * ```
 * @category Primitives
 */
export const pow: (x: Num, y: Num) => Num = op2(POW);

// ---- square ------------------------------------------------------------------------------------
export const SQUARE = builtin({
  name: "square",
  arity: 1,
  impl: (x) => x * x,
  rule: { partials: ([x]) => [mul(2, x!)] },
  partialNum: (_j, x) => 2 * x,
  emit: ([x]) => `${x} * ${x}`,
});
/**
 * `x²`.
 * @example
 * ```ts
 * import { square } from "chainrule";
 * console.log(square(3)); // 9
 * ```
 * @category Primitives
 */
export const square: (x: Num) => Num = op1(SQUARE);

// ---- sqrt --------------------------------------------------------------------------------------
export const SQRT = builtin({
  name: "sqrt",
  arity: 1,
  impl: Math.sqrt,
  rule: { partials: (_, out) => [div(0.5, out)] },
  partialNum: (_j, _x, _y, out) => 0.5 / out,
  emit: ([x]) => `Math.sqrt(${x})`,
});
/**
 * `√x` (`Math.sqrt`).
 * @example
 * ```ts
 * import { sqrt } from "chainrule";
 * console.log(sqrt(9)); // 3
 * ```
 * @category Primitives
 */
export const sqrt: (x: Num) => Num = op1(SQRT);

// ---- reciprocal --------------------------------------------------------------------------------
export const RECIPROCAL = builtin({
  name: "reciprocal",
  arity: 1,
  impl: (x) => 1 / x,
  rule: { partials: (_, out) => [neg(square(out))] },
  emit: ([x]) => `1 / ${x}`,
});
/**
 * `1 / x`.
 * @example
 * ```ts
 * import { reciprocal } from "chainrule";
 * console.log(reciprocal(4)); // 0.25
 * ```
 * @category Primitives
 */
export const reciprocal: (x: Num) => Num = op1(RECIPROCAL);

// ---- abs ---------------------------------------------------------------------------------------
export const ABS = builtin({
  name: "abs",
  arity: 1,
  impl: Math.abs,
  rule: { partials: ([x]) => [sign(x!)] }, // sign(0) = 0, so abs'(0) = 0
  emit: ([x]) => `Math.abs(${x})`,
});
/**
 * `|x|` (`Math.abs`); its derivative at 0 is 0.
 * @example
 * ```ts
 * import { abs } from "chainrule";
 * console.log(abs(-3)); // 3
 * ```
 * @category Primitives
 */
export const abs: (x: Num) => Num = op1(ABS);

// ---- sign --------------------------------------------------------------------------------------
export const SIGN = builtin({
  name: "sign",
  arity: 1,
  impl: Math.sign,
  rule: "zero",
  emit: ([x]) => `Math.sign(${x})`,
});
/**
 * The sign of `x` (`Math.sign`: -1, 0 or 1); its gradient is 0.
 * @example
 * ```ts
 * import { sign } from "chainrule";
 * console.log(sign(-3)); // -1
 * ```
 * @category Primitives
 */
export const sign: (x: Num) => Num = op1(SIGN);

// ---- scale (internal) --------------------------------------------------------------------------
/**
 * `c · d`, except that a zero factor on either side gives 0 even when the other is NaN or
 * infinite. Derived rules multiply cotangents and tangents by local gradients with it: a zero
 * cotangent contributes zero, which is what keeps a branch that `where` discarded from turning
 * a gradient into NaN. Either side, because at the next order the roles swap: the JVP of
 * `scale(ct, ∂)` contains `scale(tangent of ∂, ct)`, where the zero is the second factor.
 */
export const SCALE = builtin({
  name: "scale",
  shownAs: "mul", // graphs show users public primitives only; the difference is in 0 · ∞
  arity: 2,
  impl: scaleNum,
  rule: { partials: ([c, d]) => [d!, c!] },
  emit: ([c, d]) => `(${c} === 0 || ${d} === 0 ? 0 : ${c} * ${d})`,
});
/** `c · d` with a zero on either side absorbing (see {@link SCALE}). Internal. */
export const scale: (c: Num, d: Num) => Num = op2(SCALE);


// ---- cbrt --------------------------------------------------------------------------------------
export const CBRT = builtin({
  name: "cbrt",
  arity: 1,
  impl: Math.cbrt,
  rule: { partials: (_, out) => [reciprocal(mul(3, square(out)))] }, // 1/(3 ∛x²)
  emit: ([x]) => `Math.cbrt(${x})`,
});
/**
 * The real cube root `∛x` (`Math.cbrt`: negative for negative x, unlike `pow(x, 1/3)`); its
 * derivative is `1/(3 ∛x²)`, infinite at 0.
 * @example
 * ```ts
 * import { cbrt } from "chainrule";
 * console.log(cbrt(-27)); // -3
 * ```
 * @category Primitives
 */
export const cbrt: (x: Num) => Num = op1(CBRT);

// ---- hypot -------------------------------------------------------------------------------------
export const HYPOT = builtin({
  name: "hypot",
  arity: 2,
  impl: Math.hypot,
  // ∂h/∂x = x/h, ∂h/∂y = y/h; at (0, 0), where h has no derivative, both are 0 (a subgradient).
  rule: {
    partials: ([x, y], out, _, needed) => {
      const zero = eq(out, 0);
      return [needed & 1 ? where(zero, 0, div(x!, out)) : 0, needed & 2 ? where(zero, 0, div(y!, out)) : 0];
    },
  },
  emit: ([x, y]) => `Math.hypot(${x}, ${y})`,
});
/**
 * `√(x² + y²)` without overflow or underflow in the squares (`Math.hypot`). Its partial
 * derivatives are `x/h` and `y/h`; at the origin, where it has none, both are taken as 0.
 * @example
 * ```ts
 * import { grad, hypot, type Num } from "chainrule";
 * console.log(hypot(3, 4)); // 5
 * console.log(hypot(3e200, 4e200)); // 5e200
 * console.log(grad((x: Num, y: Num) => hypot(x, y), { argnums: [0, 1] })(3, 4)); // [ 0.6, 0.8 ]
 * ```
 * @category Primitives
 */
export const hypot: (x: Num, y: Num) => Num = op2(HYPOT);
