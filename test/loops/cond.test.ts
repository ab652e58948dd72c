// cond and switchCase: only the taken branch runs and receives a gradient, so a NaN or an
// infinity in the other branch never reaches the value or derivatives of any order.
import { describe, expect, it } from "vitest";
import { add, checkGrads, cond, cos, div, exp, grad, gt, hessian, jit, jvp, log, mul, neg, sin, square, sub, switchCase, TreeStructureError, ChainruleError, type Num } from "../../src/index.js";
import { expectClose } from "../support/expect-close.js";
import { expectFinite, expectSameAsUnrolled } from "./harness.js";

/** x·sin x for x > 0; the other branch is log(−x) + 1/(x − x): NaN and ∞ for every x > 0. */
const f = (x: Num) =>
  cond(
    gt(x, 0),
    (v: Num) => mul(v, sin(v)),
    (v: Num) => add(log(neg(v)), div(1, sub(v, v))),
    x,
  );
/** The taken branch's derivatives of orders 0–3 in closed form. */
const taken = [
  (x: number) => x * Math.sin(x),
  (x: number) => Math.sin(x) + x * Math.cos(x),
  (x: number) => 2 * Math.cos(x) - x * Math.sin(x),
  (x: number) => -3 * Math.sin(x) - x * Math.cos(x),
];

