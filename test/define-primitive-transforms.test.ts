// definePrimitive under every transform here (grad, grad∘grad, jvp, jvp∘grad, vjp, jacfwd,
// jacrev, hessian, hvp, checkGrads), with each rule form: partials only, jvp only, vjp only.
import { describe, expect, it } from "vitest";
import {
  add,
  checkGrads,
  cos,
  definePrimitive,
  exp,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jvp,
  mul,
  sin,
  sum,
  vjp,
  type Num,
} from "../src/index.js";
import { expectClose } from "./support/expect-close.js";

type Form = "partials" | "jvp" | "vjp";
const forms: Form[] = ["partials", "jvp", "vjp"];

// sin, as a user primitive, in each rule form.
const sinOf: Record<Form, (x: Num) => Num> = {
  partials: definePrimitive({ name: "userSinP", impl: Math.sin, partials: ([x]) => [cos(x!)] }),
  jvp: definePrimitive({ name: "userSinJ", impl: Math.sin, jvp: ([x], [t]) => [sin(x!), mul(t!, cos(x!))] }),
  vjp: definePrimitive({ name: "userSinV", impl: Math.sin, vjp: ([x], ct) => [mul(ct, cos(x!))] }),
};

// x·eʸ: two inputs, with a cross derivative.
const expMulOf: Record<Form, (x: Num, y: Num) => Num> = {
  partials: definePrimitive({
    name: "userExpMulP",
    impl: (x, y) => x * Math.exp(y),
    partials: ([x, y], out) => [exp(y!), out],
  }),
  jvp: definePrimitive({
    name: "userExpMulJ",
    impl: (x, y) => x * Math.exp(y),
    jvp: ([x, y], [tx, ty]) => {
      const out = mul(x!, exp(y!));
      return [out, add(mul(tx!, exp(y!)), mul(out, ty!))];
    },
  }),
  vjp: definePrimitive({
    name: "userExpMulV",
    impl: (x, y) => x * Math.exp(y),
    vjp: ([x, y], ct) => [mul(ct, exp(y!)), mul(ct, mul(x!, exp(y!)))],
  }),
};

// Σ xᵢ²: any number of inputs (rest parameters).
const sumSqOf: Record<Form, (...xs: Num[]) => Num> = {
  partials: definePrimitive({
    name: "userSumSqP",
    impl: (...xs: number[]) => xs.reduce((a, x) => a + x * x, 0),
    partials: (xs) => xs.map((x) => mul(2, x)),
  }),
  jvp: definePrimitive({
    name: "userSumSqJ",
    impl: (...xs: number[]) => xs.reduce((a, x) => a + x * x, 0),
    jvp: (xs, ts) => [sum(xs.map((x) => mul(x, x))), sum(xs.map((x, i) => mul(mul(2, x), ts[i]!)))],
  }),
  vjp: definePrimitive({
    name: "userSumSqV",
    impl: (...xs: number[]) => xs.reduce((a, x) => a + x * x, 0),
    vjp: (xs, ct) => xs.map((x) => mul(ct, mul(2, x))),
  }),
};

describe.each(forms)("a one-input primitive with its %s rule only", (form) => {
  const s = sinOf[form];
  const points = [-2, 0, 0.3, 1.7];
  it("value, grad, grad∘grad, grad∘grad∘grad", () => {
    for (const x of points) {
      expect(s(x)).toBe(Math.sin(x));
      expect(grad(s)(x)).toBeCloseTo(Math.cos(x), 14);
      expect(grad(grad(s))(x)).toBeCloseTo(-Math.sin(x), 14);
      expect(grad(grad(grad(s)))(x)).toBeCloseTo(-Math.cos(x), 14);
    }
  });
  it("jvp, jvp∘grad, grad∘jvp, vjp", () => {
    for (const x of points) {
      expectClose(jvp(s, [x], [3]), [Math.sin(x), 3 * Math.cos(x)]);
      expect(jvp(grad(s), [x], [2])[1]).toBeCloseTo(-2 * Math.sin(x), 14);
      expect(grad((y: Num) => jvp(s, [y], [1])[1])(x)).toBeCloseTo(-Math.sin(x), 14);
      expect(vjp(s, x)[1](2)).toEqual([expect.closeTo(2 * Math.cos(x), 14)]);
    }
  });
  it("jacfwd, jacrev, hessian on a composite of vector input", () => {
    // g(x) = s(x0·x1): ∇g = cos(x0x1)·[x1, x0]
    const g = (x: Num[]) => s(mul(x[0]!, x[1]!));
    const v = (x: Num[]) => [s(x[0]!), s(mul(2, x[1]!))];
    for (const [a, b] of [
      [0.5, -1.2],
      [2, 0.1],
    ] as const) {
      const c = Math.cos(a * b);
      const sn = Math.sin(a * b);
      expectClose(jacfwd(g)([a, b]), [b * c, a * c]);
      expectClose(jacrev(g)([a, b]), [b * c, a * c]);
      const H = [
        [-b * b * sn, c - a * b * sn],
        [c - a * b * sn, -a * a * sn],
      ];
      expectClose(hessian(g)([a, b]), H);
      expectClose(jacrev(jacrev(g))([a, b]), H);
      expectClose(hvp(g)([a, b], [1, 2]), [H[0]![0]! + 2 * H[0]![1]!, H[1]![0]! + 2 * H[1]![1]!]);
      const J = [
        [Math.cos(a), 0],
        [0, 2 * Math.cos(2 * b)],
      ];
      expectClose(jacfwd(v)([a, b]), J);
      expectClose(jacrev(v)([a, b]), J);
    }
  });
  it("passes checkGrads at order 2", () => {
    checkGrads((x: Num[]) => mul(s(x[0]!), s(mul(x[0]!, x[1]!))), [[0.4, 1.3]], { order: 2 });
  });
});

