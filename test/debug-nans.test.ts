// debugNans: the first primitive that produces NaN — forward pass, inside a rule (naming both
// primitives), inside a branch where discards — and nothing outside it.
import { describe, expect, it } from "vitest";
import {
  abs,
  add,
  customVjp,
  debugNans,
  definePrimitive,
  div,
  grad,
  gt,
  hessian,
  jacfwd,
  jvp,
  log,
  logSumExp,
  makeGraph,
  mul,
  pow,
  sign,
  sqrt,
  sub,
  where,
  type Num,
} from "../src/index.js";
import { nonFinite } from "./support/errors.js";


const xlogx = (x: Num) => mul(x, log(x));

describe("the forward pass", () => {
  it("names the primitive and its equation", () => {
    const e = nonFinite(() => debugNans(xlogx)(-1));
    expect(e.primitive).toBe("log");
    expect(e.rule).toBeUndefined();
    expect(e.message).toContain("log(-1) = NaN");
    expect(e.message).toContain("forward pass");
    expect(e.name).toBe("NonFiniteError");
  });

  it("inside grad, jvp, hessian", () => {
    for (const f of [debugNans(grad(xlogx)), debugNans((x: number) => jvp(xlogx, [x], [1])), debugNans(hessian(xlogx))]) {
      const e = nonFinite(() => f(-1));
      expect(e.message).toContain("log(-1) = NaN");
      expect(e.rule).toBeUndefined();
    }
  });

  it("the first NaN is reported, not a later one that merely propagates it", () => {
    // sqrt(-4) is the first NaN; add and mul then only pass it on.
    const e = nonFinite(() => debugNans((x: Num) => mul(add(sqrt(x), 1), 2))(-4));
    expect(e.message).toMatch(/^debugNans: sqrt\(-4\) = NaN/);
  });

  it("a NaN that comes in through an input is not reported where it only passes through", () => {
    expect(debugNans((x: Num) => add(mul(x, 2), 1))(NaN)).toBeNaN();
    expect(debugNans(grad((x: Num) => mul(x, 3)))(NaN)).toBe(3);
    // ...but a NaN made later from other, non-NaN inputs still is.
    const e = nonFinite(() => debugNans((x: Num, y: Num) => add(x, log(y)))(NaN, -2));
    expect(e.message).toContain("log(-2) = NaN");
  });

  it("0 · ∞ and ∞ − ∞ are NaN too", () => {
    expect(nonFinite(() => debugNans((x: Num) => mul(x, div(1, x)))(0)).message).toContain("mul(0, Infinity) = NaN");
    expect(nonFinite(() => debugNans((x: Num) => sub(x, x))(Infinity)).message).toContain("sub(Infinity, Infinity) = NaN");
  });
});

describe("inside a derivative rule: names the primitive and the primitive whose rule it is", () => {
  it("a user primitive whose local gradient is 0/0 at 0", () => {
    // √|x|: value 0 at 0, but its partial sign(x) / (2√|x|) is 0/0 there.
    const sqrtAbs = definePrimitive({
      name: "sqrtAbs",
      impl: (x) => Math.sqrt(Math.abs(x)),
      partials: ([x], out) => [div(sign(x!), mul(2, out))],
    });
    expect(debugNans(sqrtAbs)(0)).toBe(0);
    expect(grad(sqrtAbs)(0)).toBeNaN(); // silently, outside debugNans
    for (const f of [debugNans(grad(sqrtAbs)), debugNans((x: number) => jvp(sqrtAbs, [x], [1])[1])]) {
      const e = nonFinite(() => f(0));
      expect(e.primitive).toBe("div");
      expect(e.rule).toBe("sqrtAbs");
      expect(e.message).toContain("div(0, 0) = NaN");
      expect(e.message).toContain("inside the derivative rule of sqrtAbs");
    }
  });

  it("a built-in rule: logSumExp at +∞ (its value is ∞, its gradient ∞ − ∞)", () => {
    const f = (x: Num) => logSumExp([x, x]);
    expect(debugNans(f)(Infinity)).toBe(Infinity);
    const e = nonFinite(() => debugNans(grad(f))(Infinity));
    expect(e.primitive).toBe("sub");
    expect(e.rule).toBe("logSumExp");
    expect(e.message).toContain("sub(Infinity, Infinity) = NaN");
  });

  it("a branch that where discards inside a rule (pow's ∂/∂y at x = 0)", () => {
    const f = (x: Num, y: Num) => pow(x, y);
    expect(grad(f, { argnums: [0, 1] })(0, 2.5)).toEqual([0, 0]);
    const e = nonFinite(() => debugNans(grad(f, { argnums: [0, 1] }))(0, 2.5));
    expect([e.primitive, e.rule]).toEqual(["mul", "pow"]);
  });

  it("a partial that is not needed is not computed: a constant exponent raises no false alarm", () => {
    const f = (x: Num) => pow(x, 2.5);
    expect(debugNans(grad(f))(0)).toBe(0);
    expect(debugNans(grad(grad(f)))(0)).toBe(0);
  });

  it("at second order, the innermost rule running is named", () => {
    // f'(x) = √|x| is fine at 0, but f''(0) needs sqrtAbs's rule.
    const sqrtAbs2 = definePrimitive({
      name: "sqrtAbs2",
      impl: (x) => Math.sqrt(Math.abs(x)),
      partials: ([x], out) => [div(sign(x!), mul(2, out))],
    });
    const antiderivative = definePrimitive({
      name: "antiderivative",
      impl: (x) => (Math.sign(x) * 2 * Math.abs(x) ** 1.5) / 3,
      partials: ([x]) => [sqrtAbs2(x!)],
    });
    expect(debugNans(grad(antiderivative))(0)).toBe(0);
    const e = nonFinite(() => debugNans(grad(grad(antiderivative)))(0));
    expect([e.primitive, e.rule]).toEqual(["div", "sqrtAbs2"]);
  });

  it("in a custom rule's backward pass", () => {
    const g = customVjp((x: Num) => abs(x), {
      fwd: (x) => [abs(x), x],
      bwd: (x, ct) => [mul(ct, div(x, abs(x)))], // 0/0 at 0
    });
    const e = nonFinite(() => debugNans(grad(g))(0));
    expect(e.primitive).toBe("div");
    expect(e.rule).toMatch(/^customVjp/);
  });
});

