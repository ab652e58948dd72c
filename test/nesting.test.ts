// Nested transforms: perturbation confusion, higher orders, and every pairing of grad, jvp
// and vjp, checked against closed forms computed by hand.
import { describe, expect, it } from "vitest";
import { add, cos, exp, grad, jvp, mul, sin, square, sub, valueAndGrad, vjp, type Num } from "../src/index.js";

/** A derivative operator: the derivative of a scalar function of one variable at `at`. */
type D = (f: (x: Num) => Num, at: Num) => Num;
const byGrad: D = (f, at) => grad(f)(at);
const byJvp: D = (f, at) => jvp(f, [at], [1])[1];
const byVjp: D = (f, at) => vjp(f, at)[1](1)[0];
const operators: [string, D][] = [
  ["grad", byGrad],
  ["jvp", byJvp],
  ["vjp", byVjp],
];

const closeTo = (actual: number, expected: number, rtol = 1e-13): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
};

describe("perturbation confusion (Siskind & Pearlmutter)", () => {
  const points: [number, number][] = [
    [1, 1],
    [2, -3],
    [-0.5, 7],
    [0, 0],
  ];

  it("d/dx [x · d/dy (x + y)] = 1 with grad inside grad", () => {
    for (const [x0, y0] of points) {
      expect(grad((x: Num) => mul(x, grad((y: Num) => add(x, y))(y0)))(x0)).toBe(1);
    }
  });

  it("the classic form D(λx. x · D(λy. x + y)(1))(1) = 1, and with the inner derivative taken at x itself", () => {
    expect(grad((x: Num) => mul(x, grad((y: Num) => add(x, y))(1)))(1)).toBe(1);
    for (const [x0] of points) {
      // The inner function closes over x and is evaluated at x: still 1 (a confused
      // implementation counts x's perturbation in the inner derivative and answers 2).
      expect(grad((x: Num) => mul(x, grad((y: Num) => add(x, y))(x)))(x0)).toBe(1);
    }
  });

  it("every pairing of grad, jvp and vjp, outside and inside", () => {
    for (const [outerName, outer] of operators) {
      for (const [innerName, inner] of operators) {
        for (const [x0, y0] of points) {
          const v = outer((x) => mul(x, inner((y) => add(x, y), y0)), x0);
          expect(v, `${outerName} outside, ${innerName} inside at (${x0}, ${y0})`).toBe(1);
        }
      }
    }
  });

  it("d/dx [x · d/dy (x · y)] at y = x is 2x (4x if the levels were confused)", () => {
    for (const [outerName, outer] of operators) {
      for (const [innerName, inner] of operators) {
        for (const [x0] of points) {
          const v = outer((x) => mul(x, inner((y) => mul(x, y), x)), x0);
          expect(v, `${outerName} outside, ${innerName} inside at ${x0}`).toBe(2 * x0);
        }
      }
    }
  });

  it("three levels, each closing over the ones outside it, in all 27 combinations", () => {
    // h(x, y) = d/dz (x·y·z) = x·y;  g(x) = d/dy [y · h(x, y)] at y0 = 2·x·y0;
    // f(x) = x · g(x) = 2·x²·y0;  f'(x) = 4·x·y0.
    const [x0, y0, z0] = [1.5, -0.5, 3];
    for (const [n1, d1] of operators) {
      for (const [n2, d2] of operators) {
        for (const [n3, d3] of operators) {
          const f = (x: Num) => mul(x, d2((y) => mul(y, d3((z) => mul(mul(x, y), z), z0)), y0));
          expect(d1(f, x0), `${n1} ∘ ${n2} ∘ ${n3}`).toBe(4 * x0 * y0);
        }
      }
    }
  });

  it("an inner transform whose output is only an outer value, or a constant", () => {
    // d/dy x = 0, so the outer function is constant: 0.
    expect(grad((x: Num) => grad((_y: Num) => x)(1))(2)).toBe(0);
    expect(grad((x: Num) => jvp((_y: Num) => x, [1], [1])[1])(2)).toBe(0);
    // The inner value passes the outer perturbation through: d/dx (x · 3) = 3.
    expect(grad((x: Num) => valueAndGrad((y: Num) => mul(x, y))(3)[0])(2)).toBe(3);
    expect(grad((x: Num) => jvp((y: Num) => mul(x, y), [3], [1])[0])(2)).toBe(3);
    expect(grad((x: Num) => vjp((y: Num) => mul(x, y), 3)[0])(2)).toBe(3);
    // An inner transform of a function that ignores everything: 0 everywhere.
    expect(grad((x: Num) => mul(x, grad((_y: Num) => 5)(x)))(2)).toBe(0);
  });
});

