/**
 * Special functions: the error function, the standard normal distribution, log-gamma and its
 * derivatives. One block per primitive, as elsewhere: the value (a double-precision kernel in
 * `core/special-math.ts`), the local gradient in chainrule's ops (so every order works) and the
 * JavaScript for `jit`.
 */
import type { Num } from "../core/num.js";
import { builtin, op1, op2 } from "../core/primitive.js";
import * as kernel from "../core/special-math.js";
import { add, mul, neg } from "./arithmetic.js";

/** 2/√π. */
const TWO_OVER_SQRT_PI = 1.1283791670955126;

// ---- gaussian and normPdf (internal) -------------------------------------------------------------
// e^{-x²} and φ(x) as primitives of their own, so that the derivatives of erf, erfc and normCdf
// keep full relative accuracy in the tails: exp(-x·x) carries the rounding error of x·x,
// multiplied by x² (1.9e-14 relative at x = −25.9).
/** e^{-x²} (the derivative of erf up to 2/√π); its own derivative is −2x·e^{-x²}. Internal. */
export const GAUSSIAN = builtin({
  name: "gaussian",
  arity: 1,
  impl: kernel.gaussian,
  rule: { partials: ([x], out) => [mul(mul(-2, x!), out)] },
  emit: ([x]) => `$h.gaussian(${x})`,
});
const gaussian: (x: Num) => Num = op1(GAUSSIAN);

/** φ(x) = e^{-x²/2}/√(2π) (the derivative of normCdf); its own derivative is −x·φ(x). Internal. */
export const NORM_PDF = builtin({
  name: "normPdf",
  arity: 1,
  impl: kernel.normPdf,
  rule: { partials: ([x], out) => [mul(neg(x!), out)] },
  emit: ([x]) => `$h.normPdf(${x})`,
});
const normPdf: (x: Num) => Num = op1(NORM_PDF);

// ---- erf ---------------------------------------------------------------------------------------
export const ERF = builtin({
  name: "erf",
  arity: 1,
  impl: kernel.erf,
  rule: { partials: ([x]) => [mul(TWO_OVER_SQRT_PI, gaussian(x!))] }, // erf' = (2/√π) e^{-x²}
  emit: ([x]) => `$h.erf(${x})`,
});
/**
 * The error function `erf(x) = (2/√π) ∫₀ˣ e^{-t²} dt`, by W. J. Cody's rational Chebyshev
 * approximations: within a few ulps (relative error below 1e-15) everywhere.
 * Its derivative is `(2/√π) e^{-x²}`.
 * @example
 * ```ts
 * import { erf, grad } from "chainrule";
 * console.log(erf(1)); // 0.842701
 * console.log(grad(erf)(0)); // 1.1283791670955126
 * ```
 * @category Primitives
 */
export const erf: (x: Num) => Num = op1(ERF);

// ---- erfc --------------------------------------------------------------------------------------
export const ERFC = builtin({
  name: "erfc",
  arity: 1,
  impl: kernel.erfc,
  rule: { partials: ([x]) => [mul(-TWO_OVER_SQRT_PI, gaussian(x!))] }, // erfc' = −erf'
  emit: ([x]) => `$h.erfc(${x})`,
});
/**
 * The complementary error function `1 − erf(x)`, computed directly so that it keeps its relative
 * accuracy where it is tiny (`erfc(10)` is about 2e-45): relative error below 1e-15 until the
 * result leaves the normal range of doubles (x ≳ 26.5, where it underflows to 0).
 * @example
 * ```ts
 * import { erfc } from "chainrule";
 * console.log(erfc(0)); // 1
 * console.log(erfc(10)); // 2.088487583762545e-45
 * ```
 * @category Primitives
 */
export const erfc: (x: Num) => Num = op1(ERFC);

// ---- normCdf -----------------------------------------------------------------------------------
export const NORM_CDF = builtin({
  name: "normCdf",
  arity: 1,
  impl: kernel.normCdf,
  rule: { partials: ([x]) => [normPdf(x!)] }, // Φ' = φ
  emit: ([x]) => `$h.normCdf(${x})`,
});
/**
 * The standard normal distribution function `Φ(x) = erfc(−x/√2)/2`, with the argument scaled in
 * extra precision so that the left tail keeps a relative error below 1e-15 down to x ≈ −37.5,
 * where Φ leaves the normal range of doubles (below that it returns 0; use
 * {@link logNormCdf} there). Its derivative is the density `φ(x) = e^{-x²/2}/√(2π)`.
 * @example
 * ```ts
 * import { normCdf } from "chainrule";
 * console.log(normCdf(0)); // 0.5
 * console.log(normCdf(1.959963984540054)); // 0.975
 * ```
 * @category Primitives
 */
export const normCdf: (x: Num) => Num = op1(NORM_CDF);

// ---- normHazard (internal) ----------------------------------------------------------------------
/**
 * φ(x)/Φ(x), the local gradient of {@link logNormCdf}: a primitive of its own so that it stays
 * accurate in the far left tail, where φ and Φ both underflow and it tends to −x (Mills' ratio).
 * Its own derivative is −h(x + h).
 */
export const NORM_HAZARD = builtin({
  name: "normHazard",
  arity: 1,
  impl: kernel.normHazard,
  rule: { partials: ([x], out) => [mul(neg(out), add(x!, out))] },
  emit: ([x]) => `$h.normHazard(${x})`,
});
/** φ(x)/Φ(x) (see {@link NORM_HAZARD}). Internal. */
export const normHazard: (x: Num) => Num = op1(NORM_HAZARD);

