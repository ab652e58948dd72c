// The MLP example (examples/mlp.mjs) reaches its target accuracy: the same model, data and
// training loop (examples/mlp-model.mjs), the same seeds.
import { describe, expect, it, vi } from "vitest";

// The shared model imports "chainrule" as users do; here that is the source, like every test.
vi.mock("chainrule", async () => await import("../src/index.js"));

const { DEFAULT_CONFIG, TARGET_ACCURACY, accuracy, initMlp, makeMoons, mulberry32, train } = await import("../examples/mlp-model.mjs");

describe("two moons data and the initial network", () => {
  it("are deterministic for a seed and differ across seeds", () => {
    expect(makeMoons(20, { seed: 7 })).toEqual(makeMoons(20, { seed: 7 }));
    expect(makeMoons(20, { seed: 7 })).not.toEqual(makeMoons(20, { seed: 8 }));
    expect(initMlp([2, 16, 16, 1], 3)).toEqual(initMlp([2, 16, 16, 1], 3));
    const r = mulberry32(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it("has balanced classes, the 2-16-16-1 shape, and starts far from the target", () => {
    const { xs, ys } = makeMoons(DEFAULT_CONFIG.trainPoints, { noise: DEFAULT_CONFIG.noise, seed: DEFAULT_CONFIG.dataSeed });
    expect(ys.filter((y) => y === 1)).toHaveLength(DEFAULT_CONFIG.trainPoints / 2);
    const params = initMlp(DEFAULT_CONFIG.sizes, DEFAULT_CONFIG.initSeed);
    expect(params.layers.map((l) => [l.w.length, l.w[0]!.length, l.b.length])).toEqual([
      [16, 2, 16],
      [16, 16, 16],
      [1, 16, 1],
    ]);
    expect(accuracy(params, xs, ys)).toBeLessThan(TARGET_ACCURACY);
  });
});

describe("training the MLP with valueAndGrad + adam", () => {
  it(`reaches the target accuracy on held-out points`, () => {
    const losses: number[] = [];
    const result = train(DEFAULT_CONFIG, (p) => losses.push(p.loss));
    expect(TARGET_ACCURACY).toBeGreaterThanOrEqual(0.95);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(TARGET_ACCURACY);
    expect(result.trainAccuracy).toBeGreaterThanOrEqual(TARGET_ACCURACY);
    expect(losses).toHaveLength(DEFAULT_CONFIG.steps / DEFAULT_CONFIG.logEvery);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
    expect(Number.isFinite(result.loss)).toBe(true);
    console.log(
      `MLP: held-out accuracy ${(result.testAccuracy * 100).toFixed(1)}%, training ${(result.trainAccuracy * 100).toFixed(1)}%, ${result.seconds.toFixed(1)} s`,
    );
  });
});
