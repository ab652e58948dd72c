// The special functions (erf, erfc, normCdf, logNormCdf, lgamma, digamma and their derivatives)
// against references computed in high precision, not against another float implementation:
// - erf, erfc, Φ and log Φ from a BigInt fixed-point evaluation in this file (the all-positive
//   series erf(u) = (2/√π) u e^{-u²} Σ (2u²)ⁿ/(2n+1)!!, π by Machin's formula, logs by atanh
//   series), with enough bits that 1 − erf keeps ~60 correct bits deep in the tail; and the far
//   left tail of log Φ from Mills' continued fraction, also in fixed point (checked against the
//   series where both apply);
// - lgamma, digamma and polygamma from tables computed with mpmath 1.3 at 50 significant digits
//   (mp.dps = 50: mpmath.loggamma, digamma, psi), quoted to 25 digits.
// The bound asserted is a relative error of 1e-15 (about 4.5 ulps), multiplied where the function
// is ill-conditioned by its condition number |x f'(x) / f(x)| (what a relative perturbation of
// 1e-15 in x alone would cause). The maximum error per function is printed as a table.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  cbrt,
  digamma,
  erf,
  erfc,
  grad,
  hypot,
  jit,
  jvp,
  lgamma,
  log10,
  log2,
  logit,
  logNormCdf,
  logSigmoid,
  normCdf,
  type Num,
} from "../src/index.js";
import * as kernel from "../src/core/special-math.js";
import { main } from "../src/cli/main.js";
import { fdGradient } from "./support/numeric.js";

// ---- fixed-point arithmetic: a bigint v stands for v / 2^P ---------------------------------------

/** The double x as a fixed-point number with P fractional bits, exactly (throws if it cannot be). */
function toFixed(x: number, P: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n); // x = ±m · 2^(max(biased, 1) − 1075)
  const shift = Math.max(biased, 1) - 1075 + P;
  if (shift < 0) throw new Error(`${x} needs more than ${P} fractional bits`);
  return (bits >> 63n ? -1n : 1n) * (m << BigInt(shift));
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const bitLength = (v: bigint): number => v.toString(2).length;

/** Relative error of the double `approx` against the fixed-point reference `ref`. */
function relativeError(approx: number, ref: bigint, P: number): number {
  const d = abs(toFixed(approx, P) - ref);
  return Number((d << 64n) / abs(ref)) / 2 ** 64;
}

/** atan(1/n), for Machin's formula. */
function atanInverse(n: bigint, one: bigint): bigint {
  let power = one / n;
  let sum = power;
  for (let k = 1n; power !== 0n; k++) {
    power /= n * n;
    sum += ((k & 1n) === 1n ? -power : power) / (2n * k + 1n);
  }
  return sum;
}

/** π = 16 atan(1/5) − 4 atan(1/239), with 64 guard bits. */
function piFixed(P: number): bigint {
  const one = 1n << BigInt(P + 64);
  return (16n * atanInverse(5n, one) - 4n * atanInverse(239n, one)) >> 64n;
}

/** ⌊√n⌋ by Newton's method. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** eᵗ for t ≥ 0 by its Taylor series (all terms positive). */
function expFixed(t: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = ((term * t) >> BigInt(P)) / n;
    sum += term;
  }
  return sum;
}

/** log(m) for m near 1 (m in [1, 2)): 2 atanh((m − 1)/(m + 1)). */
function logNear1(m: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  const w = ((m - one) << BigInt(P)) / (m + one);
  const w2 = (w * w) >> BigInt(P);
  let power = w;
  let sum = w;
  for (let j = 1n; power !== 0n; j++) {
    power = (power * w2) >> BigInt(P);
    sum += power / (2n * j + 1n);
  }
  return 2n * sum;
}

/** log v for v > 0: v = m·2ᵏ with m in [1, 2). */
function logFixed(v: bigint, P: number): bigint {
  const k = bitLength(v) - 1 - P;
  const m = k >= 0 ? v >> BigInt(k) : v << BigInt(-k);
  const ln2 = logNear1(2n << BigInt(P), P);
  return BigInt(k) * ln2 + logNear1(m, P);
}

/**
 * erf(u) for u ≥ 0 given u and t = u²: (2/√π)·u·e^{-t}·Σ (2t)ⁿ/(2n+1)!!. Every term is positive,
 * so the only loss is in e^{-t} = 1/eᵗ, which the caller's choice of P covers.
 */
