// Misuse of traced values that JavaScript cannot intercept (=== on a Num, branching on data that
// jit traces, static arguments that change on every call) is made loud: jit's first-call check
// against f, the retrace warning, and ConcretizationErrors that name the argument or the Math
// function involved.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as chainrule from "../../src/index.js";
import {
  adam,
  add,
  applyUpdates,
  ChainruleError,
  ConcretizationError,
  dot,
  eq,
  grad,
  jit,
  JitMismatchError,
  log,
  mean,
  mul,
  neg,
  softplus,
  square,
  toNumber,
  valueAndGrad,
  where,
  type Num,
} from "../../src/index.js";

type Model = { w: Num[]; b: Num };
const xs = [[0, 0], [1, 0], [0, 1], [1, 1], [0.2, 0.3], [0.9, 0.8], [0.6, 0.7], [0.1, 0.6]];
const ys = xs.map(([a, b]) => (a! + b! > 1 ? 1 : 0));

/** The fp-ts guide's training loop: 300 adam steps of `step`, returning the last loss. */
function train(step: (p: Model, xs: Num[][], ys: Num[]) => [number, { w: number[]; b: number }]): number {
  const opt = adam(0.1);
  let params = { w: [0, 0], b: 0 };
  let state = opt.init(params);
  let value = 0;
  for (let i = 0; i < 300; i++) {
    const [l, grads] = step(params, xs, ys);
    const [updates, next] = opt.update(grads, state, params);
    params = applyUpdates(params, updates);
    state = next;
    value = l;
  }
  return value;
}

// Type-checks although it is wrong under jit: TypeScript accepts `Num === number` (Num includes number).
const lossWithEquals = (p: Model, xs: Num[][], ys: Num[]) =>
  mean(xs.map((x, i) => {
    const logit = add(dot(p.w, x), p.b);
    return softplus(ys[i] === 1 ? neg(logit) : logit);
  }));

const lossWithWhere = (p: Model, xs: Num[][], ys: Num[]) =>
  mean(xs.map((x, i) => {
    const logit = add(dot(p.w, x), p.b);
    return softplus(where(eq(ys[i]!, 1), neg(logit), logit));
  }));

