// Properties over random programs: small expression trees over 1–3 variables, built from
// chainrule's primitives (wrapped where needed so that every input stays in the op's smooth
// domain), checked against finite differences and against the identities that tie the modes
// together.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  abs,
  acos,
  add,
  asin,
  atan,
  atan2,
  cos,
  cosh,
  div,
  dot,
  exp,
  expm1,
  floor,
  grad,
  gt,
  jvp,
  log,
  log1p,
  logSumExp,
  max,
  mean,
  min,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  sigmoid,
  sin,
  sinh,
  softmax,
  softplus,
  sqrt,
  square,
  stopGradient,
  sub,
  sum,
  tan,
  tanh,
  treeLeaves,
  vjp,
  where,
  type Num,
} from "../src/index.js";
import { finiteDifference, unit } from "./support/numeric.js";

// ---- random programs -----------------------------------------------------------------------------

interface Op<A extends unknown[]> {
  readonly name: string;
  readonly f: (...args: A) => Num;
  /** Differentiable everywhere (finite differences apply); false for kinks and selections. */
  readonly smooth: boolean;
}

const unaryOps: Op<[Num]>[] = [
  { name: "sin", f: sin, smooth: true },
  { name: "cos", f: cos, smooth: true },
  { name: "tanh", f: tanh, smooth: true },
  { name: "sigmoid", f: sigmoid, smooth: true },
  { name: "softplus", f: softplus, smooth: true },
  { name: "atan", f: atan, smooth: true },
  { name: "neg", f: neg, smooth: true },
  { name: "square", f: square, smooth: true },
  { name: "log(1+a²)", f: (a) => log(add(1, square(a))), smooth: true },
  { name: "sqrt(1+a²)", f: (a) => sqrt(add(1, square(a))), smooth: true },
  { name: "exp(tanh a)", f: (a) => exp(tanh(a)), smooth: true },
  { name: "1/(1+a²)", f: (a) => reciprocal(add(1, square(a))), smooth: true },
  { name: "asin(0.9 tanh a)", f: (a) => asin(mul(0.9, tanh(a))), smooth: true },
  { name: "acos(0.9 sin a)", f: (a) => acos(mul(0.9, sin(a))), smooth: true },
  { name: "tan(0.7 tanh a)", f: (a) => tan(mul(0.7, tanh(a))), smooth: true },
  { name: "log1p(a²)", f: (a) => log1p(square(a)), smooth: true },
  { name: "expm1(sin a)", f: (a) => expm1(sin(a)), smooth: true },
  { name: "sinh(tanh a)", f: (a) => sinh(tanh(a)), smooth: true },
  { name: "cosh(sin a)", f: (a) => cosh(sin(a)), smooth: true },
  { name: "(1+a²)^0.75", f: (a) => pow(add(1, square(a)), 0.75), smooth: true },
  { name: "2^sin(a)", f: (a) => pow(2, sin(a)), smooth: true },
  { name: "relu", f: relu, smooth: false },
  { name: "abs", f: abs, smooth: false },
  { name: "floor(a)·a", f: (a) => mul(floor(a), a), smooth: false },
  { name: "stopGradient(a)·a", f: (a) => mul(stopGradient(a), a), smooth: false },
];

const binaryOps: Op<[Num, Num]>[] = [
  { name: "add", f: add, smooth: true },
  { name: "sub", f: sub, smooth: true },
  { name: "mul", f: mul, smooth: true },
  { name: "a/(1+b²)", f: (a, b) => div(a, add(1, square(b))), smooth: true },
  { name: "(1.5+sin a)^tanh b", f: (a, b) => pow(add(1.5, sin(a)), tanh(b)), smooth: true },
  { name: "atan2(a, 2+cos b)", f: (a, b) => atan2(a, add(2, cos(b))), smooth: true },
  { name: "logSumExp([a, b])", f: (a, b) => logSumExp([a, b]), smooth: true },
  { name: "softmax([a, b])[0]", f: (a, b) => softmax([a, b])[0]!, smooth: true },
  { name: "dot([a, b], [b, a])", f: (a, b) => dot([a, b], [b, a]), smooth: true },
  { name: "mean([a, b, a])", f: (a, b) => mean([a, b, a]), smooth: true },
  { name: "sum([a, b, 1])", f: (a, b) => sum([a, b, 1]), smooth: true },
  { name: "max", f: max, smooth: false },
  { name: "min", f: min, smooth: false },
  { name: "where(a > b, a·b, sin b)", f: (a, b) => where(gt(a, b), mul(a, b), sin(b)), smooth: false },
];