function erfFixed(u: bigint, t: bigint, P: number): bigint {
  const one = 1n << BigInt(P);
  const p = BigInt(P);
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = ((term * 2n * t) >> p) / (2n * n + 1n);
    sum += term;
  }
  const eMinusT = (one << p) / expFixed(t, P);
  const sqrtPi = isqrt(piFixed(P) << p);
  return (((((2n * u * sum) >> p) * eMinusT) >> p) << p) / sqrtPi;
}

/** Fractional bits for an argument whose square is t: e^{-t} must keep ~200 bits beyond 1 − erf. */
const bitsFor = (t: number): number => Math.max(256, 200 + Math.ceil(3 * Math.LOG2E * t));

/** erf(x) or erfc(x) in fixed point, with its P. */
function erfReference(x: number, complement: boolean): { ref: bigint; P: number } {
  const P = bitsFor(x * x);
  const u = toFixed(Math.abs(x), P);
  const e = erfFixed(u, (u * u) >> BigInt(P), P);
  const one = 1n << BigInt(P);
  if (!complement) return { ref: x < 0 ? -e : e, P };
  return { ref: x < 0 ? one + e : one - e, P };
}

/** Φ(x) = (1 ± erf(|x|/√2))/2 in fixed point, with its P. */
function normCdfReference(x: number): { ref: bigint; P: number } {
  const P = bitsFor((x * x) / 2);
  const p = BigInt(P);
  const one = 1n << p;
  const sqrtHalf = isqrt(one << (p - 1n));
  const xf = toFixed(Math.abs(x), P);
  const e = erfFixed((xf * sqrtHalf) >> p, (xf * xf) >> (p + 1n), P);
  return { ref: (x < 0 ? one - e : one + e) >> 1n, P };
}

/** log Φ(x) from the series (any x ≥ −40 here). */
function logNormCdfBySeries(x: number): { ref: bigint; P: number } {
  const { ref, P } = normCdfReference(x);
  return { ref: logFixed(ref, P), P };
}

/** Mills' ratio R(t) = Φ(−t)/φ(t) = 1/(t + 1/(t + 2/(t + …))), 4000 levels deep, for t ≥ 20. */
function millsFixed(t: bigint, P: number): bigint {
  const p = BigInt(P);
  let d = t;
  for (let k = 4000n; k >= 1n; k--) d = t + ((k << p) << p) / d;
  return (1n << (2n * p)) / d;
}

/** log Φ(x) for x ≤ −20 from the continued fraction: −x²/2 − log √(2π) + log R(−x). */
function logNormCdfByFraction(x: number): { ref: bigint; P: number } {
  const P = 320;
  const p = BigInt(P);
  const xf = toFixed(x, P);
  const logSqrt2Pi = (logFixed(2n * piFixed(P), P)) / 2n;
  return { ref: -((xf * xf) >> (p + 1n)) - logSqrt2Pi + logFixed(millsFixed(-xf, P), P), P };
}

// ---- the accuracy table --------------------------------------------------------------------------

const worst = new Map<string, { error: number; at: number; points: number }>();
function record(name: string, x: number, error: number): void {
  const w = worst.get(name) ?? { error: 0, at: NaN, points: 0 };
  worst.set(name, error > w.error ? { error, at: x, points: w.points + 1 } : { ...w, points: w.points + 1 });
}
afterAll(() => {
  const lines = [...worst].map(([name, w]) => `  ${name.padEnd(34)} ${w.error.toExponential(2)}  at x = ${w.at}  (${w.points} points)`);
  console.log(`maximum relative error against high-precision references:\n${lines.join("\n")}`);
});

/** Asserts a relative error within 1e-15 · max(1, condition number) and records it. */
function expectAccurate(name: string, x: number, error: number, condition = 1): void {
  record(name, x, error);
  expect(error, `${name}(${x}): relative error ${error.toExponential(2)}`).toBeLessThanOrEqual(1e-15 * Math.max(1, condition));
}

// ---- erf, erfc, Φ, log Φ against the fixed-point references ---------------------------------------