describe("jit's first-call check against f", () => {
  it("the fp-ts guide's loop with === on a traced label throws JitMismatchError at the first call", () => {
    const step = jit(valueAndGrad(lossWithEquals));
    expect(() => step({ w: [0, 0], b: 0 }, xs, ys)).toThrow(JitMismatchError);
    try {
      step({ w: [0, 0], b: 0 }, xs, ys);
    } catch (e) {
      const m = e as JitMismatchError;
      // The loss agrees at zero parameters (softplus(0) either way); the gradient does not.
      expect(m.path).toBe("[1].w[0]");
      expect(m.jitValue).not.toBeCloseTo(m.eagerValue!, 3);
      expect(m.message).toMatch(/disagree at output \[1\]\.w\[0\]/);
      expect(m.message).toMatch(/===, !==, \?:, if/);
      expect(m.message).toMatch(/where\/eq\/lt/);
      expect(m.message).toMatch(/staticArgnums/);
    }
  });

  it("the same loop written with where and eq trains the same model under jit as eagerly", () => {
    const eager = train(valueAndGrad(lossWithWhere));
    const compiled = train(jit(valueAndGrad(lossWithWhere)));
    expect(eager).toBeLessThan(0.1);
    expect(Math.abs(compiled - eager)).toBeLessThanOrEqual(1e-9 * eager);
    // …and so does the === version eagerly: the labels are plain numbers there.
    expect(Math.abs(train(valueAndGrad(lossWithEquals)) - eager)).toBeLessThanOrEqual(1e-12);
  });

  it("a mismatching graph is not cached: every call throws, none returns the wrong value", () => {
    let calls = 0;
    const f = jit((x: Num) => {
      calls++;
      return x === 3 ? mul(x, 10) : square(x);
    });
    expect(() => f(3)).toThrow(JitMismatchError);
    expect(() => f(3)).toThrow(/compiled 9, f itself gives 30/);
    expect(calls).toBe(4); // traced and run again each time
  });

  it("verify: false skips the check (and the extra call of f)", () => {
    let calls = 0;
    const f = jit(
      (x: Num) => {
        calls++;
        return x === 3 ? mul(x, 10) : square(x);
      },
      { verify: false },
    );
    expect(f(3)).toBe(9); // silently the staged branch: what the check exists to catch
    expect(calls).toBe(1);
  });

  it("verify must be a boolean", () => {
    expect(() => jit((x: Num) => x, { verify: "yes" as unknown as boolean })).toThrow(ChainruleError);
    expect(() => jit((x: Num) => x, { verify: "yes" as unknown as boolean })).toThrow(/verify must be true or false/);
  });

  it("checks once per new structure: later calls run only the compiled code", () => {
    let calls = 0;
    const f = jit((x: Num[]) => {
      calls++;
      return mean(x.map((v) => square(v)));
    });
    expect(f([1, 2])).toBe(2.5);
    expect(calls).toBe(2);
    expect(f([3, 4])).toBe(12.5);
    expect(f([5, 6])).toBe(30.5);
    expect(calls).toBe(2);
    expect(f([1, 2, 3])).toBeCloseTo(14 / 3, 12); // a new structure: traced and checked
    expect(calls).toBe(4);
  });

  it("a call with traced arguments is not checked; the first later call with numbers is", () => {
    let calls = 0;
    const f = jit((x: Num) => {
      calls++;
      return x === 3 ? mul(x, 10) : square(x);
    });
    expect(grad(f)(3)).toBe(6); // inside grad: the graph is replayed, f is not run on numbers
    expect(calls).toBe(1);
    expect(() => f(3)).toThrow(JitMismatchError);
  });

  it("an entry made by lower() is checked at its first call", () => {
    const f = jit((x: Num) => (x === 3 ? mul(x, 10) : square(x)));
    expect(f.lower(3).strategy).toBe("compiled");
    expect(() => f(3)).toThrow(JitMismatchError);
  });

  it("a differently shaped output is a JitMismatchError naming the path", () => {
    const f = jit((x: Num) => (x === 3 ? [x, x] : [x]) as Num[]);
    expect(() => f(3)).toThrow(JitMismatchError);
    expect(() => f(3)).toThrow(/differently shaped outputs.*expected an array of length 1.*got an array of length 2/s);
  });

  it("NaN equals NaN, and values equal up to rounding pass", () => {
    const f = jit((x: Num) => [log(neg(x)), mul(x, 1 / 3), add(mul(x, 0.1), mul(x, 0.2))]);
    const out = f(2);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(2 / 3);
    expect(out[2]).toBeCloseTo(0.6, 14);
  });

  it("when f itself throws on the numbers, the jitted call throws that error", () => {
    class Refused extends Error {}
    const f = jit((x: Num) => {
      if (typeof x === "number") throw new Refused("no numbers please");
      return x;
    });
    expect(() => f(1)).toThrow(Refused);
    expect(() => f(1)).toThrow(Refused); // not cached after failing
  });
});

