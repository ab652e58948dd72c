// customVjp and customJvp: stable logSumExp and softplus at orders 1 and 2 in both modes, trees,
// residual reuse, staging (the graph jit compiles), and errors.
import { describe, expect, it } from "vitest";
import {
  abs,
  add,
  ChainruleError,
  checkGrads,
  cos,
  customJvp,
  customVjp,
  dot,
  exp,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jvp,
  log,
  log1p,
  makeGraph,
  max,
  mul,
  neg,
  relu,
  sigmoid,
  sin,
  softplus,
  square,
  stopGradient,
  sub,
  sum,
  toNumber,
  TreeStructureError,
  vjp,
  type Num,
} from "../src/index.js";
import { expectClose } from "./support/expect-close.js";
// The interpreter `jit` falls back to: re-binds every equation of a staged graph.
import { evaluate } from "../src/core/graph.js";

// ---- closed forms, in plain JavaScript ---------------------------------------------------------
const sigma = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const dsigma = (x: number) => sigma(x) * sigma(-x);
const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const lseHessian = (xs: number[]) => {
  const s = softmax(xs);
  return s.map((si, i) => s.map((sj, j) => (i === j ? si : 0) - si * sj));
};

// ---- the functions under test --------------------------------------------------------------------
// Stable forms: the value never overflows.
const softplusStable = (x: Num): Num => add(relu(x), log1p(exp(neg(abs(x)))));
const lseStable = (xs: Num[]): Num => {
  const m = stopGradient(xs.reduce((a, b) => max(a, b)));
  return add(m, log(sum(xs.map((x) => exp(sub(x, m))))));
};
// Naive forms: overflow for large inputs.
const softplusNaive = (x: Num): Num => log1p(exp(x));
const lseNaive = (xs: Num[]): Num => log(sum(xs.map(exp)));

const softplusVjp = customVjp(softplusStable, {
  fwd: (x) => [softplusStable(x), x],
  bwd: (x, ct) => [mul(ct, sigmoid(x))],
});
const softplusJvp = customJvp(softplusStable, {
  jvp: ([x], [t]) => [softplusStable(x), mul(t, sigmoid(x))],
});
const lseVjp = customVjp(lseStable, {
  fwd: (xs) => {
    const out = lseStable(xs);
    return [out, { xs, out }];
  },
  bwd: ({ xs, out }, ct) => [xs.map((x) => mul(ct, exp(sub(x, out))))],
});
const lseJvp = customJvp(lseStable, {
  jvp: ([xs], [ts]) => {
    const out = lseStable(xs);
    return [out, sum(xs.map((x, i) => mul(ts[i]!, exp(sub(x, out)))))];
  },
});

describe("softplus with customVjp and customJvp agrees with the built-in at orders 1 and 2", () => {
  const points = [-3, -0.4, 0, 0.7, 5, 40, 1000, -1000];
  const cases: [string, (x: Num) => Num][] = [
    ["customVjp", softplusVjp],
    ["customJvp", softplusJvp],
  ];

  it("the naive version overflows at 1000, the custom versions do not", () => {
    expect(softplusNaive(1000)).toBe(Infinity);
    expect(grad(softplusNaive)(1000)).not.toBeCloseTo(1, 3);
    for (const [, sp] of cases) {
      expect(sp(1000)).toBe(1000);
      expect(grad(sp)(1000)).toBe(1);
    }
  });

  for (const [name, sp] of cases) {
    it(`${name}: value, grad, grad∘grad, jvp, jvp∘grad, grad∘jvp, hessian, jacfwd∘jacfwd`, () => {
      for (const x of points) {
        const ref1 = sigma(x);
        const ref2 = dsigma(x);
        expect(sp(x)).toBeCloseTo(toNumber(softplus(x)), 12);
        expect(grad(sp)(x)).toBeCloseTo(ref1, 12);
        expect(grad(sp)(x)).toBeCloseTo(grad(softplus)(x), 14);
        expect(grad(grad(sp))(x)).toBeCloseTo(ref2, 12);
        const [y, t] = jvp(sp, [x], [2.5]);
        expect(y).toBeCloseTo(toNumber(softplus(x)), 12);
        expect(t).toBeCloseTo(2.5 * ref1, 12);
        expect(jvp(grad(sp), [x], [-1.5])[1]).toBeCloseTo(-1.5 * ref2, 12);
        expect(grad((z: Num) => jvp(sp, [z], [1])[1])(x)).toBeCloseTo(ref2, 12);
        expect(hessian(sp)(x)).toBeCloseTo(ref2, 12);
        expect(jacfwd(jacfwd(sp))(x)).toBeCloseTo(ref2, 12);
        expect(jacrev(jacrev(sp))(x)).toBeCloseTo(ref2, 12);
      }
    });

    it(`${name}: inside a larger function, hessian over a vector`, () => {
      const f = (v: Num[]) => mul(sp(sub(v[0]!, mul(2, v[1]!))), v[2]!);
      const g = (v: Num[]) => mul(softplus(sub(v[0]!, mul(2, v[1]!))), v[2]!);
      for (const v of [
        [0.3, -0.2, 1.5],
        [900, -10, 2],
      ]) {
        expectClose(hessian(f)(v), hessian(g)(v));
        expectClose(jacfwd(grad(f))(v), hessian(g)(v));
        expectClose(hvp(f)(v, [1, 2, 3]), hvp(g)(v, [1, 2, 3]));
      }
    });
  }

  it("third order works too (the rules are differentiated in turn)", () => {
    // σ'' = σ'(1 − 2σ)
    for (const sp of [softplusVjp, softplusJvp]) {
      expect(grad(grad(grad(sp)))(0.3)).toBeCloseTo(dsigma(0.3) * (1 - 2 * sigma(0.3)), 12);
    }
  });
});