// ---- logNormCdf --------------------------------------------------------------------------------
export const LOG_NORM_CDF = builtin({
  name: "logNormCdf",
  arity: 1,
  impl: kernel.logNormCdf,
  rule: { partials: ([x]) => [normHazard(x!)] }, // (log Φ)' = φ/Φ
  emit: ([x]) => `$h.logNormCdf(${x})`,
});
/**
 * `log Φ(x)`, the log of the standard normal distribution function, accurate in both tails:
 * `log1p(−Φ(−x))` for `x > 0`, and Mills' ratio (a continued fraction) for `x < −20`, where Φ
 * itself is below 1e-88 and soon underflows. Relative error below 1e-15 everywhere.
 * Its derivative `φ(x)/Φ(x)` is computed as a function of its own (Mills' ratio in the left
 * tail), so it stays accurate where it approaches −x (`logNormCdf(-1e10)` has gradient 1e10).
 * The second derivative, `−h(x + h)` with `h = φ/Φ`, cancels there (x + h ≈ −1/x): its relative
 * error grows like x²·1e-16.
 * @example
 * ```ts
 * import { grad, logNormCdf } from "chainrule";
 * console.log(logNormCdf(-40)); // -804.6084420137538
 * console.log(grad(logNormCdf)(-40)); // 40.0250
 * ```
 * @category Primitives
 */
export const logNormCdf: (x: Num) => Num = op1(LOG_NORM_CDF);

// ---- polygamma (internal) ------------------------------------------------------------------------
/**
 * ψ⁽ⁿ⁾(x), the n-th derivative of digamma, for a constant integer order n ≥ 1: the local
 * gradient of {@link digamma} (n = 1, trigamma) and of itself (n + 1), so that lgamma and
 * digamma can be differentiated to any order. The order is not differentiable (partial 0).
 */
export const POLYGAMMA = builtin({
  name: "polygamma",
  arity: 2,
  impl: kernel.polygamma,
  rule: { partials: ([n, x], _, __, needed) => [0, needed & 2 ? polygamma(add(n!, 1), x!) : 0] },
  emit: ([n, x]) => `$h.polygamma(${n}, ${x})`,
});
/** ψ⁽ⁿ⁾(x) for a constant integer n ≥ 1 (see {@link POLYGAMMA}). Internal. */
export const polygamma: (n: Num, x: Num) => Num = op2(POLYGAMMA);

// ---- lgamma ------------------------------------------------------------------------------------
export const LGAMMA = builtin({
  name: "lgamma",
  arity: 1,
  impl: kernel.lgamma,
  rule: { partials: ([x]) => [digamma(x!)] }, // (log |Γ|)' = ψ
  emit: ([x]) => `$h.lgamma(${x})`,
});
/**
 * `log |Γ(x)|`, the log of the absolute value of the gamma function (`+Infinity` at 0 and the
 * negative integers). For `0 < x < 10` the argument is reduced to [1.5, 2.5] and lgamma taken
 * from its Taylor series about 2, so the relative error is below 1e-15 for `x > 0` — including
 * next to its zeros 1 and 2 (`lgamma(1) = lgamma(2) = 0` exactly), even though lgamma is
 * ill-conditioned there (an input rounding error δ moves the result by about ψ(x)·δ). From 10 on,
 * Stirling's series. For `x < 0`, the reflection formula: the result is then accurate to about
 * 1e-16 of the larger of its two terms, so it loses relative accuracy near the zeros of
 * lgamma on the negative axis (x ≈ −2.457, −2.747, …). Its derivative is {@link digamma}.
 * @example
 * ```ts
 * import { grad, lgamma } from "chainrule";
 * console.log(lgamma(5)); // 3.1780538303479458 (= log 4!)
 * console.log(lgamma(0.5)); // 0.5723649429247001 (= log √π)
 * console.log(grad(lgamma)(1)); // -0.5772156649015329 (= −γ)
 * ```
 * @category Primitives
 */
export const lgamma: (x: Num) => Num = op1(LGAMMA);

// ---- digamma -----------------------------------------------------------------------------------
export const DIGAMMA = builtin({
  name: "digamma",
  arity: 1,
  impl: kernel.digamma,
  rule: { partials: ([x]) => [polygamma(1, x!)] }, // ψ' = ψ⁽¹⁾ (trigamma)
  emit: ([x]) => `$h.digamma(${x})`,
});
/**
 * The digamma function `ψ(x) = Γ'(x)/Γ(x)`, the derivative of {@link lgamma}: the recurrence
 * `ψ(x + 1) = ψ(x) + 1/x` into [1.5, 2.5] and a Taylor series there for `0 < x < 10` (a Taylor
 * series about its positive root x₀ ≈ 1.4616 next to it), the asymptotic series beyond.
 * Relative error below 1e-15 for `x > 0`, the root included — though ψ is ill-conditioned
 * there: an input rounding error δ moves the result by about 0.97δ. For `x < 0`, the
 * reflection formula, accurate to about 1e-16 of its larger term, so it loses relative
 * accuracy next to the negative roots (x ≈ −0.504, −1.573, …). NaN at 0 and the negative
 * integers (poles with opposite signs on either side). Its derivatives, trigamma and beyond,
 * come from the polygamma series, so every order is supported.
 * @example
 * ```ts
 * import { digamma, grad } from "chainrule";
 * console.log(digamma(1)); // -0.5772156649015329 (= −γ)
 * console.log(grad(digamma)(1)); // 1.6449340668482264 (= π²/6)
 * ```
 * @category Primitives
 */
export const digamma: (x: Num) => Num = op1(DIGAMMA);