describe("higher orders against closed forms", () => {
  // f = sin(x)·eˣ: f' = eˣ(sin + cos), f'' = 2eˣ cos, f''' = 2eˣ(cos − sin), f'''' = −4eˣ sin.
  const f = (x: Num) => mul(sin(x), exp(x));
  const d = [
    (x: number) => Math.exp(x) * (Math.sin(x) + Math.cos(x)),
    (x: number) => 2 * Math.exp(x) * Math.cos(x),
    (x: number) => 2 * Math.exp(x) * (Math.cos(x) - Math.sin(x)),
    (x: number) => -4 * Math.exp(x) * Math.sin(x),
  ];
  const xs = [-1.3, 0, 0.5, 2];

  it("grad(grad(grad(f)))", () => {
    for (const x of xs) {
      closeTo(grad(f)(x), d[0]!(x));
      closeTo(grad(grad(f))(x), d[1]!(x));
      closeTo(grad(grad(grad(f)))(x), d[2]!(x));
      closeTo(grad(grad(grad(grad(f))))(x), d[3]!(x));
    }
  });

  it("every third-order composition of grad, jvp and vjp", () => {
    for (const x of xs) {
      for (const [n1, d1] of operators) {
        for (const [n2, d2] of operators) {
          for (const [n3, d3] of operators) {
            const v = d1((a) => d2((b) => d3(f, b), a), x) as number;
            expect(Math.abs(v - d[2]!(x)), `${n1} ∘ ${n2} ∘ ${n3} at ${x}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(d[2]!(x))));
          }
        }
      }
    }
  });

  it("x⁵ to the fifth order, and six levels of grad on sin", () => {
    const p = (x: Num) => mul(mul(square(x), square(x)), x);
    for (const x of [-2, 0, 1.5]) {
      expect(grad(grad(grad(p)))(x)).toBe(60 * x * x);
      expect(grad(grad(grad(grad(grad(p)))))(x)).toBe(120);
      closeTo(grad(grad(grad(grad(grad(grad(sin))))))(x), -Math.sin(x));
    }
  });

  it("jvp(grad(f), …) is the second derivative; on trees it is the Hessian-vector product", () => {
    for (const x of xs) closeTo(jvp(grad(f), [x], [1])[1], d[1]!(x));
    // g(p) = a²·b₀ + sin(b₁)·a with p = { a, b: [b₀, b₁] }.
    const g = (p: { a: Num; b: Num[] }) => add(mul(square(p.a), p.b[0]!), mul(sin(p.b[1]!), p.a));
    const p = { a: 1.5, b: [-2, 0.7] };
    const v = { a: 0.3, b: [1, -2] };
    const { a } = p;
    const [b0, b1] = p.b as [number, number];
    // Hessian in the order (a, b₀, b₁).
    const H = [
      [2 * b0, 2 * a, Math.cos(b1)],
      [2 * a, 0, 0],
      [Math.cos(b1), 0, -Math.sin(b1) * a],
    ];
    const vv = [v.a, v.b[0]!, v.b[1]!];
    const Hv = H.map((row) => row.reduce((s, h, j) => s + h * vv[j]!, 0));
    const [grad0, hvp] = jvp(grad(g), [p], [v]);
    expect(Object.keys(hvp)).toEqual(["a", "b"]);
    closeTo(hvp.a, Hv[0]!);
    closeTo(hvp.b[0]!, Hv[1]!);
    closeTo(hvp.b[1]!, Hv[2]!);
    expect(grad0).toEqual(grad(g)(p));
  });

  it("vjp of grad: the pullback of the gradient is the Hessian applied to the cotangent", () => {
    for (const x of xs) closeTo(vjp(grad(f), x)[1](1)[0], d[1]!(x));
    // h(x, y) = x²y³: H = [[2y³, 6xy²], [6xy², 6x²y]].
    const h = (p: Num[]) => mul(square(p[0]!), mul(p[1]!, square(p[1]!)));
    const [x, y] = [1.5, -2];
    const [g, pullback] = vjp(grad(h), [x, y]);
    expect(g).toEqual([2 * x * y ** 3, 3 * x * x * y * y]);
    const u = [0.5, -1];
    const [hu] = pullback(u);
    closeTo(hu[0]!, 2 * y ** 3 * u[0]! + 6 * x * y * y * u[1]!);
    closeTo(hu[1]!, 6 * x * y * y * u[0]! + 6 * x * x * y * u[1]!);
  });

  it("grad of a function that calls vjp and uses the pullback", () => {
    for (const x of xs) {
      // The pullback at cotangent 1 is f'; its derivative is f''.
      closeTo(grad((t: Num) => vjp(f, t)[1](1)[0])(x), d[1]!(x));
      // With a traced cotangent: t·f'(t), whose derivative is f' + t·f''.
      closeTo(grad((t: Num) => vjp(f, t)[1](t)[0])(x), d[0]!(x) + x * d[1]!(x));
      // A pullback made outside, used inside with a traced cotangent: u ↦ u·f'(x) is linear.
      const [, pullback] = vjp(f, x);
      closeTo(grad((u: Num) => pullback(u)[0])(3), d[0]!(x));
      closeTo(jvp((u: Num) => pullback(u)[0], [3], [1])[1], d[0]!(x));
      // … and the same pullback still works afterwards, any number of times.
      closeTo(pullback(2)[0], 2 * d[0]!(x));
    }
  });

  it("a traced tangent: grad of the jvp tangent with respect to the tangent is f'", () => {
    for (const x of xs) closeTo(grad((t: Num) => jvp(f, [x], [t])[1])(1), d[0]!(x));
  });
});

describe("argnums, hasAux and valueAndGrad at different levels", () => {
  // f(x, y) = x²·y³: ∂x = 2xy³, ∂y = 3x²y², ∂x∂y = 6xy², ∂x∂x = 2y³, ∂y∂y = 6x²y.
  const f = (x: Num, y: Num) => mul(square(x), mul(y, square(y)));
  const [x, y] = [1.5, -2];

  it("∂²/∂x∂y in both orders", () => {
    expect(grad(grad(f, { argnums: 1 }), { argnums: 0 })(x, y)).toBe(6 * x * y * y);
    expect(grad(grad(f, { argnums: 0 }), { argnums: 1 })(x, y)).toBe(6 * x * y * y);
    expect(grad(grad(f, { argnums: 0 }), { argnums: [0, 1] })(x, y)).toEqual([2 * y ** 3, 6 * x * y * y]);
    expect(grad((a: Num, b: Num) => grad(f, { argnums: [0, 1] })(a, b)[1], { argnums: [1, 0] })(x, y)).toEqual([
      6 * x * x * y,
      6 * x * y * y,
    ]);
  });

  it("jvp and vjp of a grad taken with argnums", () => {
    expect(jvp(grad(f, { argnums: 1 }), [x, y], [1, 0])[1]).toBe(6 * x * y * y);
    expect(jvp(grad(f, { argnums: 1 }), [x, y], [0, 1])[1]).toBe(6 * x * x * y);
    expect(vjp(grad(f, { argnums: 0 }), x, y)[1](1)).toEqual([2 * y ** 3, 6 * x * y * y]);
  });

  it("inner argnums over an argument that the outer transform is differentiating", () => {
    // d/dx of ∂f/∂y evaluated at (y0, x): the inner function's second argument is the outer x.
    // ∂f/∂y (a, b) = 3a²b², at (y, x) = 3y²x², whose derivative in x is 6y²x.
    expect(grad((t: Num) => grad(f, { argnums: 1 })(y, t))(x)).toBe(6 * y * y * x);
  });

  it("valueAndGrad inside grad: both the value and the gradient carry the outer derivative", () => {
    // v = x·y² at y = x → x³; g = 2xy at y = x → 2x²; d/dx (v + g) = 3x² + 4x.
    const outer = (t: Num) => {
      const [v, g] = valueAndGrad((s: Num) => mul(t, square(s)))(t);
      return add(v, g);
    };
    expect(grad(outer)(2)).toBe(3 * 4 + 4 * 2);
    expect(jvp(outer, [2], [1])[1]).toBe(20);
  });

  it("hasAux inside grad: Num leaves of aux stay traced for the outer transform", () => {
    // g = ∂/∂s (t·s²) at s = t → 2t²; aux = t³ (and a string passes through); d/dt (g + aux) = 4t + 3t².
    const outer = (t: Num) => {
      const [g, aux] = grad((s: Num) => [mul(t, square(s)), { cube: mul(t, square(t)), tag: "x" }] as const, { hasAux: true })(t);
      expect(aux.tag).toBe("x");
      return add(g, aux.cube);
    };
    expect(grad(outer)(2)).toBe(8 + 12);
    expect(jvp(outer, [-1], [1])[1]).toBe(-4 + 3);
  });

  it("the Hessian of a record parameter, one row at a time", () => {
    // q(p) = w₀·w₁ + b·w₀² : rows of the Hessian in the order (w₀, w₁, b).
    const q = (p: { w: Num[]; b: Num }) => add(mul(p.w[0]!, p.w[1]!), mul(p.b, square(p.w[0]!)));
    const p = { w: [2, -1], b: 0.5 };
    expect(grad((r: { w: Num[]; b: Num }) => grad(q)(r).w[0]!)(p)).toEqual({ w: [2 * p.b, 1], b: 2 * p.w[0]! });
    expect(grad((r: { w: Num[]; b: Num }) => grad(q)(r).w[1]!)(p)).toEqual({ w: [1, 0], b: 0 });
    expect(grad((r: { w: Num[]; b: Num }) => grad(q)(r).b)(p)).toEqual({ w: [2 * p.w[0]!, 0], b: 0 });
  });

  it("nested results are plain numbers at the top level", () => {
    const r = grad(grad((t: Num) => mul(t, sub(cos(t), t))))(0.3);
    expect(typeof r).toBe("number");
    const [out, tan] = jvp(grad(f, { argnums: [0, 1] }), [x, y], [1, 1]);
    expect([...out, ...tan].every((v) => typeof v === "number")).toBe(true);
  });
});