describe.each(forms)("a two-input primitive x·eʸ with its %s rule only", (form) => {
  const p = expMulOf[form];
  const f = (v: Num[]) => p(v[0]!, v[1]!);
  const points = [
    [1.5, 0.2],
    [-0.3, -1],
    [0, 0.5],
  ];
  it("grad, grad∘grad (via argnums), jvp, vjp", () => {
    for (const [x, y] of points) {
      const e = Math.exp(y!);
      expectClose(grad(p, { argnums: [0, 1] })(x!, y!), [e, x! * e]);
      expect(grad(grad(p, { argnums: 1 }), { argnums: 1 })(x!, y!)).toBeCloseTo(x! * e, 14);
      expect(grad(grad(p, { argnums: 0 }), { argnums: 1 })(x!, y!)).toBeCloseTo(e, 14);
      expect(grad(grad(p, { argnums: 0 }), { argnums: 0 })(x!, y!)).toBe(0);
      expectClose(jvp(p, [x!, y!], [2, -1]), [x! * e, 2 * e - x! * e]);
      expectClose(vjp(p, x!, y!)[1](3), [3 * e, 3 * x! * e]);
    }
  });
  it("jacfwd, jacrev, hessian, jvp∘grad", () => {
    for (const [x, y] of points) {
      const e = Math.exp(y!);
      expectClose(jacfwd(f)([x!, y!]), [e, x! * e]);
      expectClose(jacrev(f)([x!, y!]), [e, x! * e]);
      const H = [
        [0, e],
        [e, x! * e],
      ];
      expectClose(hessian(f)([x!, y!]), H);
      expectClose(jacfwd(jacfwd(f))([x!, y!]), H);
      expectClose(jacrev(jacfwd(f))([x!, y!]), H);
      expectClose(jvp(grad(f), [[x!, y!]], [[1, 1]])[1], [e, e + x! * e]);
    }
  });
  it("passes checkGrads at order 2", () => {
    checkGrads(f, [[1.5, 0.2]], { order: 2 });
  });
});

describe.each(forms)("a variadic primitive Σxᵢ² with its %s rule only", (form) => {
  const q = sumSqOf[form];
  const f = (x: Num[]) => q(...x);
  it("grad, hessian, jacfwd, jacrev, jvp on 1 to 4 inputs", () => {
    for (const x of [[3], [1, -2], [0.5, 0, 2, -1]]) {
      expectClose(grad(f)(x), x.map((v) => 2 * v));
      expectClose(jacfwd(f)(x), x.map((v) => 2 * v));
      expectClose(jacrev(f)(x), x.map((v) => 2 * v));
      expectClose(
        hessian(f)(x),
        x.map((_, i) => x.map((__, j) => (i === j ? 2 : 0))),
      );
      expect(jvp(f, [x], [x.map(() => 1)])[1]).toBeCloseTo(x.reduce((a, v) => a + 2 * v, 0), 14);
    }
  });
  it("composes: grad of q applied to outputs of another q", () => {
    // h(x) = q(q(x0, x1), x2) = (x0² + x1²)² + x2²
    const h = (x: Num[]) => q(q(x[0]!, x[1]!), x[2]!);
    const [a, b, c] = [0.5, -1, 2];
    const r = a * a + b * b;
    expectClose(grad(h)([a, b, c]), [4 * r * a, 4 * r * b, 2 * c]);
    checkGrads(h, [[a, b, c]], { order: 2 });
  });
});