describe("cond", () => {
  it("traces each branch once and returns the taken one's value", () => {
    const calls: string[] = [];
    const r = cond(
      1,
      (a: Num, b: Num) => {
        calls.push("true");
        return add(a, b);
      },
      (a: Num, b: Num) => {
        calls.push("false");
        return sub(a, b);
      },
      5,
      2,
    );
    expect(r).toBe(7);
    expect(calls.sort()).toEqual(["false", "true"]); // both traced once; only "true" runs (see the NaN tests below)
    expect(cond(0, (a: Num) => a, (a: Num) => neg(a), 3)).toBe(-3);
    expect(cond(NaN, (a: Num) => a, (a: Num) => neg(a), 3)).toBe(-3); // NaN is false, as for where
  });

  it("gives finite values and derivatives of orders 1–3 equal to the taken branch's, with NaN and ∞ in the other", () => {
    for (const x of [0.5, 2, 3.7]) {
      const fs = [f, grad(f), grad(grad(f)), grad(grad(grad(f)))];
      fs.forEach((g, k) => {
        const v = g(x) as number;
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeCloseTo(taken[k]!(x), 10);
      });
      expect(jvp(f, [x], [1])[1]).toBeCloseTo(taken[1]!(x), 10);
      expect(hessian(f)(x)).toBeCloseTo(taken[2]!(x), 10);
    }
  });

  it("does the same under jit, grad(jit) and jit(grad) at orders 1–3", () => {
    for (const x of [0.5, 2, 3.7]) {
      const fs = [jit(f), jit(grad(f)), jit(grad(grad(f))), jit(grad(grad(grad(f)))), grad(jit(f)), grad(grad(jit(f)))];
      const orders = [0, 1, 2, 3, 1, 2];
      fs.forEach((g, k) => {
        const v = g(x) as number;
        expectFinite(v);
        expect(v).toBeCloseTo(taken[orders[k]!]!(x), 10);
      });
    }
  });

  it("gives the same values and derivatives as an if/else on the value (trees in, trees out)", () => {
    const branchA = (p: { w: Num; b: Num[] }) => ({ s: mul(p.w, exp(p.b[0]!)), t: [sin(p.b[1]!)] });
    const branchB = (p: { w: Num; b: Num[] }) => ({ s: square(p.w), t: [cos(mul(p.b[0]!, p.b[1]!))] });
    const use = (o: { s: Num; t: Num[] }) => add(o.s, o.t[0]!);
    const withCond = (x: Num[]) => use(cond(sub(x[0]!, 0.5), branchA, branchB, { w: x[0]!, b: [x[1]!, x[2]!] }));
    const withIf = (x: Num[]) => use((x[0] as number) !== 0.5 ? branchA({ w: x[0]!, b: [x[1]!, x[2]!] }) : branchB({ w: x[0]!, b: [x[1]!, x[2]!] }));
    expectSameAsUnrolled(withCond, withIf, [1.5, 0.3, -0.7]);
    const withIfB = (x: Num[]) => use(branchB({ w: x[0]!, b: [x[1]!, x[2]!] }));
    expectClose(grad(withCond)([0.5, 0.3, -0.7]), grad(withIfB)([0.5, 0.3, -0.7]), 12);
  });

  it("refuses branches that return different structures (traced under jit: both branches run)", () => {
    const bad = jit((x: Num) => cond(x, (v: Num) => ({ a: v }) as { a: Num }, (v: Num) => ({ b: v }) as unknown as { a: Num }, x).a);
    let error: unknown;
    try {
      bad(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TreeStructureError);
    // whichever branch is traced first sets the structure the other must match
    expect((error as TreeStructureError).message).toMatch(/^cond: the output of on(True|False) differs in structure from the output of on(False|True)/);
    expect((error as TreeStructureError).path).toMatch(/^out\.[ab]$/);
  });

  it("passes checkGrads at orders 1 and 2 in both modes", () => {
    for (const order of [1, 2]) {
      checkGrads(f, [1.3], { order, modes: ["fwd", "rev"] });
      checkGrads((x: Num, y: Num) => cond(gt(y, x), (a: Num, b: Num) => mul(a, exp(b)), (a: Num, b: Num) => div(a, add(square(b), 1)), x, y), [0.4, 0.9], { order });
    }
  });
});

describe("switchCase", () => {
  const branches = [
    (x: Num) => sin(x),
    (x: Num) => square(x),
    (x: Num) => mul(3, x),
    (x: Num) => log(neg(x)), // NaN for x > 0, never taken in these tests but index 3
  ];

  it("rounds the index toward zero and clamps it to the branches (NaN: the first)", () => {
    const cases: [number, number][] = [
      [0, Math.sin(2)],
      [1, 4],
      [1.7, 4],
      [2.99, 6],
      [-0.5, Math.sin(2)],
      [-7, Math.sin(2)],
      [NaN, Math.sin(2)],
    ];
    const three = branches.slice(0, 3);
    for (const [k, want] of cases) {
      expect(switchCase(k, three, 2)).toBeCloseTo(want, 14);
      // the same with an index that is only known when the compiled code runs
      expect(jit((i: Num, x: Num) => switchCase(i, three, x))(k, 2)).toBeCloseTo(want, 14);
    }
    expect(switchCase(9, three, 2)).toBe(6);
    expect(jit((i: Num, x: Num) => switchCase(i, three, x))(9, 2)).toBe(6);
  });

  it("traces every branch once, runs the one taken and differentiates it alone, at orders 1–3, also under jit", () => {
    const calls: number[] = [];
    const counted = branches.map((b, k) => (x: Num) => {
      calls.push(k);
      return b(x);
    });
    expect(switchCase(2, counted, 1.5)).toBe(4.5);
    expect(calls.sort()).toEqual([0, 1, 2, 3]); // each traced once
    const g = (x: Num) => switchCase(1, branches, x);
    expect([grad(g)(1.5), grad(grad(g))(1.5), grad(grad(grad(g)))(1.5)]).toEqual([3, 2, 0]);
    const h = (i: Num, x: Num) => switchCase(i, branches, x);
    for (const [i, d1] of [[0, Math.cos(1.5)], [1, 3], [2, 3]] as const) {
      expect(grad(h, { argnums: 1 })(i, 1.5)).toBeCloseTo(d1, 14);
      expect(jit(grad(h, { argnums: 1 }))(i, 1.5)).toBeCloseTo(d1, 14);
      expect(grad(jit(h), { argnums: 1 })(i, 1.5)).toBeCloseTo(d1, 14);
      expectFinite(jit(grad(grad(h, { argnums: 1 }), { argnums: 1 }))(i, 1.5));
    }
  });

  it("passes checkGrads at orders 1 and 2 in both modes", () => {
    for (const order of [1, 2]) checkGrads((x: Num) => add(switchCase(0, branches, x), switchCase(1, branches, x)), [0.8], { order, modes: ["fwd", "rev"] });
  });

  it("refuses an empty list of branches", () => {
    expect(() => switchCase(0, [], 1)).toThrow(ChainruleError);
    expect(() => switchCase(0, [], 1)).toThrow(/branches is empty/);
  });
});
