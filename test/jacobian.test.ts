// jacfwd, jacrev, hessian, hvp: closed forms on trees, jacfwd = jacrev, hvp = hessian · v.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  cos,
  div,
  exp,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jvp,
  log,
  mul,
  NonScalarOutputError,
  sin,
  sqrt,
  square,
  sum,
  tanh,
  TreeStructureError,
  type Num,
} from "../src/index.js";
import { expectClose } from "./support/expect-close.js";

const matVec = (m: number[][], v: number[]) => m.map((row) => row.reduce((s, mij, j) => s + mij * v[j]!, 0));

describe("jacfwd and jacrev: closed forms", () => {
  // f(x) = [x0 x1, sin x0, x0 e^x1]
  const f = (x: Num[]) => [mul(x[0]!, x[1]!), sin(x[0]!), mul(x[0]!, exp(x[1]!))];
  const J = ([a, b]: number[]) => [
    [b!, a!],
    [Math.cos(a!), 0],
    [Math.exp(b!), a! * Math.exp(b!)],
  ];

  it("vector in, vector out: number[][], row i = output i", () => {
    for (const x of [[2, 3], [-0.5, 0.25], [0, 0]]) {
      expectClose(jacfwd(f)(x), J(x));
      expectClose(jacrev(f)(x), J(x));
    }
  });

  it("records in and out: each output leaf becomes an input-shaped tree", () => {
    const g = (p: { a: Num; b: Num }) => ({ s: add(p.a, p.b), m: mul(p.a, p.b), q: [square(p.a), mul(p.b, square(p.b))] });
    const p = { a: 1.5, b: -2 };
    const expected = {
      s: { a: 1, b: 1 },
      m: { a: p.b, b: p.a },
      q: [
        { a: 2 * p.a, b: 0 },
        { a: 0, b: 3 * p.b * p.b },
      ],
    };
    expectClose(jacfwd(g)(p), expected);
    expectClose(jacrev(g)(p), expected);
  });

  it("a scalar output gives the gradient", () => {
    const h = (x: Num[]) => add(mul(x[0]!, x[0]!), mul(3, x[1]!));
    expectClose(jacfwd(h)([2, 5]), [4, 3]);
    expectClose(jacrev(h)([2, 5]), [4, 3]);
    expectClose(jacrev(h)([2, 5]), grad(h)([2, 5]));
  });

  it("argnums as a number and as an array; other arguments pass through untouched", () => {
    const cfg = { scale: 2, name: "not a tree" };
    const g = (a: Num, b: Num[], c: typeof cfg) => [mul(a, b[0]!), div(b[1]!, a), mul(c.scale, a)];
    const a = 2;
    const b = [3, 5];
    const byB = [[a, 0], [0, 1 / a], [0, 0]];
    const byA = [b[0]!, -b[1]! / (a * a), cfg.scale];
    expectClose(jacfwd(g, { argnums: 1 })(a, b, cfg), byB);
    expectClose(jacrev(g, { argnums: 1 })(a, b, cfg), byB);
    const both = byA.map((da, i) => [da, byB[i]]);
    expectClose(jacfwd(g, { argnums: [0, 1] })(a, b, cfg), both);
    expectClose(jacrev(g, { argnums: [0, 1] })(a, b, cfg), both);
    // In the order given.
    expectClose(
      jacrev(g, { argnums: [1, 0] })(a, b, cfg),
      byA.map((da, i) => [byB[i], da]),
    );
  });

  it("hasAux returns [jacobian, aux] with the aux's Num leaves as numbers", () => {
    const g = (x: Num[]) => [[mul(x[0]!, x[1]!)], { norm: sqrt(add(square(x[0]!), square(x[1]!))), tag: "t" }] as const;
    for (const jac of [jacfwd, jacrev]) {
      const [j, aux] = jac(g, { hasAux: true })([3, 4]);
      expectClose(j, [[4, 3]]);
      expect(aux).toEqual({ norm: 5, tag: "t" });
    }
  });

  it("outputs that do not depend on the input have zero rows", () => {
    const g = (x: Num[]) => [7, sin(x[0]!), exp(1)];
    const expected = [[0, 0], [Math.cos(0.3), 0], [0, 0]];
    expectClose(jacfwd(g)([0.3, 0.4]), expected);
    expectClose(jacrev(g)([0.3, 0.4]), expected);
  });

  it("an input without leaves gives empty rows in the output's structure", () => {
    const g = (_x: Num[]) => ({ a: 1, b: [2, 3] });
    expect(jacfwd(g)([])).toEqual({ a: [], b: [[], []] });
    expect(jacrev(g)([])).toEqual({ a: [], b: [[], []] });
  });

  it("jacfwd = jacrev on random inputs (a function with fan-out and mixed ops)", () => {
    const g = (p: { w: Num[]; b: Num }) => {
      const z = add(mul(p.w[0]!, p.w[1]!), p.b);
      return { y: [tanh(z), mul(sin(p.w[2]!), z)], r: div(square(p.b), add(2, cos(z))) };
    };
    const num = fc.double({ min: -3, max: 3, noNaN: true });
    fc.assert(
      fc.property(fc.array(num, { minLength: 3, maxLength: 3 }), num, (w, b) => {
        expectClose(jacfwd(g)({ w, b }), jacrev(g)({ w, b }), 11);
      }),
      { numRuns: 50 },
    );
  });
});