const unaryByName = new Map(unaryOps.map((o) => [o.name, o]));
const binaryByName = new Map(binaryOps.map((o) => [o.name, o]));

/** A program; operations are referred to by name, so that counterexamples print readably. */
type Expr =
  | { readonly kind: "var"; readonly i: number }
  | { readonly kind: "const"; readonly c: number }
  | { readonly kind: "un"; readonly op: string; readonly a: Expr }
  | { readonly kind: "bin"; readonly op: string; readonly a: Expr; readonly b: Expr };

function evaluate(e: Expr, xs: readonly Num[]): Num {
  switch (e.kind) {
    case "var":
      return xs[e.i]!;
    case "const":
      return e.c;
    case "un":
      return unaryByName.get(e.op)!.f(evaluate(e.a, xs));
    case "bin":
      return binaryByName.get(e.op)!.f(evaluate(e.a, xs), evaluate(e.b, xs));
  }
}

function show(e: Expr): string {
  switch (e.kind) {
    case "var":
      return `x${e.i}`;
    case "const":
      return String(e.c);
    case "un":
      return `[${e.op}](${show(e.a)})`;
    case "bin":
      return `[${e.op}](${show(e.a)}, ${show(e.b)})`;
  }
}

const input = fc.double({ min: -2, max: 2, noNaN: true });

/** Expressions over `nVars` variables, at most `depth` operations deep. */
function expr(nVars: number, smoothOnly: boolean, depth: number): fc.Arbitrary<Expr> {
  const un = unaryOps.filter((o) => o.smooth || !smoothOnly).map((o) => o.name);
  const bin = binaryOps.filter((o) => o.smooth || !smoothOnly).map((o) => o.name);
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    { arbitrary: fc.nat(nVars - 1).map((i): Expr => ({ kind: "var", i })), weight: 4 },
    { arbitrary: input.map((c): Expr => ({ kind: "const", c })), weight: 1 },
  );
  if (depth === 0) return leaf;
  const inner = expr(nVars, smoothOnly, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...un), inner).map(([op, a]): Expr => ({ kind: "un", op, a })), weight: 3 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...bin), inner, inner).map(([op, a, b]): Expr => ({ kind: "bin", op, a, b })),
      weight: 3,
    },
  );
}

/** A scalar program over 1–3 variables with a point to evaluate it at. */
function scalarProgram(smoothOnly: boolean, maxVars = 3): fc.Arbitrary<{ e: Expr; x: number[] }> {
  return fc
    .integer({ min: 1, max: maxVars })
    .chain((n) => fc.record({ e: expr(n, smoothOnly, 4), x: fc.array(input, { minLength: n, maxLength: n }) }));
}

// ---- comparisons -------------------------------------------------------------------------------------

/**
 * Finite differences with their own error estimate: the five-point stencil at h and h/2. The
 * result at h/2 is the reference; their difference bounds its error (it is O(h⁴), so the
 * estimate is ~15 times the actual error), which keeps programs whose derivatives grow fast
 * (sin of x⁸) from failing for the reference's sake, while a wrong derivative still shows.
 */
function fdWithError(f: (p: number[]) => number, p: readonly number[], j: number): { value: number; error: number } {
  const h = 1e-3;
  const coarse = finiteDifference(f, p, j, h);
  const fine = finiteDifference(f, p, j, h / 2);
  return { value: fine, error: Math.abs(coarse - fine) };
}

function agreesWithFd(actual: number, fd: { value: number; error: number }): boolean {
  if (!Number.isFinite(fd.value) || !Number.isFinite(fd.error)) return true; // overflow: nothing to compare
  return Math.abs(actual - fd.value) <= 1e-6 * Math.max(1, Math.abs(fd.value)) + 2 * fd.error;
}