const ERF_GRID = [1e-20, 1e-8, 0.1, 0.3, 0.46875, 0.47, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.9, 4, 4.1, 5, 6, 8];
const ERFC_GRID = [...ERF_GRID, 10, 15, 20, 26];
/** Down to −37, the last Φ in the normal range of doubles. */
const NORM_GRID = [-37, -35, -30, -25, -20, -15, -10, -8, -5, -3, -2, -1.5, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 5, 8];
const LOG_NORM_GRID = [-40, -38, -30, -25, -20.001, -20, -19.999, -15, -10, -5, -1, -0.1, 0, 0.1, 1, 2, 5, 8, 10, 20, 30];
const LOG_NORM_TAIL = [-20.5, -40, -100, -1000, -1e5, -1e10];

describe("erf, erfc, normCdf and logNormCdf: relative error below 1e-15 against fixed-point references", () => {
  it("erf at ±x over (0, 8]", () => {
    for (const x of [...ERF_GRID, ...ERF_GRID.map((v) => -v)]) {
      const { ref, P } = erfReference(x, false);
      expectAccurate("erf", x, relativeError(kernel.erf(x), ref, P));
    }
  });

  it("erfc over [-8, 26], to where it leaves the normal range (erfc(26) ≈ 5.7e-296)", () => {
    for (const x of [...ERFC_GRID, ...ERF_GRID.map((v) => -v)]) {
      const { ref, P } = erfReference(x, true);
      // erfc is ill-conditioned for large x: a relative change δ in x changes it by about 2x²δ.
      expectAccurate("erfc", x, relativeError(kernel.erfc(x), ref, P), x > 0 ? 2 * x * x : 1);
    }
  });

  it("normCdf over [-37, 8]: the left tail keeps full relative accuracy", () => {
    for (const x of NORM_GRID) {
      const { ref, P } = normCdfReference(x);
      expectAccurate("normCdf", x, relativeError(kernel.normCdf(x), ref, P));
    }
  });

  it("logNormCdf over [-40, 30], across both switches of method (−20 and 0)", () => {
    for (const x of LOG_NORM_GRID) {
      const { ref, P } = logNormCdfBySeries(x);
      expectAccurate("logNormCdf", x, relativeError(kernel.logNormCdf(x), ref, P));
    }
  });

  it("logNormCdf in the far left tail, against the continued fraction in fixed point; logNormCdf(-40) = -804.6084420137538", () => {
    for (const x of LOG_NORM_TAIL) {
      const { ref, P } = logNormCdfByFraction(x);
      expectAccurate("logNormCdf", x, relativeError(kernel.logNormCdf(x), ref, P));
    }
    expect(logNormCdf(-40)).toBe(-804.6084420137538);
  });

  it("at random points (fast-check, fixed seed): erf on [-6, 6], erfc on [-6, 26.5], normCdf on [-37.5, 9], logNormCdf on [-40, 30]", () => {
    const cases: [string, number, number, (x: number) => number, (x: number) => { ref: bigint; P: number }][] = [
      ["erf", -6, 6, kernel.erf, (x) => erfReference(x, false)],
      ["erfc", -6, 26.5, kernel.erfc, (x) => erfReference(x, true)],
      ["normCdf", -37.5, 9, kernel.normCdf, normCdfReference],
      ["logNormCdf", -40, 30, kernel.logNormCdf, logNormCdfBySeries],
    ];
    for (const [name, min, max, f, reference] of cases) {
      fc.assert(
        // Uniform over the interval (fc.double favours tiny and extreme values, which the grid has).
        fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (k) => {
          const x = min + ((max - min) * k) / 2 ** 40;
          if (Math.abs(x) < 1e-20) return; // below the fixed point's resolution; 1e-20 is on the grid
          const { ref, P } = reference(x);
          const condition = name === "erfc" && x > 0 ? 2 * x * x : 1;
          if (ref === 0n) return; // erf(0), log Φ at the largest x: exact zeros
          expectAccurate(`${name} (random)`, x, relativeError(f(x), ref, P), condition);
        }),
        { seed: 20261204, numRuns: 60 },
      );
    }
  });

  it("the two references agree where both apply (x = -40, -25, -20.5), to far below double precision", () => {
    for (const x of [-40, -25, -20.5]) {
      const series = logNormCdfBySeries(x);
      const fraction = logNormCdfByFraction(x);
      const P = Math.min(series.P, fraction.P);
      const a = series.ref >> BigInt(series.P - P);
      const b = fraction.ref >> BigInt(fraction.P - P);
      expect(Number((abs(a - b) << 64n) / abs(b)) / 2 ** 64).toBeLessThan(1e-60);
    }
  });

  it("the fixed-point π and erf reproduce known digits (π to 50 places; erf(1) = 0.8427007929497148693412206350826…)", () => {
    const P = 400;
    const digits = (v: bigint, n: number): string => ((v * 10n ** BigInt(n)) >> BigInt(P)).toString();
    expect(digits(piFixed(P), 50)).toBe("314159265358979323846264338327950288419716939937510");
    expect(digits(erfReference(1, false).ref >> BigInt(bitsFor(1) - P), 30)).toBe("842700792949714869341220635082");
  });
});

