// An overflow can turn a gradient into a finite wrong value: the zero-absorbing product that
// keeps `where` NaN-safe also takes 0 · ∞ as 0 when the zero came from an underflow
// (1 / exp(1000) = 0). That stays so outside debugNans; under debugNans it is reported, naming
// the primitive whose local gradient was not finite — eagerly and under jit alike.
import { afterEach, describe, expect, it } from "vitest";
import { codegen } from "../src/jit/compile.js";
import { nanWatch } from "../src/core/eval.js";
import {
  add,
  debugNans,
  exp,
  grad,
  gt,
  jit,
  jvp,
  log,
  pow,
  relu,
  softplus,
  sqrt,
  where,
  type Num,
} from "../src/index.js";
import { bothStrategies, nonFinite } from "./support/errors.js";

/** softplus written by hand: exp(1000) overflows, and 1 / Infinity underflows to 0. */
const naive = (x: Num) => log(add(1, exp(x)));


afterEach(() => {
  codegen.forbidden = false;
});


describe("outside debugNans: unchanged, and nothing is checked", () => {
  it("the overflowed gradient is 0 (the true value is 1), eagerly and under jit", () => {
    expect(grad(naive)(1000)).toBe(0);
    expect(jit(grad(naive))(1000)).toBe(0);
    expect(nanWatch.hook).toBeUndefined();
  });

  it("where stays NaN-safe: the discarded branch's infinite or NaN local gradient is absorbed", () => {
    const safeSqrt = (x: Num) => where(gt(x, 0), sqrt(x), 0);
    for (const x of [0, -1]) {
      expect(grad(safeSqrt)(x)).toBe(0);
      expect(jit(grad(safeSqrt))(x)).toBe(0);
      expect(grad(grad(safeSqrt))(x)).toBe(0);
    }
  });
});

describe("under debugNans: a product that absorbed ±Infinity or NaN raises NonFiniteError", () => {
  it("eagerly, in the backward pass: names exp, whose local gradient was Infinity", () => {
    const e = nonFinite(() => debugNans(grad(naive))(1000));
    expect(e.primitive).toBe("exp");
    expect(e.rule).toBe("exp");
    expect(e.message).toContain("scale(0, Infinity) = 0");
    expect(e.message).toContain("local gradient of exp is Infinity");
    expect(e.message).toContain("softplus");
  });

  it("eagerly, at second order and in forward mode", () => {
    expect(nonFinite(() => debugNans(grad(grad(naive)))(1000)).primitive).toBe("exp");
    // Forward mode carries the tangent Infinity (from exp) to log, whose local gradient is 0.
    const e = nonFinite(() => debugNans((x: number) => jvp(naive, [x], [1])[1])(1000));
    expect([e.primitive, e.rule]).toEqual(["log", "log"]);
    expect(e.message).toContain("scale(Infinity, 0) = 0");
  });

  for (const strategy of ["compiled", "interpreted"] as const) {
    it(`under jit (${strategy}): the checked graph names exp and the equations`, () => {
      codegen.forbidden = strategy === "interpreted";
      const df = jit(debugNans(grad(naive)));
      expect(df.lower(1).strategy).toBe(strategy);
      expect(df(1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 14); // fine where nothing overflows
      const e = nonFinite(() => df(1000));
      expect([e.primitive, e.rule]).toEqual(["exp", "exp"]);
      expect(e.message).toMatch(/scale\(0, Infinity\) = 0 in equation \w+ = scale\(\w+, \w+\), a step of the derivative rule of exp/);
      expect(e.message).toMatch(/absorbed Infinity \(\w+ = exp\(a\)\)/);
    });
  }

  it("debugNans around jit: every equation re-evaluated under the watch, so the product is caught and named", () => {
    const e = nonFinite(() => debugNans(jit(grad(naive)))(1000));
    expect([e.primitive, e.rule]).toEqual(["exp", "exp"]);
    expect(e.message).toContain("scale(0, Infinity) = 0");
  });

  it("the rule is named alike eagerly and under jit where the local gradient is computed by another primitive (sqrt's is a div)", () => {
    // Under jit the condition is abstract, so the discarded branch gets a computed zero cotangent.
    const safeSqrt = (x: Num) => where(gt(x, 0), sqrt(x), 0);
    bothStrategies(() => {
      const e = nonFinite(() => jit(debugNans(grad(safeSqrt)))(0));
      expect([e.primitive, e.rule]).toEqual(["sqrt", "sqrt"]);
    });
    const e = nonFinite(() => debugNans(grad((x: Num) => sqrt(relu(x))))(-1));
    expect(e.primitive).toBe("relu"); // (eagerly: the Infinity is sqrt's, reaching relu as its cotangent)
  });

  it("a cotangent of Infinity absorbed by a zero local gradient (relu) is reported too", () => {
    // √relu(x) is 0 for x ≤ 0, but √'s local gradient at 0 is Infinity: it reaches relu as the cotangent.
    const f = (x: Num) => sqrt(relu(x));
    expect(grad(f)(-1)).toBe(0);
    expect(debugNans(f)(-1)).toBe(0);
    const e = nonFinite(() => debugNans(grad(f))(-1));
    expect(e.primitive).toBe("relu");
    expect(e.message).toContain("scale(Infinity, 0) = 0");
  });

  it("a rule's own deliberate 0 · ∞ = 0 is not a chain-rule product: pow's derivative of x⁰ at 0", () => {
    const f = (x: Num, y: Num) => pow(x, y);
    const df = grad(f, { argnums: [0, 1] });
    expect(debugNans(df)(0, 0)).toEqual([0, 0]);
    bothStrategies(() => expect(jit(debugNans(df))(0, 0)).toEqual([0, 0]));
    expect(debugNans(jit(df))(0, 0)).toEqual([0, 0]);
  });

  it("the fix, softplus, passes: eagerly and under jit", () => {
    expect(debugNans(grad(softplus))(1000)).toBe(1);
    expect(jit(debugNans(grad(softplus)))(1000)).toBe(1);
    expect(debugNans(jit(grad(softplus)))(1000)).toBe(1);
  });

  it("a zero cotangent that is 'none' checks nothing: where's discarded branch eagerly, a constant's inputs", () => {
    // With a concrete condition the discarded branch gets no cotangent at all: sqrt'(0) = ∞ is never met.
    expect(debugNans(grad((x: Num) => where(gt(x, 0), sqrt(x), 0)))(0)).toBe(0);
    // The double-where pattern keeps even the staged (abstract-condition) form quiet.
    const doubleWhere = (x: Num) => where(gt(x, 0), sqrt(where(gt(x, 0), x, 1)), 0);
    expect(jit(debugNans(grad(doubleWhere)))(0)).toBe(0);
    expect(debugNans(grad(doubleWhere))(0)).toBe(0);
  });

  it("after a report, debugNans is off again and the product is silent", () => {
    nonFinite(() => debugNans(grad(naive))(1000));
    expect(nanWatch.hook).toBeUndefined();
    expect(nanWatch.rule).toBeUndefined();
    expect(grad(naive)(1000)).toBe(0);
  });
});
