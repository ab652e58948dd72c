// NaN-safe selection: the branch where(...) discards never turns a derivative into NaN, at first
// and second order, in reverse and forward mode, with concrete, traced and staged conditions.
import { describe, expect, it } from "vitest";
import {
  add,
  div,
  eq,
  grad,
  gt,
  hessian,
  jacfwd,
  jacrev,
  jvp,
  log,
  lt,
  makeGraph,
  mul,
  sin,
  sqrt,
  sub,
  where,
  type Num,
} from "../src/index.js";
// The interpreter `jit` falls back to: re-binds every equation of a staged graph.
import { evaluate } from "../src/core/graph.js";

type Scalar = (x: Num) => Num;

/** First and second derivatives of f at x, by every route. */
function derivatives(f: Scalar, x: number): { first: Record<string, number>; second: Record<string, number> } {
  return {
    first: {
      grad: grad(f)(x),
      jvp: jvp(f, [x], [1])[1],
      jacfwd: jacfwd(f)(x),
      jacrev: jacrev(f)(x),
    },
    second: {
      "grad∘grad": grad(grad(f))(x),
      "jvp∘grad": jvp(grad(f), [x], [1])[1],
      "grad∘jvp": grad((y: Num) => jvp(f, [y], [1])[1])(x),
      "jvp∘jvp": jvp((y: Num) => jvp(f, [y], [1])[1], [x], [1])[1],
      hessian: hessian(f)(x),
    },
  };
}

function expectAll(values: Record<string, number>, expected: number): void {
  for (const [route, v] of Object.entries(values)) {
    expect(Number.isNaN(v), `${route} is NaN`).toBe(false);
    expect(v, route).toBeCloseTo(expected, 12);
  }
}