describe("hessian", () => {
  // f(x) = x0² x1 + sin(x0 x1)
  const f = (x: Num[]) => add(mul(square(x[0]!), x[1]!), sin(mul(x[0]!, x[1]!)));
  const H = ([a, b]: number[]) => {
    const s = Math.sin(a! * b!);
    const c = Math.cos(a! * b!);
    return [
      [2 * b! - b! * b! * s, 2 * a! + c - a! * b! * s],
      [2 * a! + c - a! * b! * s, -a! * a! * s],
    ];
  };

  it("of a scalar function of a vector is number[][] with H[i][j] = ∂²f/∂xi∂xj", () => {
    for (const x of [[1, 2], [-0.7, 0.3], [0, 0]]) expectClose(hessian(f)(x), H(x));
  });

  it("equals jacfwd(jacrev(f)), jacrev(jacrev(f)), jacfwd(jacfwd(f)) and jacrev(jacfwd(f))", () => {
    const x = [0.4, -1.3];
    const h = hessian(f)(x);
    expectClose(jacfwd(jacrev(f))(x), h);
    expectClose(jacrev(jacrev(f))(x), h);
    expectClose(jacfwd(jacfwd(f))(x), h);
    expectClose(jacrev(jacfwd(f))(x), h);
  });

  it("of a scalar function of a record has the nested record layout", () => {
    const g = (p: { a: Num; b: Num }) => mul(exp(p.a), square(p.b));
    const a = 0.5;
    const b = 3;
    const e = Math.exp(a);
    expectClose(hessian(g)({ a, b }), {
      a: { a: e * b * b, b: 2 * b * e },
      b: { a: 2 * b * e, b: 2 * e },
    });
  });

  it("with argnums as an array gives the blocks ∂²f/∂xi∂xj", () => {
    const g = (x: Num, y: Num[]) => mul(square(x), sum(y.map(square)));
    const x = 2;
    const y = [1, 3];
    const sy = y[0]! ** 2 + y[1]! ** 2;
    const h = hessian(g, { argnums: [0, 1] })(x, y);
    expectClose(h, [
      [2 * sy, [4 * x * y[0]!, 4 * x * y[1]!]],
      [
        [4 * x * y[0]!, [2 * x * x, 0]],
        [4 * x * y[1]!, [0, 2 * x * x]],
      ],
    ]);
  });

  it("of a scalar function of a scalar is the second derivative", () => {
    expect(hessian((x: Num) => mul(x, mul(x, x)))(2)).toBe(12);
  });

  it("with hasAux", () => {
    const [h, aux] = hessian((x: Num[]) => [mul(square(x[0]!), x[1]!), { v: x[0]! }] as const, { hasAux: true })([2, 3]);
    expectClose(h, [[6, 4], [4, 0]]);
    expect(aux).toEqual({ v: 2 });
  });
});

