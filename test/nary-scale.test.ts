// The n-ary primitives take any number of inputs: no call spreads an array (which overflows the
// stack somewhere above 60 000 arguments), in eager evaluation, the backward pass, forward mode,
// folding, the generated code and the interpreter. Checked at a million inputs against closed
// forms; 100 000 (past where a spread overflowed) for the gradients that stage a few equations
// per input, which would make this test slow at a million.
import { afterEach, describe, expect, it } from "vitest";
import { codegen } from "../src/jit/compile.js";
import {
  add,
  ChainruleError,
  definePrimitive,
  dot,
  grad,
  jit,
  jvp,
  logSumExp,
  mean,
  softmax,
  sum,
  TreeStructureError,
  type Num,
} from "../src/index.js";

const N = 1_000_000;

const data = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const xs = data(N, (i) => Math.sin(i));
const ws = data(N, (i) => Math.cos(i));

// Closed forms, computed here in plain JavaScript.
function plainSum(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}
function plainSoftmax(v: readonly number[]): number[] {
  let m = -Infinity;
  for (const x of v) if (x > m) m = x;
  const e = v.map((x) => Math.exp(x - m));
  const s = plainSum(e);
  return e.map((x) => x / s);
}
function plainLogSumExp(v: readonly number[]): number {
  let m = -Infinity;
  for (const x of v) if (x > m) m = x;
  return m + Math.log(plainSum(v.map((x) => Math.exp(x - m))));
}

/** sum, mean, dot (both sides the same vector) and logSumExp in one scalar. */
const all = (v: Num[]): Num => add(add(sum(v), mean(v)), add(dot(v, v), logSumExp(v)));
/** Its value and its gradient 1 + 1/n + 2v + softmax(v), in plain JavaScript. */
const allValue = (v: readonly number[]): number =>
  plainSum(v) * (1 + 1 / v.length) + plainSum(v.map((x) => x * x)) + plainLogSumExp(v);
const allGrad = (v: readonly number[]): ((i: number) => number) => {
  const q = plainSoftmax(v);
  return (i) => 1 + 1 / v.length + 2 * v[i]! + q[i]!;
};

function expectNear(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

/** Checks a few entries (first, second, middle, last) of a long gradient against `expected(i)`. */
function expectEntries(actual: readonly number[], n: number, expected: (i: number) => number): void {
  expect(actual.length).toBe(n);
  for (const i of [0, 1, n >> 1, n - 1]) expectNear(actual[i]!, expected(i));
}

afterEach(() => {
  codegen.forbidden = false;
});

describe("a million inputs", () => {
  it("eagerly: sum, mean, dot, logSumExp and softmax", () => {
    const s = plainSum(xs);
    expectNear(sum(xs) as number, s);
    expectNear(mean(xs) as number, s / N);
    expectNear(dot(xs, ws) as number, plainSum(xs.map((x, i) => x * ws[i]!)));
    expectNear(logSumExp(xs) as number, plainLogSumExp(xs));
    const q = plainSoftmax(xs);
    expectEntries(softmax(xs) as number[], N, (i) => q[i]!);
  });

  it("under grad: sum, mean, dot and logSumExp (whose gradient is a softmax)", () => {
    expectEntries(grad(all)(xs), N, allGrad(xs));
  });

  it("under jvp: the derivative along w", () => {
    const [value, tangent] = jvp(all, [xs], [ws]);
    expectNear(value as number, allValue(xs));
    const g = allGrad(xs);
    expectNear(tangent as number, plainSum(ws.map((w, i) => w * g(i))));
  });

  for (const strategy of ["compiled", "interpreted"] as const) {
    it(`under jit (${strategy})`, () => {
      codegen.forbidden = strategy === "interpreted";
      const f = jit(all);
      expect(f.lower(xs).strategy).toBe(strategy);
      expectNear(f(xs), allValue(xs));
    });
  }

  // jit(grad) of every n-ary primitive at 10⁶ inputs: test/fuzz/scale-nary-jit.test.ts.

  it("constants folded by the optimiser: a sum of a million numbers closed over", () => {
    const f = jit((x: Num) => add(x, sum(ws)));
    expectNear(f(1), 1 + plainSum(ws));
    expect(f.lower(1).stats.equations).toBe(1);
  });

  it("a user primitive whose impl takes separate arguments: a ChainruleError past the limit, not a stack overflow", () => {
    const total = definePrimitive({ name: "manyArgsTotal", impl: (...v: number[]) => v.reduce((a, b) => a + b, 0), partials: (v) => v.map(() => 1) });
    expect(total(1, 2, 3)).toBe(6);
    // (Its own wrapper takes separate arguments too, so a caller can only get so far.)
    const many = xs.slice(0, 60_000) as Num[];
    expect(() => total(...many)).toThrow(ChainruleError);
    expect(() => total(...many)).toThrow(/manyArgsTotal: 60000 inputs .*at most 50000/);
  });
});

describe("reductions given something that is not an array of Nums", () => {
  const cases: readonly (readonly [string, () => unknown, string, string])[] = [
    ["sum(5)", () => sum(5 as never), "xs", "sum: xs must be an array"],
    ["mean(null)", () => mean(null as never), "xs", "mean: xs must be an array"],
    ["dot(null, [1])", () => dot(null as never, [1]), "xs", "dot: xs must be an array"],
    ["dot([1], {})", () => dot([1], {} as never), "ys", "dot: ys must be an array"],
    ['softmax("")', () => softmax("" as never), "xs", "softmax: xs must be an array"],
    ["logSumExp({})", () => logSumExp({} as never), "xs", "logSumExp: xs must be an array"],
    ["dot([1, 2], [1])", () => dot([1, 2], [1]), "ys", "dot: xs has 2 elements and ys has 1"],
    ['sum([1, "a"])', () => sum([1, "a" as never]), "xs[1]", "sum: xs[1] must be a Num"],
    ["dot([1, 2], [3, undefined])", () => dot([1, 2], [3, undefined as never]), "ys[1]", "dot: ys[1] must be a Num"],
    ["softmax([{}])", () => softmax([{} as never]), "xs[0]", "softmax: xs[0] must be a Num"],
  ];
  for (const [name, call, path, message] of cases) {
    it(`${name}: TreeStructureError at ${path}`, () => {
      let caught: unknown;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TreeStructureError);
      expect((caught as TreeStructureError).path).toBe(path);
      expect((caught as Error).message).toContain(message);
    });
  }
});
