// scan's carry and outputs on random tree shapes (arrays of one-leaf trees, deep nesting, empty
// arrays and records, a key named "a b"), with an infinite constant among the body's, against the
// same loop written out in JavaScript: values and gradients, eagerly and under jit.
import fc from "fast-check";
import { describe, it } from "vitest";
import { add, grad, jit, mul, scan, tanh, treeLeaves, treeMap, valueAndGrad, type Num } from "../../src/index.js";
import { fuzzParams, fuzzTimeout, treeOf } from "../support/fuzz.js";
import { expectAgree } from "../transforms/jit-helpers.js";

const moderate = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });

interface Case {
  readonly init: unknown; // a tree of numbers
  readonly xs: readonly number[];
  readonly k: number; // a constant of the body, possibly infinite
  readonly reverse: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  init: treeOf(moderate, 5),
  xs: fc.array(moderate, { maxLength: 8 }),
  k: fc.constantFrom(0.5, -2, Infinity, -Infinity),
  reverse: fc.boolean(),
});

/** One step: every carry leaf moves; the output is the carry before the step (a tree too). */
function step(c: unknown, x: Num, w: Num, k: number): [unknown, unknown] {
  return [treeMap((v: Num) => tanh(add(mul(v, w), mul(tanh(x), k))), c as never), c];
}

/** The loss: the final carry's leaves and every output's, weighted by step. */
function lossOf(c: unknown, ys: readonly unknown[]): Num {
  let s: Num = 0;
  for (const v of treeLeaves(c as never) as Num[]) s = add(s, v);
  ys.forEach((y, i) => {
    for (const v of treeLeaves(y as never) as Num[]) s = add(s, mul(v, 1 / (i + 2)));
  });
  return s;
}

const viaScan = (k: Case) => (w: Num) => {
  const [c, ys] = scan((c: unknown, x: Num) => step(c, x, w, k.k) as [unknown, unknown], k.init, k.xs, { reverse: k.reverse });
  return lossOf(c, ys);
};

const unrolled = (k: Case) => (w: Num) => {
  let c: unknown = k.init;
  const ys = new Array<unknown>(k.xs.length);
  for (let j = 0; j < k.xs.length; j++) {
    const i = k.reverse ? k.xs.length - 1 - j : j;
    [c, ys[i]] = step(c, k.xs[i]!, w, k.k);
  }
  return lossOf(c, ys);
};

describe("scan over random tree carries, against the unrolled loop", () => {
  it(
    "gives the same values and gradients eagerly, under jit(valueAndGrad) and grad(jit)",
    () => {
      fc.assert(
        fc.property(caseArb, moderate, (k, w) => {
          const want = valueAndGrad(unrolled(k))(w);
          expectAgree(valueAndGrad(viaScan(k))(w), want, 1e-12);
          expectAgree(jit(valueAndGrad(viaScan(k)))(w), want, 1e-9);
          expectAgree(grad(jit(viaScan(k)))(w), want[1], 1e-9);
        }),
        fuzzParams(60),
      );
    },
    fuzzTimeout(120_000),
  );
});