describe("logSumExp with customVjp and customJvp agrees with the closed form at orders 1 and 2", () => {
  const points = [
    [0.3, -1.2, 2],
    [1000, 1000.5, 999],
    [-1000, -1001, -999.5],
    [0, 0, 0],
  ];
  const cases: [string, (xs: Num[]) => Num][] = [
    ["customVjp", lseVjp],
    ["customJvp", lseJvp],
  ];

  it("the naive version overflows at 1000", () => {
    expect(lseNaive([1000, 1000.5, 999])).toBe(Infinity);
    expect(grad(lseNaive)([1000, 1000.5, 999])).not.toEqual(softmax([1000, 1000.5, 999]));
  });

  for (const [name, lse] of cases) {
    it(`${name}: grad, jacfwd, jvp, hessian, jacrev∘jacrev, jacfwd∘jacfwd, hvp, jvp∘grad`, () => {
      for (const xs of points) {
        const s = softmax(xs);
        const H = lseHessian(xs);
        const v = [1, -2, 0.5];
        expect(lse(xs)).toBeCloseTo(Math.max(...xs) + Math.log(xs.reduce((a, x) => a + Math.exp(x - Math.max(...xs)), 0)), 12);
        expectClose(grad(lse)(xs), s);
        expectClose(jacfwd(lse)(xs), s);
        expect(jvp(lse, [xs], [v])[1]).toBeCloseTo(s.reduce((a, si, i) => a + si * v[i]!, 0), 12);
        expectClose(hessian(lse)(xs), H);
        expectClose(jacrev(jacrev(lse))(xs), H);
        expectClose(jacfwd(jacfwd(lse))(xs), H);
        const Hv = H.map((row) => row.reduce((a, h, j) => a + h * v[j]!, 0));
        expectClose(hvp(lse)(xs, v), Hv);
        expectClose(jvp(grad(lse), [xs], [v])[1], Hv);
        expectClose(grad((z: Num[]) => grad(lse)(z)[0]!)(xs), H[0]!);
      }
    });
  }

  it("both pass checkGrads at order 2", () => {
    for (const [, lse] of cases) {
      checkGrads(lse, [[0.3, -1.2, 2]], { order: 2 });
      checkGrads(lse, [[1000, 1000.5, 999]], { order: 2 });
    }
    checkGrads(softplusVjp, [0.7], { order: 2 });
    checkGrads(softplusJvp, [-0.7], { order: 2 });
  });
});

