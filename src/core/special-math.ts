/**
 * Double-precision kernels of the special functions (error function, normal distribution,
 * log-gamma and polygamma). Each is a published algorithm, written out here; the primitives in
 * `src/primitives/special.ts` evaluate them, and `jit` calls the same functions (through
 * `core/helpers.ts`), so compiled and traced code agree to the bit.
 */

// ---- erf and erfc: W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969) 631–638, with the coefficients of his CALERF (netlib specfun).

/** erf(x) = x·R(x²) for |x| ≤ 0.46875. */
const ERF_A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const ERF_B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
/** erfc(x) = e^{-x²}·R(x) for 0.46875 < x ≤ 4. */
const ERFC_C = [
  0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERFC_D = [
  15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
  4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
];
/** erfc(x) = e^{-x²}/x·(1/√π + R(1/x²)/x²) for x > 4. */
const ERFC_P = [0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978];
const ERFC_Q = [2.56852019228982242, 1.87295284992346047, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];
const INV_SQRT_PI = 0.56418958354775628695;
/** Beyond this erfc(x) underflows to 0 (and erf(x) is 1). */
const ERFC_ZERO = 26.55;

/** erf(x) for |x| ≤ 0.46875: x·P(x²)/Q(x²). */
function erfSmall(x: number): number {
  const y = x * x;
  let num = ERF_A[4]! * y;
  let den = y;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]!) * y;
    den = (den + ERF_B[i]!) * y;
  }
  return (x * (num + ERF_A[3]!)) / (den + ERF_B[3]!);
}

/**
 * erfc(y) for y > 0.46875. e^{-y²} is computed as e^{-s²}·e^{-(y-s)(y+s)} with `s` = y rounded
 * down to a multiple of 1/16 (s² is exact): a plain e^{-y*y} would carry the rounding error of
 * y*y, multiplied by y², into the result.
 */
function erfcLarge(y: number): number {
  if (y >= ERFC_ZERO) return 0;
  let r: number;
  if (y <= 4) {
    let num = ERFC_C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]!) * y;
      den = (den + ERFC_D[i]!) * y;
    }
    r = (num + ERFC_C[7]!) / (den + ERFC_D[7]!);
  } else {
    const z = 1 / (y * y);
    let num = ERFC_P[5]! * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + ERFC_P[i]!) * z;
      den = (den + ERFC_Q[i]!) * z;
    }
    r = (INV_SQRT_PI - (z * (num + ERFC_P[4]!)) / (den + ERFC_Q[4]!)) / y;
  }
  const s = Math.trunc(y * 16) / 16;
  return Math.exp(-s * s) * Math.exp(-(y - s) * (y + s)) * r;
}

/**
 * e^{-x²}, with x = a + b split so that a² is exact (a is x rounded toward 0 to a multiple of
 * 1/16): e^{-a²}·e^{-b(2a + b)}, free of the rounding error of x·x, which e^{…} would multiply
 * by x². The derivative of erf, up to the factor 2/√π.
 */
export function gaussian(x: number): number {
  if (x === Infinity || x === -Infinity) return 0; // (the split would give ∞ − ∞)
  const a = Math.trunc(x * 16) / 16;
  const b = x - a;
  return Math.exp(-a * a) * Math.exp(-b * (2 * a + b));
}

/** The error function (2/√π) ∫₀ˣ e^{-t²} dt. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  if (y !== y) return NaN;
  const r = 1 - erfcLarge(y);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate where it is tiny (large x). */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  if (y !== y) return NaN;
  const r = erfcLarge(y);
  return x < 0 ? 2 - r : r;
}

// ---- the standard normal distribution

/** log √(2π). */
export const LOG_SQRT_2PI = 0.9189385332046727;
/** 1/√2 = SQRT1_2 + SQRT1_2_LO to about 2⁻¹⁰⁶. */
const SQRT1_2_LO = -4.8336466567264565e-17;
/** 1/√(2π). */
const INV_SQRT_2PI = 0.3989422804014327;
/** Veltkamp's splitting constant 2²⁷ + 1. */
const SPLIT = 134217729;