function report(what: string, e: Expr, x: readonly number[], detail: string): string {
  return `${what} for f = ${show(e)} at x = [${x.join(", ")}]: ${detail}`;
}

const RUNS = 250;

describe("random compositions of primitives", () => {
  it("(a) grad agrees with central finite differences", () => {
    fc.assert(
      fc.property(scalarProgram(true), ({ e, x }) => {
        const f = (xs: Num[]) => evaluate(e, xs);
        const g = grad(f)(x);
        g.forEach((gj, j) => {
          const fd = fdWithError((p) => f(p) as number, x, j);
          if (!agreesWithFd(gj, fd)) throw new Error(report("grad", e, x, `∂/∂x${j} = ${gj}, finite differences ${fd.value} ± ${fd.error}`));
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("(b) vjp and jvp are transposes: ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ for random vector-valued functions", () => {
    const program = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([n, m]) =>
        fc.record({
          outs: fc.array(expr(n, false, 4), { minLength: m, maxLength: m }),
          x: fc.array(input, { minLength: n, maxLength: n }),
          v: fc.array(input, { minLength: n, maxLength: n }),
          u: fc.array(input, { minLength: m, maxLength: m }),
        }),
      );
    fc.assert(
      fc.property(program, ({ outs, x, v, u }) => {
        const f = (xs: Num[]) => outs.map((e) => evaluate(e, xs));
        const [y, jv] = jvp(f, [x], [v]);
        const [y2, pullback] = vjp(f, x);
        const [jtu] = pullback(u);
        expect(y2).toEqual(y);
        let lhs = 0;
        let rhs = 0;
        let scale = 0;
        u.forEach((ui, i) => {
          lhs += ui * jv[i]!;
          scale += Math.abs(ui * jv[i]!);
        });
        v.forEach((vj, j) => {
          rhs += jtu[j]! * vj;
          scale += Math.abs(jtu[j]! * vj);
        });
        if (!Number.isFinite(scale)) return; // an infinite slope somewhere: both sides are ±∞/NaN
        const ok = Math.abs(lhs - rhs) <= 1e-12 + 1e-10 * scale;
        if (!ok) throw new Error(`⟨u, Jv⟩ = ${lhs} but ⟨Jᵀu, v⟩ = ${rhs} for f = [${outs.map(show).join(", ")}] at [${x.join(", ")}]`);
      }),
      { numRuns: RUNS },
    );
  });

  it("(b) the same for tree-shaped inputs and outputs", () => {
    const program = fc.record({
      outs: fc.array(expr(4, false, 3), { minLength: 4, maxLength: 4 }),
      x: fc.array(input, { minLength: 4, maxLength: 4 }),
      v: fc.array(input, { minLength: 4, maxLength: 4 }),
      u: fc.array(input, { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(program, ({ outs, x, v, u }) => {
        // Inputs: p = { w: [x0, x1], b: x2 } and a scalar x3; output: { s: o0, v: [o1, [o2, o3]] }.
        const f = (p: { w: Num[]; b: Num }, c: Num) => {
          const xs = [p.w[0]!, p.w[1]!, p.b, c];
          const o = outs.map((e) => evaluate(e, xs));
          return { s: o[0]!, v: [o[1]!, [o[2]!, o[3]!]] as [Num, [Num, Num]] };
        };
        const primals: [{ w: number[]; b: number }, number] = [{ w: [x[0]!, x[1]!], b: x[2]! }, x[3]!];
        const tangents: [{ w: number[]; b: number }, number] = [{ w: [v[0]!, v[1]!], b: v[2]! }, v[3]!];
        const [, jv] = jvp(f, primals, tangents);
        const [out, pullback] = vjp(f, ...primals);
        const ct = { s: u[0]!, v: [u[1]!, [u[2]!, u[3]!]] as [number, [number, number]] };
        const jtu = pullback(ct);
        expect(Object.keys(out)).toEqual(["s", "v"]);
        expect(Object.keys(jtu[0])).toEqual(["w", "b"]);
        const lhs = treeLeaves(jv).reduce((a, t, i) => a + t * u[i]!, 0);
        const rhs = treeLeaves(jtu).reduce((a, g, j) => a + g * v[j]!, 0);
        const scale = treeLeaves(jv).reduce((a, t, i) => a + Math.abs(t * u[i]!), 0) + treeLeaves(jtu).reduce((a, g, j) => a + Math.abs(g * v[j]!), 0);
        if (!Number.isFinite(scale)) return;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 + 1e-10 * scale);
      }),
      { numRuns: 100 },
    );
  });

  it("(c) grad(grad(f)) agrees with finite differences of grad(f)", () => {
    // One variable: literally grad(grad(f)).
    fc.assert(
      fc.property(scalarProgram(true, 1), ({ e, x }) => {
        const f = (t: Num) => evaluate(e, [t]);
        const second = grad(grad(f))(x[0]!);
        const fd = fdWithError((p) => grad(f)(p[0]!), x, 0);
        if (!agreesWithFd(second, fd)) throw new Error(report("grad(grad)", e, x, `${second}, finite differences ${fd.value} ± ${fd.error}`));
      }),
      { numRuns: RUNS },
    );
    // Several variables: each row of the Hessian is the gradient of one entry of the gradient.
    fc.assert(
      fc.property(scalarProgram(true), ({ e, x }) => {
        const f = (xs: Num[]) => evaluate(e, xs);
        x.forEach((_, i) => {
          const row = grad((v: Num[]) => grad(f)(v)[i]!)(x);
          row.forEach((hij, j) => {
            const fd = fdWithError((p) => grad(f)(p)[i]!, x, j);
            if (!agreesWithFd(hij, fd)) throw new Error(report(`H[${i}][${j}]`, e, x, `${hij}, finite differences ${fd.value} ± ${fd.error}`));
          });
        });
      }),
      { numRuns: 150 },
    );
  });

  it("(d) jvp(grad(f)) equals grad(grad(f)) for scalar f", () => {
    const same = (a: number, b: number): boolean =>
      Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 + 1e-10 * Math.max(Math.abs(a), Math.abs(b));
    fc.assert(
      fc.property(scalarProgram(false, 1), ({ e, x }) => {
        const f = (t: Num) => evaluate(e, [t]);
        const rev = grad(grad(f))(x[0]!);
        const fwd = jvp(grad(f), [x[0]!], [1])[1];
        if (!same(fwd, rev)) throw new Error(report("jvp(grad) vs grad(grad)", e, x, `${fwd} vs ${rev}`));
      }),
      { numRuns: RUNS },
    );
    // Several variables: jvp(grad f)(x; v) = H v, with H from grad∘grad.
    fc.assert(
      fc.property(
        scalarProgram(false).chain(({ e, x }) => fc.record({ e: fc.constant(e), x: fc.constant(x), v: fc.array(input, { minLength: x.length, maxLength: x.length }) })),
        ({ e, x, v }) => {
          const f = (xs: Num[]) => evaluate(e, xs);
          const hv = jvp(grad(f), [x], [v])[1];
          const h = x.map((_, i) => grad((p: Num[]) => grad(f)(p)[i]!)(x));
          h.forEach((row, i) => {
            const expected = row.reduce((a, hij, j) => a + hij * v[j]!, 0);
            const scale = row.reduce((a, hij, j) => a + Math.abs(hij * v[j]!), 0);
            if (!Number.isFinite(scale)) return;
            if (Math.abs(hv[i]! - expected) > 1e-12 + 1e-10 * scale) {
              throw new Error(report(`(Hv)[${i}]`, e, x, `jvp(grad) ${hv[i]}, grad(grad) ${expected}`));
            }
          });
          // A unit direction e_j gives ∂/∂x_j of the gradient: column j of the same matrix.
          x.forEach((_, j) => {
            const col = jvp(grad(f), [x], [unit(x.length, j)])[1];
            col.forEach((c, i) => {
              if (!same(c, h[i]![j]!)) throw new Error(report(`H[${i}][${j}]`, e, x, `jvp(grad) ${c}, grad(grad) ${h[i]![j]}`));
            });
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