// ---- lgamma, digamma, polygamma against mpmath tables ---------------------------------------------

/** [x, log |Γ(x)|] from mpmath (mp.dps = 50). */
const LGAMMA_TABLE: readonly (readonly [number, string])[] = [
  [1e-10, "23.02585092988273523726579"],
  [0.01, "4.599479878042021701580506"],
  [0.1, "2.252712651734205902006238"],
  [0.25, "1.28802252469807745737061"],
  [0.49, "0.5922496293352670557446559"],
  [0.5, "0.5723649429247000870717137"],
  [0.51, "0.5529738179298007228855"],
  [0.9, "0.06637623973474295442597111"],
  [0.99, "0.005854806764709781453188386"],
  [1.001, "-0.0005763935982833061515191624"],
  [1.1, "-0.04987244125983976178528914"],
  [1.3, "-0.1081748095078604784591629"],
  [1.49, "-0.1211002585421977202067117"],
  [1.5, "-0.1207822376352452223455184"],
  [1.7, "-0.09580769740706587378829239"],
  [1.99, "-0.00419552908879166870185966"],
  [2.001, "0.0004231067348001169911902936"],
  [2.2, "0.09694746679063887317795209"],
  [2.49, "0.2776758614151702018294995"],
  [2.5, "0.2846828704729191596324947"],
  [3, "0.6931471805599453094172321"],
  [3.7, "1.428072326665388129200498"],
  [5.5, "3.957813967618716293877401"],
  [9.99, "12.7793152143501933602292"],
  [10, "12.80182748008146961120772"],
  [10.5, "13.94062521940376363316124"],
  [20, "39.33988418719949403622465"],
  [100, "359.134205369575398776044"],
  [1e5, "1051287.708973656894900858"],
  [1e10, "220258509288.8105814700419"],
  [1e100, "2.292585092994045720635751e+102"],
  [-0.5, "1.265512123484645396488946"],
  [-0.1, "2.368961332728788603886243"],
  [-1.5, "0.8600470153764810145109327"],
  [-2.3, "0.3695666634550080374591892"],
  [-2.5, "-0.05624371649767405067259453"],
  [-3.9, "-0.7094680089083923284719028"],
  [-10.5, "-15.14727059071784114610118"],
  [-100.25, "-363.4009232278215407065775"],
];