describe("the discarded branch cannot make a derivative NaN", () => {
  it("where(x > 0, √x, 0) at −1 is 0 at first and second order, both modes (the guides' example)", () => {
    const f = (x: Num) => where(gt(x, 0), sqrt(x), 0);
    expect(grad(f)(-1)).toBe(0);
    const { first, second } = derivatives(f, -1);
    expectAll(first, 0);
    expectAll(second, 0);
    // ...and the selected branch is differentiated normally: ½x^-½, −¼x^-3/2 at 4.
    const at4 = derivatives(f, 4);
    expectAll(at4.first, 0.25);
    expectAll(at4.second, -1 / 32);
  });

  it("log in the unselected branch, at a negative input and at 0 (log 0 = −∞, its derivative ∞)", () => {
    const f = (x: Num) => where(gt(x, 0), log(x), 0);
    for (const x of [-2, 0]) {
      const { first, second } = derivatives(f, x);
      expectAll(first, 0);
      expectAll(second, 0);
    }
    const at2 = derivatives(f, 2);
    expectAll(at2.first, 0.5);
    expectAll(at2.second, -0.25);
  });

  it("x·log x, defined as 0 at 0", () => {
    const f = (x: Num) => where(gt(x, 0), mul(x, log(x)), 0);
    const { first, second } = derivatives(f, 0);
    expectAll(first, 0);
    expectAll(second, 0);
    const at = derivatives(f, Math.E);
    expectAll(at.first, 2); // log x + 1
    expectAll(at.second, 1 / Math.E); // 1/x
  });

  it("division by zero in the unselected branch: sinc(x) = sin(x)/x, 1 at 0", () => {
    const sinc = (x: Num) => where(eq(x, 0), 1, div(sin(x), x));
    const { first, second } = derivatives(sinc, 0);
    expectAll(first, 0);
    expectAll(second, 0); // the constant branch is selected at 0
    // Away from 0: sinc'(x) = (x cos x − sin x)/x², sinc''(x) = −sin x/x − 2cos x/x² + 2 sin x/x³
    const x = 0.7;
    const d1 = (x * Math.cos(x) - Math.sin(x)) / (x * x);
    const d2 = -Math.sin(x) / x - (2 * Math.cos(x)) / (x * x) + (2 * Math.sin(x)) / (x * x * x);
    const at = derivatives(sinc, x);
    expectAll(at.first, d1);
    expectAll(at.second, d2);
  });

  it("nested where: √(x(1−x)) on (0, 1), log(x − 1) above 1, 0 below 0", () => {
    const f = (x: Num) => where(lt(x, 0), 0, where(lt(x, 1), sqrt(mul(x, sub(1, x))), log(sub(x, 1))));
    // At −1 and at 1.5 the other branches compute NaN (√ of a negative, log of a negative).
    const below = derivatives(f, -1);
    expectAll(below.first, 0);
    expectAll(below.second, 0);
    const above = derivatives(f, 3);
    expectAll(above.first, 0.5); // 1/(x−1)
    expectAll(above.second, -0.25); // −1/(x−1)²
    const inside = derivatives(f, 0.5); // d/dx √(x − x²) = (1 − 2x)/(2√(x − x²)) = 0 at ½; second: −1/(4(x−x²)^{3/2}) − ... = −2
    expectAll(inside.first, 0);
    expectAll(inside.second, -2);
  });

  it("several variables: the gradient of the discarded branch's inputs is 0, not NaN", () => {
    const f = (x: Num[]) => where(gt(x[0]!, x[1]!), sqrt(sub(x[0]!, x[1]!)), mul(x[0]!, x[1]!));
    expect(grad(f)([1, 4])).toEqual([4, 1]);
    expect(hessian(f)([1, 4])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it("a traced condition (itself differentiated) behaves the same", () => {
    const f = (x: Num, c: Num) => where(c, sqrt(x), 0);
    expect(grad(f, { argnums: [0, 1] })(-1, 0)).toEqual([0, 0]);
    expect(grad(f, { argnums: [0, 1] })(4, 1)).toEqual([0.25, 0]);
    expect(jvp(f, [-1, 0], [1, 1])[1]).toBe(0);
    expect(grad(grad(f))(-1, 0)).toBe(0);
  });
});

describe("with an abstract condition (staged, as under jit): a zero cotangent contributes zero", () => {
  const f = (x: Num) => where(gt(x, 0), sqrt(x), 0);
  const g = (x: Num) => where(gt(x, 0), log(x), div(1, x)); // both branches blow up somewhere
  const run = (h: (x: Num) => Num, x: number) => {
    const staged = makeGraph(h)(1); // traced at 1, evaluated elsewhere: no re-tracing
    return evaluate(staged, [x]).get(staged.outputs[0]!);
  };
  it("first and second order, reverse and forward, at points where the other branch is NaN", () => {
    for (const h of [grad(f), grad(grad(f)), (x: Num) => jvp(f, [x], [1])[1], (x: Num) => jvp(grad(f), [x], [1])[1]]) {
      expect(run(h, -1)).toBe(0);
    }
    expect(run(grad(f), 4)).toBeCloseTo(0.25, 15);
    expect(run(grad(grad(f)), 4)).toBeCloseTo(-1 / 32, 15);
    expect(run(grad(g), 0)).toBe(-Infinity); // 1/x's derivative −1/x² at 0: selected, so it shows
    expect(run(grad(g), 2)).toBe(0.5);
    expect(run(grad(grad(g)), -1)).toBe(-2); // 2/x³; log's NaN rule is discarded
  });

  it("every route to order 3 gives the eager result, for every function above", () => {
    const fns: [string, Scalar, number[]][] = [
      ["√", f, [-1, 4]],
      ["log", (x) => where(gt(x, 0), log(x), 0), [-2, 0, 2]],
      ["x log x", (x) => where(gt(x, 0), mul(x, log(x)), 0), [0, Math.E]],
      ["sinc", (x) => where(eq(x, 0), 1, div(sin(x), x)), [0, 0.7]],
      ["nested", (x) => where(lt(x, 0), 0, where(lt(x, 1), sqrt(mul(x, sub(1, x))), log(sub(x, 1)))), [-1, 0.5, 3]],
    ];
    const fwd = (h: Scalar): Scalar => (x) => jvp(h, [x], [1])[1];
    const routes: [string, (h: Scalar) => Scalar][] = [
      ["grad", (h) => grad(h)],
      ["jvp", fwd],
      ["grad∘grad", (h) => grad(grad(h))],
      ["jvp∘grad", (h) => fwd(grad(h))],
      ["grad∘jvp", (h) => grad(fwd(h))],
      ["jvp∘jvp", (h) => fwd(fwd(h))],
      ["grad∘grad∘grad", (h) => grad(grad(grad(h)))],
      ["jvp∘grad∘grad", (h) => fwd(grad(grad(h)))],
    ];
    for (const [name, h, xs] of fns) {
      for (const [route, d] of routes) {
        for (const x of xs) {
          const eager = d(h)(x) as number;
          const staged = run(d(h), x);
          expect(Number.isNaN(staged), `${route} of ${name} at ${x}`).toBe(false);
          expect(staged, `${route} of ${name} at ${x}`).toBeCloseTo(eager, 12);
        }
      }
    }
  });
});

describe("the limit of the guarantee", () => {
  it("a NaN in the selected branch still shows", () => {
    expect(grad((x: Num) => where(lt(x, 0), sqrt(x), 0))(-1)).toBeNaN();
    expect(grad((x: Num) => sqrt(x))(-1)).toBeNaN();
  });
  it("add does not select: the NaN of √ at −1 reaches the result as in plain arithmetic", () => {
    expect(grad((x: Num) => add(x, sqrt(x)))(-1)).toBeNaN();
  });
});
