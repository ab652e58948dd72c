/**
 * Reductions over arrays of `Num`: `sum`, `mean`, `dot`, `logSumExp`, `softmax`. `sum`, `dot`
 * and `logSumExp` are single primitives taking any number of inputs (one equation in a graph,
 * one step of the backward pass); `mean` and `softmax` are built from them.
 */
import { dotHalves, logSumExp as logSumExpNum, sum as sumNum } from "../core/helpers.js";
import type { Num } from "../core/num.js";
import { builtin } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import { ChainruleError } from "../errors.js";
import { div, sub } from "./arithmetic.js";
import { exp } from "./exponential.js";

// ---- sum ---------------------------------------------------------------------------------------
export const SUM = builtin({
  name: "sum",
  arity: -1,
  impl: sumNum,
  rule: {
    partials: (xs) => xs.map(() => 1),
    jvp: (_xs, _out, ts) => sumOfNonzero(ts),
    vjp: (xs, _out, ct) => xs.map(() => ct),
  },
  emit: (xs) => (xs.length === 0 ? "0" : `(${xs.join(" + ")})`),
});
/**
 * `Σ xs[i]` (0 for an empty array).
 * @param xs - the terms.
 * @returns their sum; one equation in a graph, however many terms.
 * @example
 * ```ts
 * import { sum } from "chainrule";
 * console.log(sum([1, 2, 3])); // 6
 * ```
 * @category Primitives
 */
export function sum(xs: readonly Num[]): Num {
  return bind(SUM, xs);
}

/** Sum of the terms that are not exact zeros: 0, the single term, or one `sum`. */
export function sumOfNonzero(terms: readonly Num[]): Num {
  const nz = terms.filter((t) => t !== 0);
  if (nz.length === 0) return 0;
  if (nz.length === 1) return nz[0]!;
  return bind(SUM, nz);
}

// ---- mean --------------------------------------------------------------------------------------
/**
 * The arithmetic mean of `xs` (NaN for an empty array, as 0/0).
 * @param xs - the values.
 * @returns `sum(xs) / xs.length`.
 * @example
 * ```ts
 * import { mean } from "chainrule";
 * console.log(mean([1, 2, 3])); // 2
 * ```
 * @category Primitives
 */
export function mean(xs: readonly Num[]): Num {
  return div(sum(xs), xs.length);
}

// ---- dot ---------------------------------------------------------------------------------------
export const DOT = builtin({
  name: "dot",
  arity: -1, // [...xs, ...ys]
  impl: dotHalves,
  rule: {
    partials: (v) => {
      const n = v.length >> 1;
      return [...v.slice(n), ...v.slice(0, n)]; // ∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ
    },
  },
  emit: (v) => {
    const n = v.length >> 1;
    if (n === 0) return "0";
    const terms: string[] = [];
    for (let i = 0; i < n; i++) terms.push(`${v[i]} * ${v[n + i]}`);
    return `(${terms.join(" + ")})`;
  },
});
/**
 * `Σ xs[i] · ys[i]`; the arrays must have the same length.
 * @param xs - the first vector.
 * @param ys - the second vector, as long as `xs`.
 * @returns the inner product.
 * @throws {@link ChainruleError} when the lengths differ.
 * @example
 * ```ts
 * import { dot } from "chainrule";
 * console.log(dot([1, 2], [3, 4])); // 11
 * ```
 * @category Primitives
 */
export function dot(xs: readonly Num[], ys: readonly Num[]): Num {
  if (xs.length !== ys.length) {
    throw new ChainruleError(`dot: the arrays must have the same length, got ${xs.length} and ${ys.length}`);
  }
  return bind(DOT, [...xs, ...ys]);
}

// ---- reduceMax (internal) ------------------------------------------------------------------------
/**
 * The largest input, as a constant to every derivative: the shift that keeps `softmax` and
 * `logSumExp`'s gradient exact for large inputs (both are invariant to it, so its gradient
 * is truly zero).
 */
export const REDUCE_MAX = builtin({
  name: "reduceMax",
  arity: -1,
  impl: (...xs) => Math.max(...xs),
  rule: "zero",
  emit: (xs) => `Math.max(${xs.join(", ")})`,
});

/** `exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x)`: shifting by an input keeps every difference exact. */
function stableSoftmax(xs: readonly Num[]): Num[] {
  const m = bind(REDUCE_MAX, xs);
  const e = xs.map((x) => exp(sub(x, m)));
  const s = sum(e);
  return e.map((ei) => div(ei, s));
}

// ---- logSumExp ---------------------------------------------------------------------------------
export const LOG_SUM_EXP = builtin({
  name: "logSumExp",
  arity: -1,
  impl: logSumExpNum,
  rule: { partials: (xs) => stableSoftmax(xs) }, // ∂/∂xᵢ = softmax(xs)ᵢ
  emit: (xs) => `$h.logSumExp(${xs.join(", ")})`,
});
/**
 * `log Σ exp(xs[i])`, computed without overflow (-Infinity for an empty array).
 * @param xs - the values.
 * @returns `log(sum(xs.map(exp)))`, stable for large inputs; its gradient is `softmax(xs)`.
 * @example
 * ```ts
 * import { logSumExp } from "chainrule";
 * console.log(logSumExp([1000, 1000])); // 1000 + log 2
 * ```
 * @category Primitives
 */
export function logSumExp(xs: readonly Num[]): Num {
  return bind(LOG_SUM_EXP, xs);
}

// ---- softmax -----------------------------------------------------------------------------------
/**
 * `exp(xs[i]) / Σ exp(xs[j])` for every `i`, computed without overflow.
 * @param xs - the logits.
 * @returns an array as long as `xs`, of positive values summing to 1.
 * @example
 * ```ts
 * import { softmax } from "chainrule";
 * console.log(softmax([0, 0])); // [0.5, 0.5]
 * ```
 * @category Primitives
 */
export function softmax(xs: readonly Num[]): Num[] {
  return stableSoftmax(xs);
}