/** [x, ψ(x)] from mpmath (mp.dps = 50); 1.4616321449683622 is the double nearest ψ's root. */
const DIGAMMA_TABLE: readonly (readonly [number, string])[] = [
  [1e-10, "-10000000000.57721530041507"],
  [0.01, "-100.5608854578686724154753"],
  [0.1, "-10.4237549404110762321003"],
  [0.25, "-4.22745353337626540808953"],
  [0.49, "-2.013716050695126088953692"],
  [0.5, "-1.963510026021423479440976"],
  [0.51, "-1.914987524163575656498233"],
  [0.9, "-0.7549269499470513491974215"],
  [0.99, "-0.5937863040555951592593944"],
  [1.001, "-0.5755719318103006523715692"],
  [1.1, "-0.4237549404110766678656787"],
  [1.3, "-0.16919088886679960526019"],
  [1.4117, "-0.04945509124260091550109564"],
  [1.42, "-0.04107284332402444674925584"],
  [1.45, "-0.01131642258644588765840468"],
  [1.46, "-0.001580561987083452106150901"],
  [1.4616321449683618, "-5.221454580919643371097279e-16"],
  [1.4616321449683622, "-9.241265521729427516792351e-17"],
  [1.4616321449683625, "1.224537462200406903132497e-16"],
  [1.462, "0.0003559032038010427633396214"],
  [1.47, "0.008066489011364868442326111"],
  [1.49, "0.02710027583548619293628808"],
  [1.5, "0.03648997397857652055902367"],
  [1.511, "0.04672296646632485229827496"],
  [1.7, "0.2085478748734939214533501"],
  [1.99, "0.416314706045414950812827"],
  [2.001, "0.4234290671906984585416175"],
  [2.2, "0.5442934367411451395594282"],
  [2.49, "0.6982412154328017425867924"],
  [2.5, "0.7031566406452431872256903"],
  [3, "0.9227843350984671393934879"],
  [3.7, "1.167153539361511440947651"],
  [5.5, "1.611093148581751123733627"],
  [9.99, "2.25070037283120112197865"],
  [10, "2.251752589066721107647456"],
  [10.5, "2.303001034297686375272594"],
  [20, "2.970523992242149050877257"],
  [100, "4.600161852738087400198606"],
  [1e5, "11.51292046496189508675671"],
  [1e10, "23.02585092989045684017908"],
  [1e100, "230.258509299404568417702"],
  [-0.5, "0.03648997397857652055902367"],
  [-0.1, "9.245073050052948042329863"],
  [-1.5, "0.7031566406452431872256903"],
  [-2.3, "3.317323157561822739114479"],
  [-2.5, "1.10315664064524318722569"],
  [-3.9, "-8.185090197209119351808152"],
  [-10.5, "2.398239129535781613367832"],
  [-100.25, "7.754238959208645448412337"],
];

/** [x, ψ⁽¹⁾(x), ψ⁽²⁾(x)] from mpmath (mp.dps = 50: psi(1, x), psi(2, x)). */
const POLYGAMMA_TABLE: readonly (readonly [number, string, string])[] = [
  [0.01, "10001.62121352831280378924", "-2000002.340398676959611511"],
  [0.5, "4.934802200544679309417245", "-16.82879664423431999559633"],
  [1, "1.644934066848226436472415", "-2.404113806319188570799476"],
  [1.5, "0.9348022005446793094172455", "-0.8287966442343199955963343"],
  [3.7, "0.3100378576700383021582484", "-0.09539530872855403348272111"],
  [10.5, "0.09991695605912673320394417", "-0.009975144247715169285305919"],
  [1e5, "0.00001000005000016666666666333", "-1.000010000049999999998333e-10"],
  [-0.5, "8.934802200544679309417245", "-0.8287966442343199955963343"],
  [-2.3, "14.72591216096129148807735", "68.71379252927030200165211"],
  [-10.5, "9.77875773981481238449676", "-0.008247469050652217120312938"],
];

/** Relative error against a decimal reference (read to the nearest double, ≤ 1.1e-16 off). */
const relativeTo = (approx: number, ref: string): number => Math.abs(approx - Number(ref)) / Math.abs(Number(ref));