describe("customVjp with tree arguments and a tree output", () => {
  type P = { w: Num[]; b: Num };
  const model = (p: P, x: Num[]) => ({
    y: add(dot(p.w, x), p.b),
    n: [square(p.w[0]!), mul(p.w[1]!, x[0]!)],
  });
  const custom = customVjp(model, {
    fwd: (p, x) => [model(p, x), { p, x }],
    bwd: ({ p, x }, ct) => [
      {
        w: [add(mul(ct.y, x[0]!), mul(ct.n[0]!, mul(2, p.w[0]!))), add(mul(ct.y, x[1]!), mul(ct.n[1]!, x[0]!))],
        b: ct.y,
      },
      [add(mul(ct.y, p.w[0]!), mul(ct.n[1]!, p.w[1]!)), mul(ct.y, p.w[1]!)],
    ],
  });
  const p = { w: [0.5, -2], b: 0.25 };
  const x = [3, -1];

  it("outside every transform it is just the function", () => {
    expect(custom(p, x)).toEqual(model(p, x));
  });

  it("jacrev and jacfwd give the closed form, in the output tree's layout", () => {
    const byP = {
      y: { w: [x[0]!, x[1]!], b: 1 },
      n: [
        { w: [2 * p.w[0]!, 0], b: 0 },
        { w: [0, x[0]!], b: 0 },
      ],
    };
    const byX = { y: [p.w[0]!, p.w[1]!], n: [[0, 0], [p.w[1]!, 0]] };
    for (const jac of [jacrev, jacfwd]) {
      expectClose(jac(custom)(p, x), byP);
      expectClose(jac(custom, { argnums: 1 })(p, x), byX);
    }
  });

  it("vjp with a tree cotangent", () => {
    const [out, pullback] = vjp(custom, p, x);
    expectClose(out, model(p, x));
    const ct = { y: 2, n: [1, -1] };
    const [gp, gx] = pullback(ct);
    const [ep, ex] = vjp(model, p, x)[1](ct);
    expectClose(gp, ep);
    expectClose(gx, ex);
  });

  it("second order: hessian of a scalar loss through the custom function", () => {
    const loss = (f: typeof model) => (q: P, z: Num[]) => {
      const o = f(q, z);
      return add(square(o.y), mul(o.n[0]!, o.n[1]!));
    };
    expectClose(hessian(loss(custom))(p, x), hessian(loss(model))(p, x));
    expectClose(hessian(loss(custom), { argnums: [0, 1] })(p, x), hessian(loss(model), { argnums: [0, 1] })(p, x));
    checkGrads(loss(custom), [p, x], { order: 2 });
  });

  it("bwd may return null for an argument with zero gradient", () => {
    const scaled = customVjp((a: Num, c: { k: Num }) => mul(a, c.k), {
      fwd: (a, c) => [mul(a, c.k), c.k],
      bwd: (k, ct) => [mul(ct, k), null],
    });
    expect(grad(scaled, { argnums: [0, 1] })(2, { k: 3 })).toEqual([3, { k: 0 }]);
  });
});

describe("residuals, calls and staging", () => {
  it("outside transforms only f runs; under grad fwd runs once and bwd once", () => {
    const calls = { f: 0, fwd: 0, bwd: 0 };
    const g = customVjp(
      (x: Num) => {
        calls.f++;
        return sin(x);
      },
      {
        fwd: (x) => {
          calls.fwd++;
          return [sin(x), cos(x)];
        },
        bwd: (c, ct) => {
          calls.bwd++;
          return [mul(ct, c)];
        },
      },
    );
    expect(g(1)).toBe(Math.sin(1));
    expect(calls).toEqual({ f: 1, fwd: 0, bwd: 0 });
    calls.f = 0;
    expect(grad(g)(1)).toBeCloseTo(Math.cos(1), 15);
    expect(calls.fwd).toBe(1);
    expect(calls.bwd).toBe(1);
    calls.fwd = calls.bwd = 0;
    expect(jvp(g, [1], [1])[1]).toBeCloseTo(Math.cos(1), 15);
    expect(calls.fwd).toBe(1);
    expect(calls.bwd).toBe(1);
  });

  it("a multi-output custom function is evaluated once per forward pass", () => {
    let fCalls = 0;
    let fwdCalls = 0;
    const polar = (r: Num, t: Num) => {
      fCalls++;
      return [mul(r, cos(t)), mul(r, sin(t))];
    };
    const g = customVjp(polar, {
      fwd: (r, t) => {
        fwdCalls++;
        return [polar(r, t), [r, t]];
      },
      bwd: ([r, t], ct) => {
        const [cx, cy] = [ct[0]!, ct[1]!];
        return [add(mul(cx, cos(t)), mul(cy, sin(t))), sub(mul(cy, mul(r, cos(t))), mul(cx, mul(r, sin(t))))];
      },
    });
    fCalls = 0;
    const J = jacrev(g, { argnums: [0, 1] })(2, 0.5);
    expectClose(J, [
      [Math.cos(0.5), -2 * Math.sin(0.5)],
      [Math.sin(0.5), 2 * Math.cos(0.5)],
    ]);
    expect(fwdCalls).toBe(1); // one forward pass for both output leaves and both pullbacks
    expect(fCalls).toBe(1); // (inside fwd)
  });

  it("under makeGraph it is one equation, and the staged gradient graph evaluates correctly (as jit runs it)", () => {
    const g = makeGraph(softplusVjp)(1);
    expect(g.equations().map((e) => e.primitive)).toEqual(["customVjp_softplusStable"]);
    for (const [f, ref] of [
      [grad(softplusVjp), grad(softplus)],
      [grad(grad(softplusVjp)), grad(grad(softplus))],
      [grad(softplusJvp), grad(softplus)],
      [grad(grad(softplusJvp)), grad(grad(softplus))],
    ] as const) {
      const staged = makeGraph(f)(0);
      for (const x of [-2, 0.5, 700]) {
        const vals = evaluate(staged, [x]);
        expect(vals.get(staged.outputs[0]!)).toBeCloseTo(ref(x), 12);
      }
    }
  });

  it("a staged multi-output custom function evaluates correctly", () => {
    const lse2 = (xs: Num[]) => [lseVjp(xs), lseJvp(xs)];
    const staged = makeGraph(jacrev(lse2))([0, 0, 0]);
    const xs = [0.1, 2, -1];
    const vals = evaluate(staged, xs);
    const s = softmax(xs);
    expectClose(
      staged.outputs.map((r) => vals.get(r)),
      [...s, ...s],
    );
  });
});

