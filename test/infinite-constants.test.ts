// jit equals eager evaluation also where a program's constants are ±Infinity, NaN or -0: every
// rewrite of the optimiser and every emitted snippet keeps the zero-absorbing products (`scale`)
// of derivative code absorbing, in generated code and in the interpreter alike.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { codegen } from "../src/jit/compile.js";
import { optimize } from "../src/jit/optimize.js";
import { SCALE } from "../src/primitives/arithmetic.js";
import * as cr from "../src/index.js";
import { grad, jit, jvp, makeGraph, mul, pow, relu, type Num } from "../src/index.js";
import { expectAgree } from "./transforms/jit-helpers.js";
import { bothStrategies } from "./support/errors.js";

const SPECIAL = [Infinity, -Infinity, NaN, -0, 0, 1, -1, 2, 0.5] as const;

afterEach(() => {
  codegen.forbidden = false;
});


describe("the reproducers: jit equals eager", () => {
  it("grad of Infinity · relu(x) at -1 is 0, eagerly and under jit, at every order", () => {
    const f = (x: Num) => mul(Infinity, relu(x));
    expect(grad(f)(-1)).toBe(0);
    bothStrategies(() => {
      expect(jit(grad(f))(-1)).toBe(0);
      expect(grad(jit(f))(-1)).toBe(0);
      expect(jit(grad(grad(f)))(-1)).toBe(0);
      expect(jit((x: Num) => jvp(f, [x], [1])[1])(-1)).toBe(0);
    });
  });

  it("grad of pow(x, -Infinity) at 2 is 0, eagerly and under jit, at every order", () => {
    const f = (x: Num) => pow(x, -Infinity);
    expect(grad(f)(2)).toBe(0);
    expect(grad(grad(f))(2)).toBe(0);
    bothStrategies(() => {
      expect(jit(grad(f))(2)).toBe(0);
      expect(grad(jit(f))(2)).toBe(0);
      expect(jit(grad(grad(f)))(2)).toBe(0);
      expect(jit((x: Num) => jvp(f, [x], [1])[1])(2)).toBe(0);
    });
  });

  it("the optimiser turns scale(k, d) into mul only for a finite k", () => {
    const scaleBy = (k: number) => (d: Num) => cr.grad((x: Num) => mul(k, cr.sin(x)))(d);
    for (const k of SPECIAL) {
      const g = optimize(makeGraph(scaleBy(k))(1)).graph;
      const prims = Array.from({ length: g.size }, (_, i) => g.prim(i).name); // internal names: printing shows scale as mul
      if (Number.isFinite(k) && k !== 0) expect(prims).not.toContain(SCALE.name);
      else if (k !== 0) expect(prims).toContain(SCALE.name);
    }
  });
});

describe("every rewrite and snippet the special constants meet, one by one", () => {
  // Each exercises one optimiser rewrite or emitted form: ×1 and ×(−1) (mul, div), ±0 (add, sub,
  // sum), −(−x), x + (−y), constant where, folding (a constant-only subterm), scale(k, d) → mul.
  const cases: readonly (readonly [string, (x: Num, k: number) => Num])[] = [
    ["mul(x, k)", (x, k) => cr.mul(x, k)],
    ["mul(k, x)", (x, k) => cr.mul(k, x)],
    ["div(x, k)", (x, k) => cr.div(x, k)],
    ["div(k, x)", (x, k) => cr.div(k, x)],
    ["add(x, k)", (x, k) => cr.add(x, k)],
    ["sub(x, k)", (x, k) => cr.sub(x, k)],
    ["sub(k, x)", (x, k) => cr.sub(k, x)],
    ["neg(neg(mul(k, x)))", (x, k) => cr.neg(cr.neg(cr.mul(k, x)))],
    ["add(x, neg(mul(k, x)))", (x, k) => cr.add(x, cr.neg(cr.mul(k, x)))],
    ["sub(x, neg(k·x))", (x, k) => cr.sub(x, cr.neg(cr.mul(k, x)))],
    ["where(k, x, x²)", (x, k) => cr.where(k, x, cr.square(x))],
    ["where(gt(x, k), x, 0)", (x, k) => cr.where(cr.gt(x, k), x, 0)],
    ["sum([x, k, x])", (x, k) => cr.sum([x, k, x])],
    ["dot([x, k], [k, x])", (x, k) => cr.dot([x, k], [k, x])],
    ["mul(x, add(k, k))", (x, k) => cr.mul(x, cr.add(k, k))],
    ["pow(x, k)", (x, k) => cr.pow(x, k)],
    ["pow(k, x)", (x, k) => cr.pow(k, x)],
    ["mul(k, relu(x))", (x, k) => cr.mul(k, cr.relu(x))],
    ["mul(k, square(relu(x)))", (x, k) => cr.mul(k, cr.square(cr.relu(x)))],
    ["logSumExp([x, k])", (x, k) => cr.logSumExp([x, k])],
    ["max(x, k)", (x, k) => cr.max(x, k)],
  ];
  for (const strategy of ["compiled", "interpreted"] as const) {
    it(`jit (${strategy}) equals eager for value, grad, grad∘grad and jvp`, () => {
      codegen.forbidden = strategy === "interpreted";
      for (const [, op] of cases) {
        for (const k of SPECIAL) {
          const f = (x: Num) => op(x, k);
          const tangent = (x: Num) => jvp(f, [x], [1]);
          for (const x of [-1, -0, 0, 2]) {
            expectAgree(jit(f)(x), f(x));
            expectAgree(jit(grad(f))(x), grad(f)(x));
            expectAgree(jit(grad(grad(f)))(x), grad(grad(f))(x));
            expectAgree(jit(tangent)(x), tangent(x));
            expectAgree(grad(jit(f))(x), grad(f)(x));
          }
        }
      }
    });
  }
});

