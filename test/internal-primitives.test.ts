// The internal primitives derivative code is built from: `scale` (a product whose zero factor
// absorbs, so a zero cotangent contributes zero) and `reduceMax` (the shift of softmax and
// logSumExp, a constant to every derivative). Their rules are checked like the public ones:
// closed forms and finite differences, first and second order, reverse and forward mode.
import { describe, expect, it } from "vitest";
import { grad, hessian, jacfwd, jacrev, jit, jvp, type Num } from "../src/index.js";
import { scale } from "../src/primitives/arithmetic.js";
import { REDUCE_MAX } from "../src/primitives/reductions.js";
import { bind } from "../src/core/trace.js";
import { fdGradient, fdJacobian } from "./support/numeric.js";

const f = (p: Num[]) => scale(p[0]!, p[1]!);
const step = (x: number) => 1e-4 * Math.max(1, Math.abs(x));

describe("scale(c, d) = c·d, with a zero on either side giving exactly 0", () => {
  const points = [
    [2, 3],
    [-1.5, 0.25],
    [0.5, -4],
  ];
  for (const p of points) {
    it(`at (${p.join(", ")}): gradient [d, c] and Hessian [[0, 1], [1, 0]], both modes, vs finite differences`, () => {
      const [c, d] = p as [number, number];
      expect(f(p)).toBe(c * d);
      const fd = fdGradient((q) => f(q) as number, p, step);
      for (const g of [grad(f)(p), jacfwd(f)(p)]) {
        expect(g[0]).toBeCloseTo(d, 12);
        expect(g[1]).toBeCloseTo(c, 12);
        g.forEach((gi, i) => expect(gi).toBeCloseTo(fd[i]!, 6));
      }
      const fdH = fdJacobian((q) => grad(f)(q), p, step);
      for (const h of [hessian(f)(p), jacrev(grad(f))(p), jacfwd(jacfwd(f))(p)]) {
        expect(h).toEqual([
          [0, 1],
          [1, 0],
        ]);
        h.forEach((row, i) => row.forEach((hij, j) => expect(hij).toBeCloseTo(fdH[i]![j]!, 6)));
      }
    });
  }
  it("a zero on either side absorbs NaN and infinity, in the value, the gradient and under jit", () => {
    expect(scale(0, NaN)).toBe(0);
    expect(scale(Infinity, 0)).toBe(0);
    expect(grad(f)([0, Infinity])).toEqual([Infinity, 0]);
    expect(jit(f)([0, NaN])).toBe(0);
    expect(jit(grad(f))([2, 3])).toEqual([3, 2]);
  });
});

describe("reduceMax: the largest input, with gradient 0 at every order", () => {
  const m = (xs: Num[]) => bind(REDUCE_MAX, xs);
  it("value, gradient, Hessian and tangent", () => {
    const xs = [0.5, 3, -1];
    expect(m(xs)).toBe(3);
    expect(grad(m)(xs)).toEqual([0, 0, 0]);
    expect(hessian(m)(xs)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(jvp(m, [xs], [[1, 1, 1]])).toEqual([3, 0]);
    expect(jit(m)(xs)).toBe(3);
  });
});