describe("errors", () => {
  it("bwd must return one gradient per argument", () => {
    const g = customVjp((a: Num, b: Num) => mul(a, b), {
      fwd: (a, b) => [mul(a, b), [a, b]],
      bwd: ([a], ct) => [mul(ct, a)] as never,
    });
    expect(() => grad(g)(1, 2)).toThrow(ChainruleError);
    expect(() => grad(g)(1, 2)).toThrow(/one gradient per argument of f \(2\)/);
  });

  it("a gradient of the wrong shape names its path", () => {
    const g = customVjp((p: { w: Num[] }) => sum(p.w), {
      fwd: (p) => [sum(p.w), null],
      bwd: (_r, ct) => [{ w: [ct] }],
    });
    expect(() => grad(g)({ w: [1, 2] })).toThrow(TreeStructureError);
    expect(() => grad(g)({ w: [1, 2] })).toThrow(/args\[0\]\.w/);
  });

  it("fwd must return a pair", () => {
    const g = customVjp((x: Num) => x, { fwd: ((x: Num) => x) as never, bwd: (_r, ct) => [ct] });
    expect(() => grad(g)(1)).toThrow(/fwd must return a pair/);
  });

  it("a custom function closing over a traced value is an error that says what to do", () => {
    const outer = (y: Num) => {
      const g = customVjp((x: Num) => mul(x, y), { fwd: (x) => [mul(x, y), null], bwd: (_r, ct) => [mul(ct, y)] });
      return g(toNumber(y) + 1);
    };
    expect(() => grad((y: Num) => add(outer(y), 0))(2)).not.toThrow(); // a constant argument: f just runs
    const outer2 = (y: Num) => {
      const g = customVjp((x: Num) => mul(x, y), { fwd: (x) => [mul(x, y), null], bwd: (_r, ct) => [mul(ct, y)] });
      return grad(g)(y);
    };
    expect(() => grad(outer2)(2)).toThrow(/closes over a value traced by an enclosing transform/);
  });

  it("arguments must be trees of numbers", () => {
    const g = customVjp((x: Num, _s: string) => x, { fwd: (x) => [x, null], bwd: (_r, ct) => [ct, null] });
    expect(() => grad(g)(1, "s")).toThrow(TreeStructureError);
  });

  it("customJvp: a tangent of the wrong shape names the output path", () => {
    const g = customJvp((x: Num) => [x, x], { jvp: ([x], [t]) => [[x, x], [t]] as never });
    expect(() => jvp(g, [1], [1])).toThrow(TreeStructureError);
  });

  it("bad rules objects", () => {
    expect(() => customVjp((x: Num) => x, {} as never)).toThrow(ChainruleError);
    expect(() => customJvp((x: Num) => x, {} as never)).toThrow(ChainruleError);
  });
});
