// A custom function over a tree of many leaves: its primitive takes its inputs as one array
// (never spread into a call), eagerly, under grad, and under jit.
import { describe, expect, it } from "vitest";
import { customVjp, grad, jit, mul, sum, type Num } from "../src/index.js";

const N = 100_000; // past the ~61 000 arguments where a spread call overflowed

/** Σ xᵢ² with the gradient given by hand (2·xᵢ), as a custom rule. */
const sumSquares = customVjp((xs: Num[]) => sum(xs.map((x) => mul(x, x))), {
  fwd: (xs: Num[]) => [sum(xs.map((x) => mul(x, x))), xs] as const,
  bwd: (xs: Num[], ct: Num) => [xs.map((x) => mul(2, mul(x, ct)))],
});

const xs = Array.from({ length: N }, (_, i) => Math.sin(i));
const expected = xs.reduce((a, x) => a + x * x, 0);

describe("a custom function over 10⁵ leaves", () => {
  it("evaluates eagerly", () => {
    expect(sumSquares(xs) as number).toBeCloseTo(expected, 8);
  });
  it("differentiates under grad", () => {
    const g = grad(sumSquares)(xs);
    expect(g.length).toBe(N);
    for (const i of [0, 1, N >> 1, N - 1]) expect(g[i]).toBeCloseTo(2 * xs[i]!, 12);
  });
  it("runs under jit and jit(grad)", () => {
    expect(jit(sumSquares)(xs)).toBeCloseTo(expected, 8);
    const g = jit(grad(sumSquares))(xs);
    for (const i of [0, 1, N >> 1, N - 1]) expect(g[i]).toBeCloseTo(2 * xs[i]!, 12);
  });
});