describe("lgamma, digamma and polygamma: relative error below 1e-15 (times the condition number) against mpmath", () => {
  it("lgamma, including next to its zeros 1 and 2 and on the negative axis", () => {
    for (const [x, ref] of LGAMMA_TABLE) {
      const condition = Math.abs((x * kernel.digamma(x)) / Number(ref));
      // For x > 0 the Taylor series about 2 keeps full relative accuracy even at the zeros.
      expectAccurate(x > 0 ? "lgamma (x > 0)" : "lgamma (x < 0, reflection)", x, relativeTo(lgamma(x) as number, ref), x > 0 ? 1 : condition);
    }
  });

  it("digamma, with full relative accuracy for x > 0 even at its root x₀ ≈ 1.4616 (a Taylor series about x₀)", () => {
    for (const [x, ref] of DIGAMMA_TABLE) {
      const condition = Math.abs((x * kernel.polygamma(1, x)) / Number(ref));
      const name = x > 0 ? "digamma (x > 0)" : "digamma (x < 0, reflection)";
      expectAccurate(name, x, relativeTo(digamma(x) as number, ref), x > 0 ? 1 : condition);
    }
  });

  it("trigamma and tetragamma: the derivatives of digamma, at every order and in both modes", () => {
    for (const [x, tri, tetra] of POLYGAMMA_TABLE) {
      expectAccurate("trigamma (grad digamma)", x, relativeTo(grad(digamma)(x), tri));
      expectAccurate("trigamma (jvp digamma)", x, relativeTo(jvp(digamma, [x], [1])[1], tri));
      expectAccurate("tetragamma (grad grad digamma)", x, relativeTo(grad(grad(digamma))(x), tetra), 4);
      expectAccurate("tetragamma (jvp grad digamma)", x, relativeTo(jvp(grad(digamma), [x], [1])[1], tetra), 4);
      expectAccurate("tetragamma (grad³ lgamma)", x, relativeTo(grad(grad(grad(lgamma)))(x), tetra), 4);
    }
  });

  it("well-known values: lgamma(1) = lgamma(2) = 0 exactly, lgamma(½) = log √π, ψ(1) = −γ, ψ(½) = −γ − 2 log 2, ψ(n + 1) = ψ(n) + 1/n", () => {
    // γ = 0.57721566490153286060651209… (Euler's constant, OEIS A001620).
    const gamma = 0.5772156649015329;
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(lgamma(0.5)).toBe(0.5 * Math.log(Math.PI));
    expect(digamma(1)).toBe(-gamma);
    expect(Math.abs((digamma(0.5) as number) - (-gamma - 2 * Math.LN2))).toBeLessThanOrEqual(2.3e-16);
    let h = 0;
    for (let n = 1; n <= 30; n++) {
      expect(Math.abs((digamma(n) as number) - (-gamma + h)) / Math.abs(-gamma + h)).toBeLessThanOrEqual(1e-15 * Math.max(1, n / 2));
      h += 1 / n;
    }
  });
});

// ---- derivatives: the far left tail of log Φ, higher orders, jit -----------------------------------