describe("a branch that where discards", () => {
  const safeSqrt = (x: Num) => where(gt(x, 0), sqrt(x), 0);
  it("is reported (as JAX's debug_nans does), though the result is fine without debugNans", () => {
    expect(grad(safeSqrt)(-1)).toBe(0);
    expect(safeSqrt(-1)).toBe(0);
    for (const f of [debugNans(safeSqrt), debugNans(grad(safeSqrt)), debugNans(jacfwd(safeSqrt))]) {
      const e = nonFinite(() => f(-1));
      expect(e.message).toContain("sqrt(-1) = NaN");
      expect(e.primitive).toBe("sqrt");
    }
  });
  it("the double-where pattern keeps debugNans quiet", () => {
    const doubleWhere = (x: Num) => where(gt(x, 0), sqrt(where(gt(x, 0), x, 1)), 0);
    expect(debugNans(grad(doubleWhere))(-1)).toBe(0);
    expect(debugNans(grad(grad(doubleWhere)))(-1)).toBe(0);
  });
});

describe("scope", () => {
  it("outside debugNans NaN propagates silently — also after a debugNans call threw", () => {
    expect(grad(xlogx)(-1)).toBeNaN();
    nonFinite(() => debugNans(grad(xlogx))(-1));
    expect(grad(xlogx)(-1)).toBeNaN();
    expect(xlogx(-1)).toBeNaN();
  });

  it("nesting: an inner debugNans returning leaves the outer one active", () => {
    const inner = debugNans((x: Num) => mul(x, 2));
    const e = nonFinite(() =>
      debugNans((x: Num) => {
        inner(3);
        return log(x);
      })(-1),
    );
    expect(e.message).toContain("log(-1)");
    expect(debugNans(debugNans((x: Num) => add(x, 1)))(1)).toBe(2);
  });

  it("a rule that threw does not leave its name on later forward-pass reports", () => {
    const throwing = definePrimitive({
      name: "throwingRule",
      impl: (x) => x,
      partials: () => {
        throw new Error("boom");
      },
    });
    expect(() => grad((x: Num) => throwing(x))(1)).toThrow("boom");
    const e = nonFinite(() => debugNans(xlogx)(-1));
    expect(e.rule).toBeUndefined();
    expect(e.message).toContain("forward pass");
  });

  it("a derivative rule that threw leaves no rule mark behind, also for debugNans inside grad", () => {
    const throwingBwd = customVjp((x: Num) => abs(x), {
      fwd: (x) => [abs(x), x],
      bwd: () => {
        throw new Error("boom");
      },
    });
    const throwingPartials = definePrimitive({
      name: "throwingPartials",
      impl: (x) => x,
      partials: () => {
        throw new Error("boom");
      },
    });
    const throwingJvp = definePrimitive({
      name: "throwingJvp",
      impl: (x) => x,
      jvp: () => {
        throw new Error("boom");
      },
    });
    const throwers = [
      () => grad(throwingBwd)(1),
      () => grad((x: Num) => throwingPartials(x))(1),
      () => jvp((x: Num) => throwingJvp(x), [1], [1]),
      () => grad(grad((x: Num) => mul(x, throwingPartials(x))))(1),
    ];
    for (const fails of throwers) {
      expect(fails).toThrow("boom");
      // A NaN in the forward pass of a later call is blamed on no rule.
      for (const later of [() => grad(debugNans(log))(-1), () => debugNans(grad(log))(-1), () => debugNans(log)(-1)]) {
        const e = nonFinite(later);
        expect(e.rule).toBeUndefined();
        expect(e.message).toContain("log(-1) = NaN");
        expect(e.message).toContain("in the forward pass");
      }
    }
  });

  it("keeps the function's value and signature", () => {
    const f = (x: Num, s: string) => (s === "sq" ? mul(x, x) : x);
    expect(debugNans(f)(3, "sq")).toBe(9);
    expect(debugNans(grad(f))(3, "sq")).toBe(6);
  });
});

describe("under staging (the contract with jit)", () => {
  it("marks the graph being staged with checkNans", () => {
    expect(makeGraph((x: Num) => log(x))(1).checkNans).toBe(false);
    expect(makeGraph(debugNans((x: Num) => log(x)))(1).checkNans).toBe(true);
    // Also when debugNans runs under another transform inside the staged function.
    expect(makeGraph((x: Num) => grad(debugNans((y: Num) => log(y)))(x))(1).checkNans).toBe(true);
    expect(makeGraph((x: Num) => grad((y: Num) => log(y))(x))(1).checkNans).toBe(false);
  });
});
