/**
 * Selection and comparison primitives: `where`, `lt le gt ge eq`, `max`, `min`.
 *
 * Gradient flows only into the branch `where` selects. With a concrete condition `where`
 * returns the selected value itself, so the other branch never receives a cotangent; with an
 * abstract one (under `jit`) the discarded branch receives an exact zero, and a zero cotangent
 * contributes zero (see `scale`) — either way a NaN in the unselected branch cannot leak into
 * the gradient.
 */
import { select } from "../core/helpers.js";
import { ChainruleError } from "../errors.js";
import { describeValue, isTracer, type Num } from "../core/num.js";
import { builtin, op2 } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import { add, mul } from "./arithmetic.js";

// ---- where -------------------------------------------------------------------------------------
export const WHERE = builtin({
  name: "where",
  arity: 3,
  impl: select,
  rule: {
    jvp: ([c], _out, [, ta, tb]) => where(c!, ta!, tb!),
    vjp: ([c], _out, ct) => [0, where(c!, ct, 0), where(c!, 0, ct)],
  },
  emit: ([c, a, b]) => `(${c} !== 0 && ${c} === ${c} ? ${a} : ${b})`,
});
/**
 * `a` where `cond` is truthy (nonzero and not NaN, or `true`), else `b`. The gradient flows
 * only into the selected branch, and a NaN in the other branch never reaches it.
 *
 * NaN-safe at every order, in reverse and forward mode, eagerly and under `jit`: the discarded
 * branch receives no cotangent or tangent (or an exact zero), and a zero (co)tangent times any
 * local gradient — NaN and ±Infinity included — contributes zero. So
 * `grad(x => where(gt(x, 0), sqrt(x), 0))(-1)` is `0`, and so are its second derivatives; no
 * "double where" is needed. It does not hide a NaN in the *selected* branch
 * (`where(lt(x, 0), sqrt(x), 0)` has gradient NaN at -1, as `sqrt` has), and `debugNans` still
 * reports the NaN the discarded branch computes (write `sqrt(where(c, x, 1))` if that matters).
 *
 * @param cond - the condition: a `Num` (truthy when nonzero and not NaN; comparisons give 1 or 0) or a boolean.
 * @param a - the value where `cond` is truthy.
 * @param b - the value elsewhere.
 * @returns `a` or `b`.
 * @throws {@link ChainruleError} when `a` or `b` is not a `Num`, or `cond` is neither a `Num` nor a boolean.
 * @example
 * ```ts
 * import { grad, gt, sqrt, where, type Num } from "chainrule";
 * const f = (x: Num) => where(gt(x, 0), sqrt(x), 0);
 * console.log(grad(f)(4)); // 0.25
 * console.log(grad(f)(-1)); // 0, not NaN
 * console.log(grad(grad(f))(-1)); // 0
 * ```
 * @category Primitives
 */
export function where(cond: Num | boolean, a: Num, b: Num): Num {
  // Both branches are checked, also the one a concrete condition discards: whether a call is
  // valid must not depend on the values.
  if ((typeof a !== "number" && !isTracer(a)) || (typeof b !== "number" && !isTracer(b))) throw badWhere(cond, a, b);
  // A concrete condition selects now: the discarded branch gets no cotangent at all.
  if (typeof cond === "boolean") return cond ? a : b;
  if (typeof cond === "number") return cond !== 0 && cond === cond ? a : b;
  if (!isTracer(cond)) throw badWhere(cond, a, b);
  return bind(WHERE, [cond, a, b]);
}

function badWhere(cond: unknown, a: unknown, b: unknown): ChainruleError {
  const [what, v] =
    typeof cond !== "number" && typeof cond !== "boolean" && !isTracer(cond)
      ? ["argument 0 (the condition) must be a Num or a boolean", cond]
      : typeof a !== "number" && !isTracer(a)
        ? ["argument 1 (the value where cond holds) must be a Num (a number or a traced value)", a]
        : ["argument 2 (the value elsewhere) must be a Num (a number or a traced value)", b];
  return new ChainruleError(`where: ${what}, got ${describeValue(v)}`);
}