describe("derivatives of the special functions", () => {
  it("erf' = (2/√π)e^{-x²}, erfc' = −erf' and normCdf' = φ keep full relative accuracy in the tails (fixed-point references)", () => {
    /** e^{-t} for the fixed-point square t of x, and √π, at P bits. */
    const expMinus = (x: number, half: boolean) => {
      const P = bitsFor(x * x);
      const p = BigInt(P);
      const xf = toFixed(x, P);
      const t = (xf * xf) >> (half ? p + 1n : p);
      return { P, p, e: (1n << (2n * p)) / expFixed(t, P), pi: piFixed(P) };
    };
    // Points whose square is not a double: exp(-x*x) would be off by up to x²·1.1e-16.
    for (const x of [0, 0.3, 1.1, -3.3, 5.3, 10.7, 17.3, -25.9]) {
      const { P, p, e, pi } = expMinus(x, false);
      const ref = ((2n * e) << p) / isqrt(pi << p);
      expectAccurate("erf' (grad)", x, relativeError(grad(erf)(x), ref, P));
      expectAccurate("erfc' (jvp)", x, relativeError(-jvp(erfc, [x], [1])[1], ref, P));
    }
    for (const x of [-37.3, -30.7, -20.1, -5.1, 0, 2.2, 8.9, 30.3]) {
      const { P, p, e, pi } = expMinus(x, true);
      const ref = (e << p) / isqrt((2n * pi) << p);
      expectAccurate("normCdf' (grad)", x, relativeError(grad(normCdf)(x), ref, P));
    }
  });

  it("logNormCdf' = φ/Φ stays accurate in the far left tail (it tends to −x), logNormCdf'' to x²·1e-16", () => {
    for (const x of LOG_NORM_TAIL) {
      // φ/Φ = 1/R(−x), and its derivative −h(x + h), from the continued fraction in fixed point.
      const P = 320;
      const p = BigInt(P);
      const h = (1n << (2n * p)) / millsFixed(-toFixed(x, P), P);
      const d2 = -((h * (toFixed(x, P) + h)) >> p);
      const g = grad(logNormCdf)(x);
      const e1 = relativeError(g, h, P);
      expectAccurate("logNormCdf' (tail)", x, e1);
      if (Math.abs(x) <= 1000) {
        // The second derivative −h(x + h) cancels: x + h ≈ −1/x, so its error grows like x²·1e-16.
        const e2 = relativeError(grad(grad(logNormCdf))(x), d2, P);
        record("logNormCdf'' (tail, bound x²·2e-16)", x, e2);
        expect(e2).toBeLessThanOrEqual(2e-16 * x * x + 1e-15);
      }
    }
    expect(grad(logNormCdf)(-40)).toBeCloseTo(40.02496, 4);
  });

  it("logNormCdf in the tail: first and second derivatives match finite differences in both modes, eager and under jit", () => {
    const f = (v: Num[]) => logNormCdf(v[0]!);
    for (const x of [-30, -20.5, -20, -19.5]) {
      const fd1 = fdGradient((q) => f(q) as number, [x], () => 1e-3)[0]!;
      const fd2 = fdGradient((q) => grad(f)(q)[0]!, [x], () => 1e-3)[0]!;
      for (const d1 of [grad(logNormCdf)(x), jvp(logNormCdf, [x], [1])[1], jit(grad(logNormCdf))(x)]) {
        expect(Math.abs(d1 - fd1) / Math.abs(fd1)).toBeLessThan(1e-8);
      }
      for (const d2 of [grad(grad(logNormCdf))(x), jvp(grad(logNormCdf), [x], [1])[1], jit(grad(grad(logNormCdf)))(x)]) {
        expect(Math.abs(d2 - fd2) / Math.abs(fd2)).toBeLessThan(1e-6);
      }
    }
  });

  it("lgamma to the fourth derivative (ψ⁽³⁾) against central differences of the third, eager and under jit", () => {
    const d3 = grad(grad(grad(lgamma)));
    const d4 = grad(d3);
    const jd4 = jit(d4);
    for (const x of [0.3, 1, 2.5, 7, 12, -0.5, -2.3]) {
      const h = 1e-4 * Math.max(1, Math.abs(x)) * Math.min(1, x - Math.floor(x) || 1);
      const fd = fdGradient((q) => d3(q[0]!), [x], () => h)[0]!;
      expect(Math.abs(d4(x) - fd) / Math.abs(fd)).toBeLessThan(1e-7);
      expect(jd4(x)).toBe(d4(x));
    }
  });

  it("erf, erfc, normCdf: derivatives in the tails are finite, and exact zeros where e^{-x²/2} underflows", () => {
    for (const x of [-40, -30, 30, 40]) {
      for (const f of [erf, erfc, normCdf]) {
        const [first, second] = [grad(f)(x), grad(grad(f))(x)];
        expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);
        if (Math.abs(x) === 40) expect([first, second].map(Math.abs)).toEqual([0, 0]);
      }
    }
    // At ±Infinity: 0 (and log Φ's slope tends to −x on the left).
    for (const f of [erf, erfc, normCdf]) expect([grad(f)(Infinity), grad(f)(-Infinity)].map(Math.abs)).toEqual([0, 0]);
    expect([grad(logNormCdf)(Infinity), grad(logNormCdf)(-Infinity)]).toEqual([0, Infinity]);
    expect(grad(erf)(0)).toBe(2 / Math.sqrt(Math.PI));
    expect(grad(normCdf)(0)).toBe(1 / Math.sqrt(2 * Math.PI));
  });
});

// ---- edge values -------------------------------------------------------------------------------------