/**
 * Φ(x) = erfc(-x/√2)/2. The argument -x/√2 is formed in double-double arithmetic (hi + lo) and
 * the low part applied as a first-order correction, erfc(hi + lo) ≈ erfc(hi) − lo·(2/√π)e^{-hi²}:
 * rounding -x/√2 to a double would cost a relative error of about x²·2⁻⁵³ in the left tail.
 */
export function normCdf(x: number): number {
  if (!(Math.abs(x) < 40)) return x !== x ? NaN : x > 0 ? 1 : 0; // Φ rounds to 1 or underflows to 0
  // x·SQRT1_2 = p + e exactly (Dekker's product with Veltkamp's split).
  const p = x * Math.SQRT1_2;
  const xc = SPLIT * x;
  const xh = xc - (xc - x);
  const xl = x - xh;
  const sc = SPLIT * Math.SQRT1_2;
  const sh = sc - (sc - Math.SQRT1_2);
  const sl = Math.SQRT1_2 - sh;
  const e = xh * sh - p + xh * sl + xl * sh + xl * sl;
  const hi = -p;
  const lo = -(e + x * SQRT1_2_LO);
  return 0.5 * (erfc(hi) - lo * 2 * INV_SQRT_PI * Math.exp(-hi * hi));
}

/**
 * Mills' ratio R(t) = Φ(-t)/φ(t) for t ≥ 20, by its continued fraction
 * 1/(t + 1/(t + 2/(t + 3/(t + …)))), evaluated from the 40th level up (converged to a few ulps
 * at t = 20 and faster beyond).
 */
function millsRatio(t: number): number {
  let d = t;
  for (let k = 40; k >= 1; k--) d = t + k / d;
  return 1 / d;
}

/**
 * The standard normal density φ(x) = e^{-x²/2}/√(2π), with the exponent split as in
 * {@link gaussian}: e^{-a²/2}·e^{-b(2a + b)/2}.
 */
export function normPdf(x: number): number {
  if (x === Infinity || x === -Infinity) return 0;
  const a = Math.trunc(x * 16) / 16;
  const b = x - a;
  return Math.exp(-0.5 * a * a) * Math.exp(-0.5 * b * (2 * a + b)) * INV_SQRT_2PI;
}

/**
 * The hazard φ(x)/Φ(x), the derivative of log Φ: 1/R(−x) (Mills' ratio) for x < −20, where φ
 * and Φ both vanish, φ(x)/Φ(x) elsewhere. It tends to −x on the left and to 0 on the right.
 */
export function normHazard(x: number): number {
  if (x < -20) return 1 / millsRatio(-x);
  if (x !== x) return NaN;
  return normPdf(x) / normCdf(x);
}

/**
 * log Φ(x), accurate in both tails: log1p(-Φ(-x)) on the right, log Φ(x) in the middle, and
 * log φ(x) + log R(-x) (Mills' ratio, continued fraction) for x < -20, where Φ(x) is below 3e-89
 * and soon underflows.
 */
export function logNormCdf(x: number): number {
  if (x > 0) return Math.log1p(-normCdf(-x));
  if (x >= -20) return Math.log(normCdf(x));
  if (x !== x) return NaN;
  return -0.5 * x * x - LOG_SQRT_2PI + Math.log(millsRatio(-x));
}

// ---- log-gamma and polygamma