describe("hvp", () => {
  const f = (x: Num[]) => add(mul(square(x[0]!), x[1]!), mul(log(add(2, square(x[2]!))), x[1]!));

  it("equals hessian · v on random points and directions", () => {
    const num = fc.double({ min: -2, max: 2, noNaN: true });
    const vec = fc.array(num, { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(vec, vec, (x, v) => {
        expectClose(hvp(f)(x, v), matVec(hessian(f)(x), v), 11);
      }),
      { numRuns: 50 },
    );
  });

  it("works on record trees and passes extra arguments to f", () => {
    const loss = (p: { w: Num[]; b: Num }, data: number[], k: number) =>
      mul(k, square(add(add(mul(p.w[0]!, data[0]!), mul(p.w[1]!, data[1]!)), square(p.b))));
    const p = { w: [0.5, -1], b: 2 };
    const v = { w: [1, 2], b: -1 };
    const data = [3, 4];
    // Closed form: loss = k r², r = w·d + b²; H = 2k (∇r ∇rᵀ + r ∇²r), ∇r = [d0, d1, 2b], ∇²r = diag(0, 0, 2).
    const k = 1.5;
    const r = p.w[0]! * data[0]! + p.w[1]! * data[1]! + p.b * p.b;
    const gr = [data[0]!, data[1]!, 2 * p.b];
    const vf = [v.w[0]!, v.w[1]!, v.b];
    const grv = gr.reduce((s, g, i) => s + g * vf[i]!, 0);
    const hv = gr.map((g, i) => 2 * k * (g * grv + (i === 2 ? r * 2 * vf[2]! : 0)));
    expectClose(hvp(loss)(p, v, data, k), { w: [hv[0]!, hv[1]!], b: hv[2]! });
  });

  it("is the jvp of the gradient", () => {
    const x = [0.3, 1.1, -0.8];
    const v = [1, -2, 0.5];
    expectClose(hvp(f)(x, v), jvp(grad(f), [x], [v])[1]);
  });

  it("is differentiable in its direction (d/dv ⟨w, Hv⟩ = Hw) and in x (third derivatives)", () => {
    const x = [0.3, -1.2, 0.8];
    const w = [1, 2, -1];
    const dot3 = (a: Num[], b: number[]) => add(add(mul(a[0]!, b[0]!), mul(a[1]!, b[1]!)), mul(a[2]!, b[2]!));
    expectClose(grad((v: Num[]) => dot3(hvp(f)(x, v), w))([0.5, 0.5, 0.5]), matVec(hessian(f)(x), w));
    // f = x0² x1 + x1 log(2 + x2²): ∂/∂x1 of (H e0)_0 = ∂/∂x1 (2 x1) = 2
    expect(grad((y: Num) => hvp(f)([0.3, y, 0.8], [1, 0, 0])[0]!)(-1.2)).toBeCloseTo(2, 12);
  });

  it("rejects a direction of another shape, naming the path", () => {
    expect(() => hvp(f)([1, 2, 3], [1, 2] as never)).toThrow(TreeStructureError);
    expect(() => hvp((p: { a: Num }) => square(p.a))({ a: 1 }, { b: 1 } as never)).toThrow(/v\.a|v\.b/);
  });
});

describe("nesting with other transforms", () => {
  it("grad of a function that uses jacrev and jacfwd inside", () => {
    // s(x) = Σ_i ∂/∂x (x^i) for i = 1..3 at scalar x = 1 + 2x + 3x²; s' = 2 + 6x
    const powers = (x: Num) => [x, square(x), mul(x, square(x))];
    const s = (x: Num) => sum(jacrev(powers)(x) as Num[]);
    const t = (x: Num) => sum(jacfwd(powers)(x) as Num[]);
    expect(grad(s)(2)).toBeCloseTo(14, 12);
    expect(grad(t)(2)).toBeCloseTo(14, 12);
    expect(grad(grad(s))(2)).toBeCloseTo(6, 12);
  });

  it("jacobians see a closed-over outer tracer as a constant (no perturbation confusion)", () => {
    // d/dy [ J_x (x·y) at x = 1 ] = d/dy y = 1
    const outer = (y: Num) => jacrev((x: Num) => mul(x, y))(1) as unknown as Num;
    expect(grad(outer)(5)).toBe(1);
    const outerF = (y: Num) => jacfwd((x: Num) => mul(mul(x, x), y))(3) as unknown as Num;
    expect(grad(outerF)(5)).toBe(6);
  });
});

describe("errors", () => {
  it("argnums out of range or negative", () => {
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expect(() => jacfwd((x: Num) => x, { argnums: 2 })(1)).toThrow(ChainruleError);
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expect(() => jacrev((x: Num) => x, { argnums: -1 })(1)).toThrow(/negative/);
  });
  it("a differentiated argument that is not a tree names its path", () => {
    expect(() => jacrev((p: { a: Num }) => p.a)({ a: "x" as never })).toThrow(/a/);
    expect(() => jacfwd((p: { a: Num }) => p.a)({ a: "x" as never })).toThrow(TreeStructureError);
  });
  it("an output that is not a tree", () => {
    expect(() => jacrev((x: Num) => ({ y: x, s: "no" }) as never)(1)).toThrow(TreeStructureError);
    expect(() => jacfwd((x: Num) => ({ y: x, s: "no" }) as never)(1)).toThrow(/s/);
  });
  it("hvp needs a scalar function", () => {
    expect(() => hvp((x: Num[]) => x as unknown as Num)([1], [1])).toThrow(NonScalarOutputError);
  });
});
