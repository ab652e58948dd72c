/**
 * Numeric helpers shared by primitive implementations and by the JavaScript that `jit` emits
 * (generated code reaches them as `$h.name`), so the two can never disagree.
 */
import { digamma, erf, erfc, gaussian, lgamma, logit, logNormCdf, logSigmoid, normCdf, normHazard, normPdf, polygamma } from "./special-math.js";

/** Logistic function, stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ), stable for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log Σ exp(xᵢ), shifted by the maximum so that it neither overflows nor underflows. */
export function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x !== x) return NaN;
    if (x > m) m = x;
  }
  if (m === Infinity || m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/** `where`'s rule for a numeric condition: truthy means nonzero and not NaN. */
export function select(c: number, a: number, b: number): number {
  return c !== 0 && c === c ? a : b;
}

/** Σ xᵢ. */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

/** Σ xᵢ·yᵢ over the two halves of `v` (`v = [...xs, ...ys]`). */
export function dotHalves(v: ArrayLike<number>): number {
  const n = v.length >> 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]! * v[n + i]!;
  return s;
}

/** The largest xᵢ, NaN if any is NaN (as `Math.max`), -Infinity for none. */
export function max(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x !== x) return NaN;
    if (x > m || (x === 0 && m === 0 && !Object.is(x, -0))) m = x; // Math.max(-0, 0) is 0
  }
  return m;
}

/**
 * Product in which a zero factor on either side is absorbing: a zero cotangent (or tangent)
 * contributes zero even against a NaN or infinite local gradient. Both sides, because
 * differentiating `scale(ct, ∂)` again swaps the roles (the JVP of a cotangent product is
 * `scale(tangent of ∂, ct)`), and eager rules already skip exact zeros on either side.
 */
export function scale(c: number, d: number): number {
  return c === 0 || d === 0 ? 0 : c * d;
}

/**
 * The helper table generated code receives as `$h`, with the special functions' kernels named
 * one by one (spreading an imported object would keep them in bundles that never use jit).
 */
export const jsHelpers = {
  sigmoid,
  softplus,
  logSumExp,
  select,
  sum,
  dotHalves,
  max,
  scale,
  erf,
  erfc,
  gaussian,
  normCdf,
  normPdf,
  logNormCdf,
  normHazard,
  lgamma,
  digamma,
  polygamma,
  logSigmoid,
  logit,
} as const;
