// What only the loop engine can do — the loops kept in the graph, their bodies traced once.
// which runs a loop by calling its body once per step: every test below checks a property that
// unrolling cannot have. They pass once the engine replaces the placeholder.
import { describe, expect, it } from "vitest";
import {
  abs,
  add,
  cond,
  debugNans,
  div,
  grad,
  gt,
  jit,
  log,
  makeGraph,
  mul,
  scan,
  sin,
  sub,
  toNumber,
  whileLoop,
  ConcretizationError,
  NonFiniteError,
  TreeStructureError,
  type Num,
} from "../../src/index.js";

const chain = (n: number) => (w: Num) => scan((c: Num, x: Num) => [add(mul(sin(c), w), x), mul(c, x)] as const, 0.5, Array.from({ length: n }, (_, i) => i / n));

describe("the graph keeps a scan as one loop", () => {
  it("makeGraph of a scan has as many equations for 1000 steps as for 10", () => {
    const small = makeGraph(chain(10))(0.9).equations().length;
    const large = makeGraph(chain(1000))(0.9).equations().length;
    expect(large).toBe(small);
  });

  it("makeGraph prints the body once, as a nested graph", () => {
    const text = String(makeGraph(chain(1000))(0.9));
    expect(text.match(/\bsin\(/g)?.length).toBe(1);
  });

  it("jit's optimised graph does not grow with the length, and its generated code has a for loop", () => {
    const f = (w: Num) => chain(1000)(w)[0];
    const g = (w: Num) => chain(20)(w)[0];
    expect(jit(f).lower(0.9).stats.equations).toBe(jit(g).lower(0.9).stats.equations);
    expect(jit(grad(f)).lower(0.9).source).toMatch(/for \(/);
  });
});

describe("a body is traced with abstract values", () => {
  it("toNumber inside a scan body is a ConcretizationError that points to cond or where", () => {
    let error: unknown;
    try {
      scan((c: Num, x: Num) => [toNumber(c) > 0 ? add(c, x) : sub(c, x), 0] as const, 1, [1, 2, 3]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConcretizationError);
    expect((error as Error).message).toMatch(/cond|where/);
  });

  it("cond traces both branches, so branches of different structures are refused eagerly too", () => {
    let error: unknown;
    try {
      cond(1, (v: Num) => ({ a: v }), (v: Num) => ({ b: v }) as unknown as { a: Num }, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TreeStructureError);
  });
});

describe("whileLoop under jit", () => {
  const sqrtNewton = (a: Num) =>
    whileLoop(
      (x: Num) => gt(abs(sub(mul(x, x), a)), mul(1e-13, a)),
      (x: Num) => mul(0.5, add(x, div(a, x))),
      a,
      { maxSteps: 200 },
    );

  it("runs Newton's iteration for √a to convergence under jit and jit(grad): 1/(2√a)", () => {
    for (const a of [0.25, 2, 9, 1e4]) {
      expect(jit(sqrtNewton)(a)).toBeCloseTo(Math.sqrt(a), 10);
      expect(jit(grad(sqrtNewton))(a)).toBeCloseTo(1 / (2 * Math.sqrt(a)), 10);
      expect(grad(jit(sqrtNewton))(a)).toBeCloseTo(1 / (2 * Math.sqrt(a)), 10);
    }
  });
});

describe("debugNans inside a loop", () => {
  it("names the iteration where NaN appeared", () => {
    // The carry c counts the steps 0, 1, 2, …; log(6.5 − c) is NaN first at step 7 (log(−0.5)).
    const f = (x: Num) =>
      scan((c: Num, _x: undefined) => [add(c, 1), log(sub(6.5, mul(c, x)))] as const, 0, null, { length: 12 })[1][11]!;
    let error: unknown;
    try {
      debugNans(f)(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/iteration 7\b/);
  });
});