// ---- random programs over constants that include ±Infinity, NaN and -0 ------------------------

type Op = (a: Num, b: Num, k: number) => Num;
/** Operations with a constant operand `k` where the special values matter. */
const OPS: readonly Op[] = [
  (a, _b, k) => cr.mul(k, a),
  (a, _b, k) => cr.mul(a, k),
  (a, _b, k) => cr.add(a, k),
  (a, _b, k) => cr.sub(k, a),
  (a, _b, k) => cr.sub(a, k),
  (a, _b, k) => cr.div(a, k),
  (a, _b, k) => cr.div(k, cr.add(cr.square(a), 1)),
  (a, _b, k) => cr.pow(cr.add(cr.abs(a), 0.5), k),
  (a, _b, k) => cr.pow(a, k),
  (a, _b, k) => cr.mul(k, cr.relu(a)),
  (a, b, k) => cr.where(cr.gt(a, k), a, b),
  (a, b, k) => cr.where(k, a, b),
  (a, _b, k) => cr.max(a, k),
  (a, _b, k) => cr.min(k, a),
  (a, _b, k) => cr.atan2(a, k),
  (a, b, k) => cr.sum([a, k, b]),
  (a, b, k) => cr.dot([a, k], [b, a]),
  (a, _b, k) => cr.logSumExp([a, k]),
  (a, b) => cr.mul(a, b),
  (a, b) => cr.add(a, b),
  (a, b) => cr.sub(a, cr.neg(b)),
  (a) => cr.neg(cr.neg(a)),
  (a) => cr.exp(a),
  (a) => cr.log(a),
  (a) => cr.sqrt(a),
  (a) => cr.tanh(a),
  (a) => cr.sin(a),
  (a) => cr.square(a),
  (a) => cr.sigmoid(a),
  (a) => cr.softplus(a),
  (a) => cr.abs(a),
  (a) => cr.reciprocal(a),
];

interface Step {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly k: number;
}

/** A straight-line program over two inputs; each step appends one value; the output is the last. */
function run(steps: readonly Step[], x: Num, y: Num): Num {
  const vals: Num[] = [x, y];
  for (const s of steps) {
    const n = vals.length;
    vals.push(OPS[s.op % OPS.length]!(vals[s.a % n]!, vals[s.b % n]!, SPECIAL[s.k % SPECIAL.length]!));
  }
  return vals[vals.length - 1]!;
}

const step = fc.record({ op: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000), k: fc.nat(1000) });
const program = fc.array(step, { minLength: 1, maxLength: 8 });
const input = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, -0, 1, -1));

describe("random programs with ±Infinity, NaN and -0 among the constants", () => {
  for (const strategy of ["compiled", "interpreted"] as const) {
    it(`jit (${strategy}) equals eager for value, grad, grad∘grad, jvp and grad of jit`, () => {
      codegen.forbidden = strategy === "interpreted";
      fc.assert(
        fc.property(program, input, input, (steps, x, y) => {
          // Every prefix of the program: the last operation is where a constant meets the output's
          // cotangent 1 directly, so each operation gets its turn there.
          for (let len = 1; len <= steps.length; len++) {
            const f = (a: Num, b: Num) => run(steps.slice(0, len), a, b);
            const df = grad(f, { argnums: [0, 1] });
            const ddf = grad(grad(f));
            const tangent = (a: Num, b: Num) => jvp(f, [a, b], [1, -0.5]);
            expectAgree(jit(f)(x, y), f(x, y));
            expectAgree(jit(df)(x, y), df(x, y));
            expectAgree(jit(ddf)(x, y), ddf(x, y));
            expectAgree(jit(tangent)(x, y), tangent(x, y));
            expectAgree(grad(jit(f), { argnums: [0, 1] })(x, y), df(x, y));
          }
        }),
        { numRuns: 100, seed: 20261204 },
      );
    });
  }
});
