// foriLoop and whileLoop against hand-unrolled JavaScript loops and closed forms.
import { describe, expect, it } from "vitest";
import { abs, add, checkGrads, div, foriLoop, grad, gt, hessian, jvp, mul, sin, sub, tanh, toNumber, valueAndGrad, whileLoop, ChainruleError, type Num } from "../../src/index.js";
import { expectClose } from "../support/expect-close.js";
import { expectSameAsUnrolled } from "./harness.js";

describe("foriLoop", () => {
  const f = (p: Num[]) => foriLoop(2, 9, (i: Num, c: Num) => add(tanh(mul(c, p[0]!)), mul(i, p[1]!)), p[2]!);
  const ref = (p: Num[]) => {
    let c = p[2]!;
    for (let i = 2; i < 9; i++) c = add(tanh(mul(c, p[0]!)), mul(i, p[1]!));
    return c;
  };

  it("passes i = lower … upper-1 and gives the same values and derivatives as the unrolled loop", () => {
    // The body is traced once, so i is abstract inside it; the digits 3, 4, 5, 6 show the sequence.
    expect(foriLoop(3, 7, (i: Num, c: Num) => add(mul(c, 10), i), 0)).toBe(3456);
    expectSameAsUnrolled(f, ref, [0.8, 0.05, 0.3]);
  });

  it("returns init unchanged when upper <= lower", () => {
    expect(foriLoop(5, 5, (i: Num, c: Num) => add(c, i), 7)).toBe(7);
    expect(foriLoop(5, 2, (i: Num, c: Num) => add(c, i), 7)).toBe(7);
    expect(grad((x: Num) => foriLoop(3, 0, (_i: Num, c: Num) => mul(c, c), x))(2)).toBe(1);
  });

  it("differentiates x^n by repeated multiplication like n·x^(n-1)", () => {
    const pow = (n: number) => (x: Num) => foriLoop(0, n, (_i: Num, p: Num) => mul(p, x), 1);
    for (const n of [1, 4, 7]) {
      expect(grad(pow(n))(1.3)).toBeCloseTo(n * 1.3 ** (n - 1), 12);
      expect(grad(grad(pow(n)))(1.3)).toBeCloseTo(n * (n - 1) * 1.3 ** (n - 2), 11);
    }
  });

  it("carries trees", () => {
    const out = foriLoop(0, 3, (i: Num, c: { a: Num; b: Num[] }) => ({ a: add(c.a, i), b: [mul(c.b[0]!, 2), c.a] }), { a: 1, b: [1, 0] });
    expect(out).toEqual({ a: 4, b: [8, 2] });
  });

  it("passes checkGrads at orders 1 and 2 in both modes", () => {
    for (const order of [1, 2]) checkGrads(f, [[0.8, 0.05, 0.3]], { order, modes: ["fwd", "rev"] });
  });
});

describe("whileLoop", () => {
  /** Newton's iteration for √a from x = a, until |x² − a| ≤ 1e-13·a (data-dependent step count). */
  const sqrtNewton = (a: Num) =>
    whileLoop(
      (x: Num) => gt(abs(sub(mul(x, x), a)), mul(1e-13, a)),
      (x: Num) => mul(0.5, add(x, div(a, x))),
      a,
      { maxSteps: 200 },
    );

  it("runs Newton's iteration for √a to convergence, its gradient matching 1/(2√a)", () => {
    for (const a of [0.25, 2, 9, 1e4]) {
      expect(sqrtNewton(a)).toBeCloseTo(Math.sqrt(a), 10);
      expect(grad(sqrtNewton)(a)).toBeCloseTo(1 / (2 * Math.sqrt(a)), 10);
      expect(jvp(sqrtNewton, [a], [1])[1]).toBeCloseTo(1 / (2 * Math.sqrt(a)), 10);
    }
    // the second derivative −1/(4 a^{3/2}), within the iteration's convergence
    expect(grad(grad(sqrtNewton))(2)).toBeCloseTo(-1 / (4 * 2 ** 1.5), 6);
  });

  it("takes a number of steps that depends on the data, and the same derivatives as the unrolled loop", () => {
    const body = (c: [Num, Num], w: Num): [Num, Num] => [add(c[0], 1), add(mul(c[1], w), sin(c[0]))];
    const f = (p: Num[]) => whileLoop((c: [Num, Num]) => gt(p[1]!, c[0]), (c: [Num, Num]) => body(c, p[0]!), [0, 0.5] as [Num, Num])[1];
    const ref = (p: Num[]) => {
      let c: [Num, Num] = [0, 0.5];
      while (toNumber(p[1]!) > toNumber(c[0])) c = body(c, p[0]!);
      return c[1];
    };
    // p[1] = 4.5: five steps (counter 0…4); checked eagerly (the condition needs the values)
    for (const x of [[0.9, 4.5], [1.1, 2]]) {
      expectClose(valueAndGrad(f)(x), valueAndGrad(ref)(x), 12);
      expectClose(hessian(f)(x), hessian(ref)(x), 12);
      expectClose(jvp(f, [x], [[1, 0.5]]), jvp(ref, [x], [[1, 0.5]]), 12);
    }
  });

  it("returns init unchanged when the condition is false at once", () => {
    expect(whileLoop(() => 0, (c: Num) => add(c, 1), 3)).toBe(3);
    expect(grad((x: Num) => whileLoop(() => 0, (c: Num) => mul(c, 2), x))(3)).toBe(1);
  });

  it("treats a NaN condition as false, as where does", () => {
    expect(whileLoop(() => NaN, (c: Num) => add(c, 1), 3)).toBe(3);
  });

  it("refuses to run more than maxSteps steps, naming maxSteps", () => {
    expect(whileLoop((c: Num) => gt(5, c), (c: Num) => add(c, 1), 0, { maxSteps: 5 })).toBe(5);
    expect(() => whileLoop((c: Num) => gt(6, c), (c: Num) => add(c, 1), 0, { maxSteps: 5 })).toThrow(ChainruleError);
    expect(() => whileLoop((c: Num) => gt(6, c), (c: Num) => add(c, 1), 0, { maxSteps: 5 })).toThrow(/maxSteps = 5/);
  });

  it("passes checkGrads at orders 1 and 2 in both modes (a fixed step count, so differences see the same loop)", () => {
    const f = (w: Num, x: Num) =>
      whileLoop((c: [Num, Num]) => gt(6, c[0]), (c: [Num, Num]) => [add(c[0], 1), tanh(add(mul(c[1], w), 0.1))] as [Num, Num], [0, x] as [Num, Num])[1];
    for (const order of [1, 2]) checkGrads(f, [0.7, 0.2], { order, modes: ["fwd", "rev"] });
  });
});
