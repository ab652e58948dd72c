// The eager backward pass's shortcuts: built-ins with a numeric partial (`partialNum`) skip their
// rule there, so each must give exactly what the rule gives on numbers, and a whole gradient
// must come out the same as through the general loop (the one debugNans runs).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, cos, div, exp, grad, log, mul, neg, sin, sqrt, square, sub, tanh, valueAndGrad, type Num } from "../src/index.js";
import { ALL_PARTIALS, primitiveById, primitiveCount, type Primitive } from "../src/core/primitive.js";
import { nanWatch } from "../src/core/eval.js";

const SEED = 20261204;

const withNumericPartials: Primitive[] = [];
for (let id = 0; id < primitiveCount(); id++) {
  const p = primitiveById(id);
  if (p.partialNum !== undefined) withNumericPartials.push(p);
}

describe("partialNum", () => {
  it("is given by the built-ins of the common eager gradients", () => {
    const names = withNumericPartials.map((p) => p.name).sort();
    expect(names).toEqual(["add", "cos", "div", "exp", "log", "mul", "neg", "sin", "sqrt", "square", "sub", "tanh"]);
    for (const p of withNumericPartials) {
      expect(p.builtin).toBe(true);
      expect([1, 2]).toContain(p.arity);
    }
  });

  for (const p of withNumericPartials) {
    it(`${p.name}: equals its partials rule on numbers, bit for bit (NaN, ±Infinity, -0 included)`, () => {
      const rule = p.rule;
      if (rule === "zero" || rule.partials === undefined) throw new Error(`${p.name} has no partials rule`);
      const partials = rule.partials;
      fc.assert(
        fc.property(fc.double(), fc.double(), (x, y) => {
          const xs = p.arity === 1 ? [x] : [x, y];
          const out = p.arity === 1 ? p.impl(x) : p.impl(x, y);
          const d = partials(xs, out, undefined, ALL_PARTIALS);
          for (let j = 0; j < p.arity; j++) {
            const got = p.partialNum!(j, x, p.arity === 1 ? 0 : y, out);
            if (!Object.is(got, d[j])) throw new Error(`${p.name} ∂${j} at (${xs.join(", ")}): ${got} vs ${String(d[j])}`);
          }
        }),
        { seed: SEED, numRuns: 500 },
      );
    });
  }
});

/** `f`'s value and gradient with the general backward loop (a no-op debugNans hook forces it). */
function throughGeneralLoop<T>(run: () => T): T {
  const saved = nanWatch.hook;
  nanWatch.hook = () => {};
  try {
    return run();
  } finally {
    nanWatch.hook = saved;
  }
}

describe("the eager backward pass", () => {
  // Every primitive with a numeric partial, with constants on either side and fan-out (x used twice).
  const f = (x: Num[]) => {
    let s: Num = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i]!;
      const b = x[i + 1]!;
      const t = add(mul(a, b), sub(2, square(a)));
      const u = div(sin(a), add(1.5, exp(neg(square(b)))));
      const w = mul(tanh(b), cos(a));
      const q = sub(log(add(1, square(b))), div(3, add(2, sqrt(add(1, square(a))))));
      s = add(s, add(mul(t, u), add(mul(w, 0.5), mul(q, mul(a, a)))));
    }
    return s;
  };

  it("gives the same value and gradient as the general loop, bit for bit, on random inputs", () => {
    const vg = valueAndGrad(f);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 40 }), (x) => {
        const fast = vg(x);
        const general = throughGeneralLoop(() => vg(x));
        expect(fast[0]).toBe(general[0]);
        expect(fast[1].length).toBe(x.length);
        for (let i = 0; i < x.length; i++) expect(Object.is(fast[1][i], general[1][i])).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("matches the closed form of Rosenbrock's gradient", () => {
    const rosenbrock = (x: Num[]) => {
      let s: Num = 0;
      for (let i = 0; i + 1 < x.length; i++) s = add(s, add(mul(100, square(sub(x[i + 1]!, square(x[i]!)))), square(sub(1, x[i]!))));
      return s;
    };
    const x = [-1.2, 1, 0.5, 2, -0.3];
    const want = x.map(() => 0);
    for (let i = 0; i + 1 < x.length; i++) {
      const t = x[i + 1]! - x[i]! * x[i]!;
      want[i]! += -400 * t * x[i]! - 2 * (1 - x[i]!);
      want[i + 1]! += 200 * t;
    }
    const g = grad(rosenbrock)(x);
    g.forEach((gi, i) => expect(gi).toBeCloseTo(want[i]!, 10));
  });
});
