// checkGrads: passes correct derivatives, catches wrong rules by path, mode and order.
import { describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  checkGrads,
  cos,
  customJvp,
  customVjp,
  definePrimitive,
  div,
  dot,
  exp,
  GradientCheckError,
  log,
  logSumExp,
  mul,
  neg,
  NonScalarOutputError,
  pow,
  sigmoid,
  sin,
  sqrt,
  square,
  sum,
  tanh,
  toNumber,
  type GradientCheckEntry,
  type Num,
} from "../src/index.js";

function failure(fn: () => void): GradientCheckError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GradientCheckError);
    return e as GradientCheckError;
  }
  throw new Error("expected checkGrads to throw GradientCheckError");
}

describe("correct derivatives pass", () => {
  it("returns nothing for built-in functions at orders 1 and 2, on trees", () => {
    const loss = (p: { w: Num[]; b: Num }, x: Num[], cfg: { name: string; scale: number }) =>
      mul(cfg.scale, add(square(tanh(add(dot(p.w, x), p.b))), log(add(2, sin(p.b)))));
    const args: Parameters<typeof loss> = [{ w: [0.3, -0.7], b: 0.1 }, [1.5, 2], { name: "static", scale: 3 }];
    expect(checkGrads(loss, args)).toBeUndefined();
    expect(checkGrads(loss, args, { order: 2 })).toBeUndefined();
  });

  it("handles functions that are hard for finite differences: large values, steep exponentials, many leaves", () => {
    checkGrads((x: Num) => add(1e6, mul(3, x)), [0.1], { order: 2 });
    checkGrads((x: Num[]) => logSumExp(x), [[1000, 1000.5, 999]], { order: 2 });
    checkGrads((x: Num) => exp(mul(3, x)), [4], { order: 2 });
    checkGrads((x: Num[]) => pow(x[0]!, x[1]!), [[1.7, 2.3]], { order: 2 });
    checkGrads((x: Num[]) => sum(x.map((v, i) => mul(sigmoid(mul(v, i)), v))), [Array.from({ length: 12 }, (_, i) => Math.sin(i))]);
  });

  it("non-numeric arguments pass through untouched", () => {
    const seen: unknown[] = [];
    const tag = { label: "x", fn: () => 1 };
    checkGrads(
      (x: Num, t: typeof tag, s: string[]) => {
        seen.push(t, s);
        return mul(x, t.fn());
      },
      [2, tag, ["a", "b"]],
    );
    expect(seen.every((v, i) => (i % 2 === 0 ? v === tag : Array.isArray(v) && v[0] === "a"))).toBe(true);
  });

  it("an argument without leaves, or no numeric argument at all, checks nothing", () => {
    expect(checkGrads((_x: Num[]) => 1, [[]])).toBeUndefined();
    expect(checkGrads((_s: string) => 1, ["s"])).toBeUndefined();
  });
});

