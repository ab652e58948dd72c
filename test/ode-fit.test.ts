// The ODE-fitting example (examples/ode-fit.mjs) recovers ω and ζ: the same model, data and
// training loop (examples/ode-fit-model.mjs), the same seed.
import { describe, expect, it, vi } from "vitest";

// The shared model imports "chainrule" as users do; here that is the source, like every test.
vi.mock("chainrule", async () => await import("../src/index.js"));

const { grad, hessian, jit, checkGrads } = await import("../src/index.js");
const { DEFAULT_CONFIG, TOLERANCE, fit, makeLoss, observe, simulate } = await import("../examples/ode-fit-model.mjs");

/** The exact solution of x'' + 2ζωx' + ω²x = 0 with x(0) = 1, x'(0) = 0 (underdamped). */
function exact(omega: number, zeta: number, t: number): number {
  const wd = omega * Math.sqrt(1 - zeta * zeta);
  return Math.exp(-zeta * omega * t) * (Math.cos(wd * t) + ((zeta * omega) / wd) * Math.sin(wd * t));
}

describe("the oscillator simulated by RK4 inside a scan", () => {
  it("follows the exact solution, one position per step", () => {
    const xs = simulate(DEFAULT_CONFIG.truth, DEFAULT_CONFIG) as number[];
    expect(xs).toHaveLength(DEFAULT_CONFIG.steps);
    for (const i of [0, 99, 499, 999]) expect(xs[i]).toBeCloseTo(exact(2, 0.15, (i + 1) * DEFAULT_CONFIG.dt), 8);
  });

  it("has a loss gradient that matches central differences at the starting point", () => {
    const loss = makeLoss(observe());
    const p = { ...DEFAULT_CONFIG.start };
    const g = grad(loss)(p);
    const h = 1e-6;
    const at = (q: { omega: number; zeta: number }) => loss(q) as number;
    expect(g.omega).toBeCloseTo((at({ ...p, omega: p.omega + h }) - at({ ...p, omega: p.omega - h })) / (2 * h), 6);
    expect(g.zeta).toBeCloseTo((at({ ...p, zeta: p.zeta + h }) - at({ ...p, zeta: p.zeta - h })) / (2 * h), 6);
  });
});

describe("second derivatives of the loss through the 1,000-step scan", () => {
  it("pass checkGrads at order 2 in both modes, and the hessian (also under jit) matches differences of the gradient", () => {
    const loss = makeLoss(observe());
    const p = { ...DEFAULT_CONFIG.start };
    expect(() => checkGrads(loss, [p], { order: 2, modes: ["fwd", "rev"] })).not.toThrow();
    const H = hessian(loss)(p) as { omega: { omega: number; zeta: number }; zeta: { omega: number; zeta: number } };
    const h = 1e-5;
    const g = (q: { omega: number; zeta: number }) => grad(loss)(q) as { omega: number; zeta: number };
    const dOmega = (key: "omega" | "zeta") => (g({ ...p, omega: p.omega + h })[key] - g({ ...p, omega: p.omega - h })[key]) / (2 * h);
    const dZeta = (key: "omega" | "zeta") => (g({ ...p, zeta: p.zeta + h })[key] - g({ ...p, zeta: p.zeta - h })[key]) / (2 * h);
    for (const [got, want] of [
      [H.omega.omega, dOmega("omega")],
      [H.omega.zeta, dZeta("omega")],
      [H.zeta.omega, dOmega("zeta")],
      [H.zeta.zeta, dZeta("zeta")],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
    }
    const Hj = jit(hessian(loss))(p) as typeof H;
    expect(Hj.omega.zeta).toBeCloseTo(H.omega.zeta, 9);
  });
});

describe("fitting ω and ζ with jit(valueAndGrad) and adam", () => {
  it("recovers the truth within the tolerance, from a loss near the noise level", () => {
    const losses: number[] = [];
    const result = fit(DEFAULT_CONFIG, (p) => losses.push(p.loss));
    const { omega, zeta } = DEFAULT_CONFIG.truth;
    expect(Math.abs(result.params.omega - omega) / omega).toBeLessThanOrEqual(TOLERANCE.omega);
    expect(Math.abs(result.params.zeta - zeta) / zeta).toBeLessThanOrEqual(TOLERANCE.zeta);
    expect(losses).toHaveLength(DEFAULT_CONFIG.iterations / DEFAULT_CONFIG.logEvery);
    expect(losses[0]!).toBeGreaterThan(10 * result.loss);
    // the residual is the noise: its variance σ² within 20%
    expect(result.loss).toBeGreaterThan(0.8 * DEFAULT_CONFIG.noise ** 2);
    expect(result.loss).toBeLessThan(1.2 * DEFAULT_CONFIG.noise ** 2);
    console.log(`ODE fit: ω ${result.params.omega.toFixed(4)}, ζ ${result.params.zeta.toFixed(4)}, ${result.seconds.toFixed(1)} s`);
  });
});
