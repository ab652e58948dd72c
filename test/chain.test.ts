// A chain of a million operations: it must differentiate without a stack overflow (nothing may
// recurse over the graph), and the result must be the product of the local derivatives.
import { describe, expect, it } from "vitest";
import { add, grad, jvp, mul, sin, valueAndGrad, type Num } from "../src/index.js";

const STEPS = 250_000; // 4 primitives a step: 10⁶ primitive applications

/** x ↦ 0.9·sin x + 0.1·x, `steps` times. */
const chain =
  (steps: number) =>
  (x: Num): Num => {
    let y = x;
    for (let i = 0; i < steps; i++) y = add(mul(0.9, sin(y)), mul(0.1, y));
    return y;
  };

/** Neumaier's compensated sum, added to one term at a time. */
class Sum {
  private s = 0;
  private c = 0;
  add(v: number): void {
    const t = this.s + v;
    this.c += Math.abs(this.s) >= Math.abs(v) ? this.s - t + v : v - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/**
 * The chain's value, first and second derivatives, by hand in plain numbers.
 *
 * The local derivative is f'(x) = 0.9 cos x + 0.1, close to 1 where x is small; rounding it to a
 * double at each of 250 000 steps would bias a naive running product by ~1e-11. So the product
 * is accumulated as Σ log1p(δ) with δ = f'(x) − 1 computed without cancellation:
 * δ = 0.9 (cos x − 1) + (0.9 + 0.1 − 1) = −1.8 sin²(x/2) + ρ, where ρ is the exact rounding
 * residue of the two constants (Knuth's two-sum). The second derivative follows from
 * F''/F' = Σ f''(x_k) F'_k / f'(x_k) (all terms of one sign here).
 */
function byHand(x0: number, steps: number): { value: number; d1: number; d2: number } {
  const s = 0.9 + 0.1;
  const bb = s - 0.9;
  const rho = s - 1 + (0.9 - (s - bb)) + (0.1 - bb);
  let x = x0;
  const logD = new Sum();
  const ratio = new Sum();
  for (let k = 0; k < steps; k++) {
    const half = Math.sin(x / 2);
    const delta = -1.8 * half * half + rho;
    const fp = 1 + delta;
    const fpp = -0.9 * Math.sin(x);
    ratio.add((fpp * Math.exp(logD.value)) / fp); // f''(x_k)·F'_k / f'(x_k)
    logD.add(Math.log1p(delta));
    x = 0.9 * Math.sin(x) + 0.1 * x;
  }
  const d1 = Math.exp(logD.value);
  return { value: x, d1, d2: d1 * ratio.value };
}

const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("a chain of 10⁶ primitive applications", () => {
  const x0 = 1.3;
  const ref = byHand(x0, STEPS);

  it("the reference is meaningful: the derivative has neither underflowed nor stayed at 1", () => {
    expect(ref.d1).toBeGreaterThan(1e-10);
    expect(ref.d1).toBeLessThan(1e-6);
    // The naive running product agrees to the accuracy expected of it.
    let x = x0;
    let d = 1;
    for (let k = 0; k < STEPS; k++) {
      d *= 0.9 * Math.cos(x) + 0.1;
      x = 0.9 * Math.sin(x) + 0.1 * x;
    }
    expect(relErr(d, ref.d1)).toBeLessThan(1e-10);
  });

  it("reverse mode: valueAndGrad, no RangeError, exact value, derivative to 1e-12", () => {
    const [value, g] = valueAndGrad(chain(STEPS))(x0);
    // The value is computed by the very same floating-point operations as the plain loop.
    expect(value).toBe(ref.value);
    expect(relErr(g, ref.d1)).toBeLessThan(1e-12);
  });

  it("forward mode: jvp, derivative to 1e-12", () => {
    const [value, tangent] = jvp(chain(STEPS), [x0], [1]);
    expect(value).toBe(ref.value);
    expect(relErr(tangent, ref.d1)).toBeLessThan(1e-12);
  });

  it("second order on 10⁵ operations: grad of grad (reverse over reverse), no recursion either", () => {
    const steps = STEPS / 10;
    const r = byHand(x0, steps);
    expect(relErr(grad(grad(chain(steps)))(x0), r.d2)).toBeLessThan(1e-12);
  });
});