// ---- comparisons -------------------------------------------------------------------------------
export const LT = builtin({ name: "lt", arity: 2, impl: (x, y) => (x < y ? 1 : 0), rule: "zero", emit: ([x, y]) => `(${x} < ${y} ? 1 : 0)` });
export const LE = builtin({ name: "le", arity: 2, impl: (x, y) => (x <= y ? 1 : 0), rule: "zero", emit: ([x, y]) => `(${x} <= ${y} ? 1 : 0)` });
export const GT = builtin({ name: "gt", arity: 2, impl: (x, y) => (x > y ? 1 : 0), rule: "zero", emit: ([x, y]) => `(${x} > ${y} ? 1 : 0)` });
export const GE = builtin({ name: "ge", arity: 2, impl: (x, y) => (x >= y ? 1 : 0), rule: "zero", emit: ([x, y]) => `(${x} >= ${y} ? 1 : 0)` });
export const EQ = builtin({ name: "eq", arity: 2, impl: (x, y) => (x === y ? 1 : 0), rule: "zero", emit: ([x, y]) => `(${x} === ${y} ? 1 : 0)` });

/**
 * `1` if `x < y`, else `0` (gradient 0). Use it as the condition of `where`.
 * @example
 * ```ts
 * import { lt } from "chainrule";
 * console.log(lt(1, 2)); // 1
 * ```
 * @category Primitives
 */
export const lt: (x: Num, y: Num) => Num = op2(LT);
/**
 * `1` if `x <= y`, else `0` (gradient 0).
 * @example
 * ```ts
 * import { le } from "chainrule";
 * console.log(le(2, 2)); // 1
 * ```
 * @category Primitives
 */
export const le: (x: Num, y: Num) => Num = op2(LE);
/**
 * `1` if `x > y`, else `0` (gradient 0).
 * @example
 * ```ts
 * import { gt } from "chainrule";
 * console.log(gt(1, 2)); // 0
 * ```
 * @category Primitives
 */
export const gt: (x: Num, y: Num) => Num = op2(GT);
/**
 * `1` if `x >= y`, else `0` (gradient 0).
 * @example
 * ```ts
 * import { ge } from "chainrule";
 * console.log(ge(2, 2)); // 1
 * ```
 * @category Primitives
 */
export const ge: (x: Num, y: Num) => Num = op2(GE);
/**
 * `1` if `x === y`, else `0` (gradient 0).
 * @example
 * ```ts
 * import { eq } from "chainrule";
 * console.log(eq(2, 2)); // 1
 * ```
 * @category Primitives
 */
export const eq: (x: Num, y: Num) => Num = op2(EQ);

// ---- max, min ----------------------------------------------------------------------------------
// At a tie the gradient is split evenly (0.5 each), as JAX does.
export const MAX = builtin({
  name: "max",
  arity: 2,
  impl: Math.max,
  rule: {
    partials: ([x, y]) => {
      const half = mul(0.5, eq(x!, y!));
      return [add(gt(x!, y!), half), add(lt(x!, y!), half)];
    },
  },
  emit: ([x, y]) => `Math.max(${x}, ${y})`,
});
/**
 * The larger of `x` and `y` (`Math.max`); at a tie each gets half the gradient.
 * @example
 * ```ts
 * import { max } from "chainrule";
 * console.log(max(1, 2)); // 2
 * ```
 * @category Primitives
 */
export const max: (x: Num, y: Num) => Num = op2(MAX);

export const MIN = builtin({
  name: "min",
  arity: 2,
  impl: Math.min,
  rule: {
    partials: ([x, y]) => {
      const half = mul(0.5, eq(x!, y!));
      return [add(lt(x!, y!), half), add(gt(x!, y!), half)];
    },
  },
  emit: ([x, y]) => `Math.min(${x}, ${y})`,
});
/**
 * The smaller of `x` and `y` (`Math.min`); at a tie each gets half the gradient.
 * @example
 * ```ts
 * import { min } from "chainrule";
 * console.log(min(1, 2)); // 1
 * ```
 * @category Primitives
 */
export const min: (x: Num, y: Num) => Num = op2(MIN);