describe("values at the edges of each domain", () => {
  it("erf, erfc, normCdf, logNormCdf at ±0, ±Infinity and NaN", () => {
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect([erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity)]).toEqual([1, -1, 0, 2]);
    expect([normCdf(-Infinity), normCdf(Infinity), normCdf(-40), normCdf(0)]).toEqual([0, 1, 0, 0.5]);
    expect(logNormCdf(-Infinity)).toBe(-Infinity);
    expect(logNormCdf(Infinity) === 0).toBe(true);
    for (const f of [erf, erfc, normCdf, logNormCdf, lgamma, digamma, logSigmoid, logit, cbrt, log2, log10]) expect(f(NaN)).toBeNaN();
  });

  it("erf and erfc are consistent: erf(x) + erfc(x) = 1 and normCdf(x) + normCdf(−x) = 1 to rounding", () => {
    for (const x of [-3, -1, -0.4, 0, 0.2, 0.5, 1.3, 2, 5]) {
      expect(Math.abs((erf(x) as number) + (erfc(x) as number) - 1)).toBeLessThanOrEqual(2.3e-16);
      expect(Math.abs((normCdf(x) as number) + (normCdf(-x) as number) - 1)).toBeLessThanOrEqual(2.3e-16);
    }
  });

  it("lgamma is +Infinity at 0 and the negative integers, digamma NaN there; both are Infinity at +Infinity", () => {
    for (const x of [0, -0, -1, -2, -17, -1e20]) {
      expect(lgamma(x)).toBe(Infinity);
      expect(digamma(x)).toBeNaN();
    }
    expect([lgamma(Infinity), lgamma(-Infinity), digamma(Infinity)]).toEqual([Infinity, Infinity, Infinity]);
    // Γ(171.7) overflows a double; its log does not, up to where x log x overflows too.
    expect(Number.isFinite(lgamma(171.7)) && Math.exp(lgamma(171.7) as number) === Infinity).toBe(true);
    expect(Math.abs((lgamma(1e305) as number) / (1e305 * (Math.log(1e305) - 1)) - 1)).toBeLessThan(1e-15);
    expect(lgamma(1e307)).toBe(Infinity);
  });

  it("logSigmoid and logit: stable at the extremes", () => {
    expect(logSigmoid(-1000)).toBe(-1000);
    expect(logSigmoid(40)).toBe(-Math.exp(-40)); // log1p(−e⁻⁴⁰) = −e⁻⁴⁰ to double precision
    expect(grad(logSigmoid)(-1000)).toBe(1);
    expect(grad(logSigmoid)(1000)).toBe(0);
    expect([logit(0), logit(1), logit(0.5)]).toEqual([-Infinity, Infinity, 0]);
    expect([logit(-0.1), logit(1.1)].every(Number.isNaN)).toBe(true);
    // Next to ½ the result keeps its relative accuracy: logit(½ + δ) = 4δ + O(δ³).
    expect(logit(0.5 + 2 ** -30)).toBe(4 * 2 ** -30);
    expect(Math.abs((logit(1e-300) as number) - -300 * Math.LN10) / (300 * Math.LN10)).toBeLessThan(1e-15);
  });

  it("hypot: no overflow or underflow in the squares, partials 0 at the origin in every mode; cbrt, log2, log10", () => {
    expect(Math.abs((hypot(3e200, 4e200) as number) / 5e200 - 1)).toBeLessThan(3e-16);
    expect(Math.abs((hypot(3e-200, 4e-200) as number) / 5e-200 - 1)).toBeLessThan(3e-16);
    const h = (x: Num, y: Num) => hypot(x, y);
    expect(grad(h, { argnums: [0, 1] })(0, 0)).toEqual([0, 0]);
    expect(jvp(h, [0, 0], [1, 1])[1]).toBe(0);
    expect(grad(grad(h), { argnums: [0, 1] })(0, 0)).toEqual([0, 0]);
    expect(jit(grad(h, { argnums: [0, 1] }))(0, 0)).toEqual([0, 0]);
    expect([cbrt(-27), grad(cbrt)(-27), grad(cbrt)(0)]).toEqual([-3, 1 / 27, Infinity]);
    expect([log2(8), log10(1000), grad(log2)(1), grad(log10)(1)]).toEqual([3, 3, 1 / Math.LN2, 1 / Math.LN10]);
  });
});

describe("the command line knows the new functions", () => {
  it('chainrule explain "erf(x) + lgamma(y)" x=0.5 y=3', async () => {
    let out = "";
    let err = "";
    const code = await main(["explain", "erf(x) + lgamma(y)", "x=0.5", "y=3"], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      writeFile: () => undefined,
    });
    expect([code, err]).toEqual([0, ""]);
    expect(out).toContain("c = erf(a)");
    expect(out).toContain("d = lgamma(b)");
    // df/dx = (2/√π) e^{-1/4}, df/dy = ψ(3) = 3/2 − γ
    expect(out).toContain("df/dx = 0.878783");
    expect(out).toContain("df/dy = 0.922784");
  });

  it("every new function is callable with its arity: cbrt log2 log10 logSigmoid logit erf erfc normCdf logNormCdf lgamma digamma hypot", async () => {
    const calls = ["cbrt(x)", "log2(x)", "log10(x)", "logSigmoid(x)", "logit(x)", "erf(x)", "erfc(x)", "normCdf(x)", "logNormCdf(x)", "lgamma(x)", "digamma(x)", "hypot(x, x)"];
    for (const c of calls) {
      let err = "";
      const code = await main(["explain", c, "x=0.25"], { out: () => undefined, err: (t) => (err += t), writeFile: () => undefined });
      expect([c, code, err]).toEqual([c, 0, ""]);
    }
  });
});
