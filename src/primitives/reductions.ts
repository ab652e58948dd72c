/**
 * Reductions over arrays of `Num`: `sum`, `mean`, `dot`, `logSumExp`, `softmax`. `sum`, `dot`
 * and `logSumExp` are single primitives taking any number of inputs (one equation in a graph,
 * one step of the backward pass); `mean` and `softmax` are built from them.
 */
import { dotHalves, logSumExp as logSumExpNum, max as maxNum, sum as sumNum } from "../core/helpers.js";
import { describeValue, Tracer, type Num } from "../core/num.js";
import { builtin } from "../core/primitive.js";
import { bind } from "../core/trace.js";
import { TreeStructureError } from "../errors.js";
import { div, sub } from "./arithmetic.js";
import { exp } from "./exponential.js";
import { kindOf } from "../tree/tree.js";

// ---- sum ---------------------------------------------------------------------------------------
export const SUM = builtin({
  name: "sum",
  arity: -1,
  impl: (...xs) => sumNum(xs),
  implArray: sumNum,
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
 * @throws {@link TreeStructureError} when `xs` is not an array of `Num`s (naming the index).
 * @example
 * ```ts
 * import { sum } from "chainrule";
 * console.log(sum([1, 2, 3])); // 6
 * ```
 * @category Primitives
 */
export function sum(xs: readonly Num[]): Num {
  return bind(SUM, expectNums(xs, "sum", "xs"));
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
 * @throws {@link TreeStructureError} when `xs` is not an array of `Num`s (naming the index).
 * @example
 * ```ts
 * import { mean } from "chainrule";
 * console.log(mean([1, 2, 3])); // 2
 * ```
 * @category Primitives
 */
export function mean(xs: readonly Num[]): Num {
  return div(bind(SUM, expectNums(xs, "mean", "xs")), xs.length);
}

// ---- dot ---------------------------------------------------------------------------------------
export const DOT = builtin({
  name: "dot",
  arity: -1, // [...xs, ...ys]
  impl: (...v) => dotHalves(v),
  implArray: dotHalves,
  rule: {
    partials: (v) => {
      // ∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ: the two halves swapped.
      const n = v.length >> 1;
      const d = new Array<Num>(v.length);
      for (let i = 0; i < n; i++) {
        d[i] = v[n + i]!;
        d[n + i] = v[i]!;
      }
      return d;
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
 * @throws {@link TreeStructureError} when an argument is not an array of `Num`s or the lengths differ.
 * @example
 * ```ts
 * import { dot } from "chainrule";
 * console.log(dot([1, 2], [3, 4])); // 11
 * ```
 * @category Primitives
 */
export function dot(xs: readonly Num[], ys: readonly Num[]): Num {
  expectNums(xs, "dot", "xs");
  expectNums(ys, "dot", "ys");
  if (xs.length !== ys.length) {
    throw new TreeStructureError(
      `dot: xs has ${xs.length} element${xs.length === 1 ? "" : "s"} and ys has ${ys.length}; the vectors must have the same length`,
      "ys",
    );
  }
  const n = xs.length;
  const v = new Array<Num>(2 * n);
  for (let i = 0; i < n; i++) {
    v[i] = xs[i]!;
    v[n + i] = ys[i]!;
  }
  return bind(DOT, v);
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
  impl: Math.max,
  implArray: maxNum,
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
  impl: (...xs) => logSumExpNum(xs),
  implArray: logSumExpNum,
  rule: { partials: (xs) => stableSoftmax(xs) }, // ∂/∂xᵢ = softmax(xs)ᵢ
  emit: (xs) => `$h.logSumExp([${xs.join(", ")}])`,
});
/**
 * `log Σ exp(xs[i])`, computed without overflow (-Infinity for an empty array).
 * @param xs - the values.
 * @returns `log(sum(xs.map(exp)))`, stable for large inputs; its gradient is `softmax(xs)`.
 * @throws {@link TreeStructureError} when `xs` is not an array of `Num`s (naming the index).
 * @example
 * ```ts
 * import { logSumExp } from "chainrule";
 * console.log(logSumExp([1000, 1000])); // 1000 + log 2
 * ```
 * @category Primitives
 */
export function logSumExp(xs: readonly Num[]): Num {
  return bind(LOG_SUM_EXP, expectNums(xs, "logSumExp", "xs"));
}

// ---- softmax -----------------------------------------------------------------------------------
/**
 * `exp(xs[i]) / Σ exp(xs[j])` for every `i`, computed without overflow.
 * @param xs - the logits.
 * @returns an array as long as `xs`, of positive values summing to 1.
 * @throws {@link TreeStructureError} when `xs` is not an array of `Num`s (naming the index).
 * @example
 * ```ts
 * import { softmax } from "chainrule";
 * console.log(softmax([0, 0])); // [0.5, 0.5]
 * ```
 * @category Primitives
 */
export function softmax(xs: readonly Num[]): Num[] {
  return stableSoftmax(expectNums(xs, "softmax", "xs"));
}

// ---- argument checks ---------------------------------------------------------------------------
/** `xs` itself, once checked to be an array of `Num`s; the error names the argument and the index. */
function expectNums(xs: readonly Num[], fn: string, name: string): readonly Num[] {
  if (kindOf(xs) !== "array") {
    throw new TreeStructureError(`${fn}: ${name} must be an array of Nums, got ${describeValue(xs)}`, name);
  }
  for (let i = 0; i < xs.length; i++) {
    const x: unknown = xs[i];
    if (typeof x !== "number" && !(x instanceof Tracer)) {
      throw new TreeStructureError(`${fn}: ${name}[${i}] must be a Num (a number or a traced value), got ${describeValue(x)}`, `${name}[${i}]`);
    }
  }
  return xs;
}