/** Euler's constant γ. */
const EULER = 0.5772156649015329;
const LOG_PI = 1.1447298858494002;
/** ζ(k) − 1 for k = 2, 3, …, 33 (mpmath, 40 digits, rounded). */
const ZETA_M1 = [
  0.64493406684822643647, 0.2020569031595942854, 0.082323233711138191516, 0.036927755143369926331,
  0.017343061984449139715, 0.0083492773819228268398, 0.0040773561979443393787, 0.0020083928260822144179,
  0.00099457512781808533715, 0.0004941886041194645587, 0.00024608655330804829864, 0.00012271334757848914675,
  0.000061248135058704829259, 0.000030588236307020493552, 0.000015282259408651871733, 7.6371976378997622736e-6,
  3.8172932649998398565e-6, 1.9082127165539389257e-6, 9.5396203387279611315e-7, 4.7693298678780646312e-7,
  2.3845050272773299e-7, 1.1921992596531107307e-7, 5.9608189051259479612e-8, 2.9803503514652280186e-8,
  1.4901554828365041235e-8, 7.450711789835429492e-9, 3.7253340247884570548e-9, 1.8626597235130490064e-9,
  9.3132743241966818287e-10, 4.656629065033784073e-10, 2.328311833676505492e-10, 1.1641550172700519776e-10,
];
/** Bernoulli numbers B₂, B₄, …, B₂₀. */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330];

/**
 * lgamma(2 + z) for |z| ≤ 0.5 by its Taylor series (1 − γ)z + Σ_{k≥2} (−1)ᵏ (ζ(k) − 1)/k · zᵏ,
 * whose terms fall like (z/2)ᵏ; summed from the smallest term up. Exact 0 at z = 0.
 */
function lgammaNear2(z: number): number {
  let s = 0;
  for (let k = ZETA_M1.length + 1; k >= 2; k--) s = s * z + ((k & 1 ? -1 : 1) * ZETA_M1[k - 2]!) / k;
  return z * (1 - EULER + z * s);
}

/** ψ(2 + z) for |z| ≤ 0.5: (1 − γ) + Σ_{k≥2} (−1)ᵏ (ζ(k) − 1) zᵏ⁻¹ (the derivative of the above). */
function digammaNear2(z: number): number {
  let s = 0;
  for (let k = ZETA_M1.length + 1; k >= 2; k--) s = s * z + (k & 1 ? -1 : 1) * ZETA_M1[k - 2]!;
  return 1 - EULER + z * s;
}

/** ψ's positive root x₀ = 1.46163214496836234126… as ROOT_HI + ROOT_LO (mpmath). */
const ROOT_HI = 1.4616321449683622;
const ROOT_LO = 9.549995429965697e-17;
/** ψ⁽ᵏ⁾(x₀)/k! for k = 1, 2, …, 21 (mpmath, 50 digits, rounded): ψ's Taylor series about x₀. */
const ROOT_TAYLOR = [
  0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237,
  -0.07219956125645471, 0.04880428816414311, -0.03316112647484736, 0.022597648232218104, -0.01542476590494896,
  0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328, 0.002305126326734928,
  -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602,
  -0.0003454680251063077, 0.00023635601564027053,
];
/** Half-width of the interval about x₀ where {@link digammaNearRoot} is used. */
const ROOT_RADIUS = 0.2;

/**
 * ψ(x) for |x − x₀| < 0.2 by its Taylor series about the root x₀, in d = (x − ROOT_HI) − ROOT_LO
 * (x − ROOT_HI is exact): relative accuracy right up to the root, where the recurrence would
 * subtract nearly equal terms. The terms fall like (d/x₀)ᵏ < 0.137ᵏ.
 */
function digammaNearRoot(x: number): number {
  const d = x - ROOT_HI - ROOT_LO;
  let s = 0;
  for (let k = ROOT_TAYLOR.length - 1; k >= 0; k--) s = s * d + ROOT_TAYLOR[k]!;
  return s * d;
}

