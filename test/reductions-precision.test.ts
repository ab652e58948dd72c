// softmax and logSumExp's gradient stay exact for large inputs: both shift by the largest input,
// so every difference xᵢ − max x is computed exactly (to about 1e-12 relative).
import { describe, expect, it } from "vitest";
import { grad, hessian, logSumExp, softmax, type Num } from "../src/index.js";

const closeRel = (a: number, b: number, tol = 1e-13) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe("softmax and logSumExp at large inputs", () => {
  for (const big of [1e4, 1e6, 1e8, 1e12]) {
    it(`equal inputs at ${big}: softmax and ∇logSumExp are exactly uniform`, () => {
      const xs = [big, big, big];
      softmax(xs).forEach((p) => expect(p).toBe(1 / 3));
      grad((v: Num[]) => logSumExp(v))(xs).forEach((p) => expect(p).toBe(1 / 3));
    });
    it(`offsets at ${big}: softmax matches the small-input values`, () => {
      const offsets = [0, 1, -2.5];
      const small = softmax(offsets) as number[];
      const large = softmax(offsets.map((o) => big + o)) as number[];
      large.forEach((p, i) => closeRel(p, small[i]!));
      const h = hessian((v: Num[]) => logSumExp(v))(offsets.map((o) => big + o));
      // Hessian of logSumExp is diag(p) − p pᵀ.
      h.forEach((row, i) => row.forEach((hij, j) => closeRel(hij, (i === j ? small[i]! : 0) - small[i]! * small[j]!, 1e-12)));
    });
  }
});