describe("the retrace warning", () => {
  afterEach(() => vi.restoreAllMocks());

  it("warns once, naming the static argument whose value keeps changing", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = jit((x: Num, k: number) => mul(x, k), { staticArgnums: 1 });
    for (let k = 0; k < 8; k++) expect(f(2, k)).toBe(2 * k);
    expect(warn).not.toHaveBeenCalled(); // 8 graphs: not yet
    expect(f(2, 8)).toBe(16);
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]![0]);
    expect(message).toMatch(/^chainrule: /);
    expect(message).toMatch(/9 times/);
    expect(message).toMatch(/static argument 1/);
    expect(message).toMatch(/type it Num/);
    for (let k = 9; k < 30; k++) f(2, k);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("does not warn for a static argument that takes a few values again and again", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = jit((x: Num, mode: string) => (mode === "double" ? mul(x, 2) : neg(x)), { staticArgnums: 1 });
    for (let i = 0; i < 50; i++) expect(f(3, i % 2 === 0 ? "double" : "negate")).toBe(i % 2 === 0 ? 6 : -3);
    expect(warn).not.toHaveBeenCalled();
  });

  it("does not warn for new argument structures (those are not static values)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = jit((x: Num[]) => mean(x));
    for (let n = 1; n < 20; n++) f(Array.from({ length: n }, () => 1));
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("ConcretizationError names the argument", () => {
  it("a JavaScript operator on a traced argument leaf names its path and says what to do", () => {
    const f = jit((p: Model, y: Num[]) => mul(p.b, -(y[3] as number)));
    expect(() => f({ w: [1], b: 2 }, [1, 2, 3, 4])).toThrow(ConcretizationError);
    expect(() => f({ w: [1], b: 2 }, [1, 2, 3, 4])).toThrow(/jit's argument args\[1\]\[3\]/);
    expect(() => f({ w: [1], b: 2 }, [1, 2, 3, 4])).toThrow(/if it is data, type it Num and select with where\(cond, a, b\) and eq\/lt.*or mark it static with staticArgnums/i);
  });

  it("toNumber on a traced argument leaf names it too (one argument: the path inside it)", () => {
    const f = jit((y: { labels: Num[] }) => (toNumber(y.labels[1]!) > 0 ? 1 : 0));
    expect(() => f({ labels: [0, 1] })).toThrow(ConcretizationError);
    expect(() => f({ labels: [0, 1] })).toThrow(/jit's argument labels\[1\] is abstract.*if it is data, type it Num/);
  });

  it("a computed value is not named as an argument", () => {
    const f = jit((x: Num) => ((mul(x, 2) as number) > 0 ? x : neg(x)));
    expect(() => f(1)).toThrow(ConcretizationError);
    expect(() => f(1)).not.toThrow(/argument/);
  });
});

describe("Math functions on a traced value", () => {
  it("Math.sin under jit says to use sin, not that an operator was misused", () => {
    const f = jit((x: Num) => Math.sin(x as number));
    expect(() => f(1)).toThrow(ConcretizationError);
    expect(() => f(1)).toThrow(/Math\.sin was called on a traced Num \(inside jit\).*use chainrule's sin instead/i);
    expect(() => f(1)).not.toThrow(/operator/);
  });

  it("Math.sin under grad is a ChainruleError saying the same", () => {
    expect(() => grad((x: Num) => Math.sin(x as number))(1)).toThrow(ChainruleError);
    expect(() => grad((x: Num) => Math.sin(x as number))(1)).toThrow(/Math\.sin was called.*use chainrule's sin instead/i);
  });

  it("every Math function named as having a chainrule equivalent has one, and the others get the general advice", () => {
    const names = Object.getOwnPropertyNames(Math).filter((n) => typeof (Math as unknown as Record<string, unknown>)[n] === "function");
    let suggested = 0;
    for (const name of names) {
      if (name === "random") continue; // takes no arguments
      const call = (Math as unknown as Record<string, (...a: unknown[]) => number>)[name]!;
      let message = "";
      try {
        grad((x: Num) => call(x, x))(0.5);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain(`Math.${name} was called on a traced Num`);
      const m = /use chainrule's (\w+) instead/i.exec(message);
      if (m !== null) {
        suggested++;
        expect(m[1]).toBe(name);
        expect(typeof (chainrule as Record<string, unknown>)[name]).toBe("function");
      } else {
        expect(name in chainrule).toBe(false);
        expect(message).toMatch(/use chainrule's primitives/i);
      }
    }
    expect(suggested).toBeGreaterThan(20);
  });

  it("an operator is still reported as an operator", () => {
    expect(() => jit((x: Num) => (x as number) * 2)(1)).toThrow(/JavaScript operator/);
  });
});
