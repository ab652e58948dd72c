// The graph optimiser: constant folding, simplification of derivative code (zero cotangents,
// unit multipliers), CSE and DCE — keeping values (NaN semantics included) and derivatives.
import { describe, expect, it } from "vitest";
import { add, cos, exp, grad, gt, jit, log, makeGraph, mul, neg, sin, stopGradient, sub, sum, where, type Num } from "../../src/index.js";
import { optimize } from "../../src/jit/optimize.js";
import { INPUT } from "../../src/core/graph.js";
import { scale } from "../../src/primitives/arithmetic.js";
import { stage } from "../../src/transforms/common.js";

const opt = (f: (...xs: Num[]) => unknown, ...args: number[]) => String(makeGraph(f, { optimize: true })(...args));
/** The primitives of the optimised graph by their internal names (a printed graph shows `scale` as `mul`). */
const prims = (f: (...xs: Num[]) => unknown, ...args: number[]) => {
  const g = makeGraph(f, { optimize: true })(...args);
  return Array.from({ length: g.size }, (_, i) => g.prim(i)).flatMap((p) => (p === INPUT ? [] : [p.name]));
};

describe("constant folding", () => {
  it("folds equations whose operands are all constants", () => {
    expect(opt((x) => add(x, mul(2, 3)), 0)).toBe("graph(a) {\n  b = add(a, 6)\n  return b\n}");
    expect(opt(() => sin(0))).toBe("graph() {\n  return 0\n}");
  });
  it("keeps NaN semantics: mul(0, x) is not 0, but a folded NaN is exact", () => {
    expect(prims((x) => mul(0, x), 1)).toEqual(["mul"]);
    expect(jit((x: Num) => mul(0, x))(NaN)).toBeNaN();
    expect(jit((x: Num) => mul(0, x))(Infinity)).toBeNaN();
    expect(jit(() => mul(0, Infinity))()).toBeNaN();
    expect(Object.is(jit(() => mul(-1, 0))(), -0)).toBe(true);
  });
  it("a constant where selects its branch", () => {
    expect(prims((x) => where(gt(2, 1), sin(x), cos(x)), 0)).toEqual(["sin"]);
    expect(prims((x, y) => where(gt(x, 0), y, y), 0, 1)).toEqual([]);
  });
});

describe("simplification of derivative code", () => {
  it("scale: 0·d = 0 even for NaN d; 1·d = d; c·1 = c; a nonzero constant c is a plain product", () => {
    expect(prims((d) => scale(0, log(d)), -1)).toEqual([]);
    expect(jit((d: Num) => scale(0, log(d)))(-1)).toBe(0);
    expect(prims((d) => scale(1, sin(d)), 1)).toEqual(["sin"]);
    expect(prims((c) => scale(sin(c), 1), 1)).toEqual(["sin"]);
    expect(prims((d) => scale(3, d), 1)).toEqual(["mul"]);
    expect(prims((d) => scale(-1, d), 1)).toEqual(["neg"]);
    expect(prims((c, d) => scale(c, d), 1, 2)).toEqual(["scale"]);
    // a finite nonzero local gradient: a plain product; a zero one absorbs even NaN and ∞
    expect(prims((c) => scale(c, 0.25), 1)).toEqual(["mul"]);
    expect(jit((c: Num) => scale(c, -2))(3)).toBe(-6);
    expect(prims((c) => scale(log(c), 0), -1)).toEqual([]);
    expect(jit((c: Num) => scale(log(c), 0))(-1)).toBe(0);
    expect(prims((c) => scale(c, Infinity), 1)).toEqual(["scale"]); // 0 · ∞ must stay 0
  });
  it("unit multipliers and zero terms: x·1, x/1, x - 0, x + 0, sums without zeros, -(-x)", () => {
    expect(prims((x) => mul(x, 1), 1)).toEqual([]);
    expect(prims((x) => neg(neg(x)), 1)).toEqual([]);
    expect(prims((x) => sub(sin(x), 0), 1)).toEqual(["sin"]);
    expect(prims((x) => add(0, sin(x)), 1)).toEqual(["sin"]);
    expect(prims((x, y) => sum([x, 0, y, 0]), 1, 2)).toEqual(["sum"]);
    expect(makeGraph((x: Num, y: Num) => sum([x, 0, y, 0]), { optimize: true })(1, 2).equations()[0]!.inputs).toEqual(["a", "b"]);
    expect(prims((x, y) => add(x, neg(y)), 1, 2)).toEqual(["sub"]);
  });
  it("the gradient of a product chain has no zero or unit work left", () => {
    const g = makeGraph(grad((x: Num) => mul(mul(x, 2), 3)), { optimize: true })(1);
    expect(g.equations()).toEqual([]);
    expect(String(g)).toContain("return 6");
  });
});

describe("common subexpressions and dead code", () => {
  it("shares equal equations, commutative ones in either order", () => {
    expect(prims((x) => add(sin(x), sin(x)), 1)).toEqual(["sin", "add"]);
    expect(prims((x, y) => sub(add(x, y), add(y, x)), 1, 2)).toEqual(["add", "sub"]);
    expect(prims((x, y) => sub(sub(x, y), sub(y, x)), 1, 2)).toEqual(["sub", "sub", "sub"]);
  });
  it("shares equal equations that read a value many others read too (more than the slots near it)", () => {
    // 200 products of the same x with different constants, twice over, in either order: the
    // second round is the first again, whether it was placed near x or beyond.
    const f = (x: Num) => {
      const once = Array.from({ length: 200 }, (_, i) => mul(x, i + 2));
      const again = Array.from({ length: 200 }, (_, i) => mul(i + 2, x));
      return sub(sum(once), sum(again));
    };
    expect(prims(f, 1.5)).toEqual([...new Array<string>(200).fill("mul"), "sum", "sub"]);
    expect(jit(f)(1.5)).toBe(0);
  });
  it("removes what the outputs do not need", () => {
    expect(
      prims((x) => {
        void exp(x);
        return sin(x);
      }, 1),
    ).toEqual(["sin"]);
  });
  it("keeps everything when the graph checks NaNs (every value is checked)", () => {
    const { graph } = stage((x: Num) => {
      void exp(x);
      return add(sin(x), log(sub(x, 2)));
    }, [1], undefined, "jit");
    graph.checkNans = true;
    const o = optimize(graph);
    expect(o.graph.equations().map((e) => e.primitive)).toEqual(["exp", "sin", "sub", "log", "add"]);
    expect(o.graph.checkNans).toBe(true);
  });
  it("maps every variable to the one it computes in the source graph", () => {
    const { graph } = stage((x: Num) => add(sin(x), sin(x)), [1], undefined, "jit");
    const o = optimize(graph);
    expect(Array.from(o.origin)).toEqual([0, 1, 3]); // a, sin (the first), add
  });
});

describe("derivatives survive optimisation", () => {
  it("stopGradient stays, so grad(jit(f)) is right", () => {
    const f = (x: Num) => mul(stopGradient(mul(x, x)), x);
    expect(prims(f, 3)).toEqual(["mul", "stopGradient", "mul"]);
    expect(grad(jit(f))(3)).toBe(9);
    expect(jit(grad(f))(3)).toBe(9);
  });
  it("grad(jit(f)) of a graph whose where and scale were simplified", () => {
    const f = (x: Num) => add(where(gt(1, 0), mul(x, x), log(x)), scale(1, sin(x)));
    expect(grad(jit(f))(0.5)).toBeCloseTo(1 + Math.cos(0.5), 14);
  });
});