describe("wrong rules are caught", () => {
  it("a wrong local gradient (definePrimitive partials), entry by entry, with paths, modes and order", () => {
    const badSin = definePrimitive({ name: "badSinPartials", impl: Math.sin, partials: ([x]) => [neg(cos(x!))] });
    const e = failure(() => checkGrads((p: { w: Num[] }, tag: string) => sum(p.w.map((w) => mul(badSin(w), tag.length))), [{ w: [0.1, 0.2, 0.3] }, "ab"]));
    expect(e.entries).toHaveLength(6); // 3 leaves × 2 modes
    const paths = new Set(e.entries.map((x) => x.path));
    expect(paths).toEqual(new Set(["args[0].w[0]", "args[0].w[1]", "args[0].w[2]"]));
    expect(new Set(e.entries.map((x) => x.mode))).toEqual(new Set(["fwd", "rev"]));
    for (const entry of e.entries) {
      expect(entry.order).toBe(1);
      const i = Number(entry.path.slice(-2, -1));
      expect(entry.expected).toBeCloseTo(2 * Math.cos(0.1 * (i + 1)), 8);
      expect(entry.actual).toBeCloseTo(-2 * Math.cos(0.1 * (i + 1)), 12);
    }
    expect(e.message).toMatch(/args\[0\]\.w\[0\] \(order 1, (fwd|rev)\): expected 1\.99\d+ \(finite differences\), got -1\.99/);
  });

  it("a wrong forward rule (definePrimitive jvp) and a wrong reverse rule (definePrimitive vjp)", () => {
    const badJvp = definePrimitive({ name: "badExpJvp", impl: Math.exp, jvp: ([x], [t]) => [exp(x!), mul(2, mul(t!, exp(x!)))] });
    const badVjp = definePrimitive({ name: "badExpVjp", impl: Math.exp, vjp: ([x], ct) => [mul(ct, x!)] });
    expect(() => checkGrads((x: Num) => badJvp(x), [0.5])).toThrow(GradientCheckError);
    expect(() => checkGrads((x: Num) => badVjp(x), [0.5])).toThrow(GradientCheckError);
  });

  it("modes: a primitive whose jvp is right but whose vjp is wrong fails only in reverse mode", () => {
    const half = definePrimitive({
      name: "halfWrong",
      impl: (x) => x * x,
      jvp: ([x], [t]) => [square(x!), mul(2, mul(x!, t!))],
      vjp: ([x], ct) => [mul(3, mul(x!, ct))],
    });
    expect(() => checkGrads((x: Num) => half(x), [1.5], { modes: ["fwd"] })).not.toThrow();
    const e = failure(() => checkGrads((x: Num) => half(x), [1.5]));
    expect(e.entries.map((x) => x.mode)).toEqual(["rev"]);
    expect(e.entries[0]!.path).toBe("args[0]");
    expect(e.entries[0]!.expected).toBeCloseTo(3, 8);
    expect(e.entries[0]!.actual).toBeCloseTo(4.5, 12);
  });

  it("a rule that is right at first order but not differentiable (it reads numbers) fails only at order 2", () => {
    const frozen = definePrimitive({ name: "frozenSin", impl: Math.sin, partials: ([x]) => [Math.cos(toNumber(x!))] });
    const f = (x: Num[]) => mul(frozen(x[0]!), x[1]!);
    expect(() => checkGrads(f, [[0.4, 2]])).not.toThrow();
    const e = failure(() => checkGrads(f, [[0.4, 2]], { order: 2 }));
    expect(e.entries.every((x) => x.order === 2)).toBe(true);
    // Only ∂²/∂x0² is wrong: got 0 instead of -x1 sin x0.
    expect(new Set(e.entries.map((x) => x.path))).toEqual(new Set(["(args[0][0], args[0][0])"]));
    expect(e.entries[0]!.paths).toEqual(["args[0][0]", "args[0][0]"]);
    expect(new Set(e.entries.map((x) => x.mode))).toEqual(new Set(["fwd over fwd", "fwd over rev", "rev over fwd", "rev over rev"]));
    for (const entry of e.entries) {
      expect(entry.expected).toBeCloseTo(-2 * Math.sin(0.4), 8);
      expect(entry.actual).toBe(0);
    }
  });

  it("a wrong customVjp and a wrong customJvp", () => {
    const vj = customVjp((x: Num) => sqrt(x), { fwd: (x) => [sqrt(x), x], bwd: (x, ct) => [div(ct, sqrt(x))] }); // missing ½
    const jv = customJvp((x: Num) => sqrt(x), { jvp: ([x], [t]) => [sqrt(x), div(t, mul(2, x))] }); // wrong: t/(2x)
    const e1 = failure(() => checkGrads(vj, [4]));
    expect(e1.entries.map((x) => [x.mode, x.expected, x.actual]).sort()).toEqual([
      ["fwd", expect.closeTo(0.25, 8), 0.5],
      ["rev", expect.closeTo(0.25, 8), 0.5],
    ]);
    expect(() => checkGrads(jv, [4])).toThrow(GradientCheckError);
  });

  it("entries are sorted worst first and the message lists at most ten", () => {
    // Gradient off by i·10⁻³ at leaf i.
    const skew = definePrimitive({ name: "skewedSum", impl: (...xs: number[]) => xs.reduce((a, b) => a + b, 0), partials: (xs) => xs.map((_, i) => 1 + i * 1e-3) });
    const e = failure(() => checkGrads((x: Num[]) => skew(...x), [Array.from({ length: 12 }, () => 0.5)], { modes: ["rev"] }));
    expect(e.entries).toHaveLength(11); // leaf 0 is right
    expect(e.entries.map((x: GradientCheckEntry) => x.path)).toEqual(Array.from({ length: 11 }, (_, k) => `args[0][${11 - k}]`));
    expect(e.message.split("\n").filter((l) => l.startsWith("  args"))).toHaveLength(10);
    expect(e.message).toMatch(/and 1 more/);
    expect(e.message).toMatch(/^checkGrads: 11 of 12 derivatives disagree/);
  });

  it("tolerances: a small relative error is caught by default and accepted with a looser rtol", () => {
    const close = definePrimitive({ name: "almostCos", impl: Math.sin, partials: ([x]) => [mul(1.0001, cos(x!))] });
    expect(() => checkGrads((x: Num) => close(x), [0.3])).toThrow(GradientCheckError);
    expect(() => checkGrads((x: Num) => close(x), [0.3], { rtol: 1e-3 })).not.toThrow();
  });
});

describe("errors in use", () => {
  it("a non-scalar function", () => {
    expect(() => checkGrads(((x: Num) => [x, x]) as unknown as (x: Num) => Num, [1])).toThrow(NonScalarOutputError);
  });
  it("bad options", () => {
    const f = (x: Num) => x;
    expect(() => checkGrads(f, [1], { order: 0 })).toThrow(ChainruleError);
    expect(() => checkGrads(f, [1], { modes: ["sideways" as never] })).toThrow(/modes/);
    expect(() => checkGrads(f, [1], { eps: 0 })).toThrow(/eps/);
    expect(() => checkGrads(f, [1], { rtol: -1 })).toThrow(/rtol/);
    expect(() => checkGrads(f, 1 as never)).toThrow(/array of all arguments/);
  });
});