/** sin(πx), exact in the reduction (x − 2·round(x/2) is exact), so accurate for large x too. */
function sinPi(x: number): number {
  let r = x - 2 * Math.round(x / 2); // in [-1, 1]
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** cot(πx), reduced to [-1/2, 1/2] exactly first (period 1); ±Infinity at the integers. */
function cotPi(x: number): number {
  const r = x - Math.round(x);
  if (r === 0.5 || r === -0.5) return 0;
  return 1 / Math.tan(Math.PI * r);
}

/** Below this |x|, lgamma(x) = −log|x| to double precision (γx is below an ulp of it). */
const LGAMMA_TINY = 2 ** -56;

/**
 * log |Γ(x)|. For 0 < x < 10 the argument is moved into [1.5, 2.5] by the recurrence
 * Γ(x + 1) = xΓ(x) and lgamma taken from its Taylor series about 2 (so it is accurate to a few
 * ulps even next to its zeros 1 and 2, which the series hits exactly); from 10 on, Stirling's
 * series with 8 terms; for x < 0 the reflection formula log(π/|sin πx|) − lgamma(1 − x).
 * +Infinity at 0 and the negative integers.
 */
export function lgamma(x: number): number {
  if (x !== x) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (Math.abs(x) < LGAMMA_TINY) return -Math.log(Math.abs(x)); // also +Infinity at ±0
  if (x < 0) {
    if (Math.floor(x) === x) return Infinity; // a pole
    return LOG_PI - Math.log(Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgammaNear2(x) - Math.log(x) - Math.log1p(x); // Γ(x) = Γ(x + 2)/(x(x + 1))
  if (x < 1.5) return lgammaNear2(x - 1) - Math.log1p(x - 1); // Γ(x) = Γ(x + 1)/x, x − 1 exact
  if (x < 2.5) return lgammaNear2(x - 2);
  if (x < 10) {
    // Γ(x) = (x − 1)(x − 2)…(x − n)·Γ(x − n) with x − n in [1.5, 2.5); each x − k is exact.
    let prod = 1;
    let y = x;
    while (y >= 2.5) {
      y -= 1;
      prod *= y;
    }
    return lgammaNear2(y - 2) + Math.log(prod);
  }
  // Stirling: (x − ½) log x − x + log √(2π) + Σ B₂ₖ / (2k(2k − 1) x^{2k−1}).
  const z = 1 / (x * x);
  let s = 0;
  for (let k = 8; k >= 1; k--) s = s * z + BERNOULLI[k - 1]! / (2 * k * (2 * k - 1));
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + s / x;
}

/**
 * ψ(x) = Γ'(x)/Γ(x). For 0 < x < 10 moved into [1.5, 2.5] (ψ(x + 1) = ψ(x) + 1/x) and taken from
 * its Taylor series about 2 (about its root x₀ ≈ 1.4616 within 0.2 of it); from 10 on, the
 * asymptotic series; for x < 0 the reflection ψ(x) = ψ(1 − x) − π cot(πx). NaN at 0 and the negative integers (poles with opposite signs on
 * either side).
 */
export function digamma(x: number): number {
  if (x !== x || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Math.floor(x) === x) return NaN;
    return digamma(1 - x) - Math.PI * cotPi(x);
  }
  if (x < 0.5) return digammaNear2(x) - 1 / x - 1 / (1 + x);
  if (Math.abs(x - ROOT_HI) < ROOT_RADIUS) return digammaNearRoot(x);
  if (x < 1.5) return digammaNear2(x - 1) - 1 / x;
  if (x < 2.5) return digammaNear2(x - 2);
  if (x < 10) {
    // ψ(x) = ψ(x − n) + Σ_{k=1..n} 1/(x − k): every term positive, so no cancellation.
    let y = x;
    let s = 0;
    while (y >= 2.5) {
      y -= 1;
      s += 1 / y;
    }
    return digammaNear2(y - 2) + s;
  }
  // ψ(x) ~ log x − 1/(2x) − Σ B₂ₖ / (2k x^{2k}).
  const z = 1 / (x * x);
  let s = 0;
  for (let k = 9; k >= 1; k--) s = s * z + BERNOULLI[k - 1]! / (2 * k);
  return Math.log(x) - 0.5 / x - s * z;
}

/**
 * The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of ψ, for an integer n ≥ 1 (n = 1 is
 * trigamma). For x > 0: the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (−1)ⁿ⁺¹ n!/xⁿ⁺¹ (all terms of
 * one sign) up to x ≥ 10 + n, then the asymptotic series
 * (−1)ⁿ⁺¹ [(n − 1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ B₂ₖ (2k + n − 1)!/((2k)! x^{2k+n})].
 * For x ≤ 0 the n-th derivative of the reflection formula:
 * ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹ Pₙ(cot πx), with P₀(c) = c, Pₙ₊₁(c) = −(1 + c²) Pₙ'(c).
 * NaN for an order that is not a positive integer.
 */
export function polygamma(n: number, x: number): number {
  if (!(Number.isInteger(n) && n >= 1) || x !== x) return NaN;
  const sign = n & 1 ? 1 : -1; // (−1)ⁿ⁺¹
  if (x === Infinity) return sign * 0;
  if (x === -Infinity) return NaN;
  if (x <= 0) {
    if (Math.floor(x) === x) return n & 1 ? Infinity : NaN; // a pole: one-signed for odd n
    return -sign * polygamma(n, 1 - x) - Math.pow(Math.PI, n + 1) * cotDerivativePolynomial(n, cotPi(x));
  }
  let factorial = 1; // n!
  for (let k = 2; k <= n; k++) factorial *= k;
  // Sum the recurrence's terms from the smallest (the last) to the largest.
  const shift = Math.max(0, Math.ceil(10 + n - x));
  const y = x + shift;
  // Asymptotic series at y: Σ_k B₂ₖ (2k + n − 1)!/(2k)! / y^{2k+n}.
  const z = 1 / (y * y);
  let s = 0;
  for (let k = BERNOULLI.length; k >= 1; k--) {
    let c = BERNOULLI[k - 1]!; // × (2k + n − 1)!/(2k)! = (2k + 1)(2k + 2)…(2k + n − 1)
    for (let j = 2 * k + 1; j <= 2 * k + n - 1; j++) c *= j;
    s = s * z + c;
  }
  let sum = (factorial / n + factorial / (2 * y) + s * z) / Math.pow(y, n);
  for (let k = shift - 1; k >= 0; k--) sum += factorial / Math.pow(x + k, n + 1);
  return sign * sum;
}

/** Pₙ(c), where dⁿ/dxⁿ cot(πx) = πⁿ Pₙ(cot πx): P₀(c) = c, Pₙ₊₁(c) = −(1 + c²) Pₙ'(c). */
function cotDerivativePolynomial(n: number, c: number): number {
  let p = [0, 1]; // coefficients of c⁰, c¹, …
  for (let m = 0; m < n; m++) {
    const q = new Array<number>(p.length + 1).fill(0);
    for (let j = 1; j < p.length; j++) {
      q[j - 1] = q[j - 1]! - j * p[j]!;
      q[j + 1] = q[j + 1]! - j * p[j]!;
    }
    p = q;
  }
  let v = 0;
  for (let j = p.length - 1; j >= 0; j--) v = v * c + p[j]!;
  return v;
}

// ---- neural-network helpers

/** log σ(x) = −softplus(−x), without overflow or cancellation for large |x|. */
export function logSigmoid(x: number): number {
  return -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
}

/**
 * logit(p) = log(p/(1 − p)): 2·atanh(2p − 1) on [1/4, 3/4] (2p − 1 is exact there, so the
 * result keeps its relative accuracy next to the zero at ½), log p − log1p(−p) elsewhere.
 */
export function logit(p: number): number {
  if (p >= 0.25 && p <= 0.75) return 2 * Math.atanh(2 * p - 1);
  return Math.log(p) - Math.log1p(-p);
}
