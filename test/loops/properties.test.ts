// Property tests: random bodies (random straight-line programs over the safe primitives of the
// jit tests) used as a scan body over random lengths 0–20, against the same body unrolled by a
// JavaScript loop: values and gradients, eager and under jit. Fixed seed (test/support/fuzz.ts).
import fc from "fast-check";
import { describe, it } from "vitest";
import { add, grad, jit, mul, scan, sum, tanh, valueAndGrad, type Num } from "../../src/index.js";
import { fuzzParams, fuzzTimeout } from "../support/fuzz.js";
import { expectAgree, runProgram, SAFE_OPS, type Step } from "../transforms/jit-helpers.js";

const moderate = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
const stepArb: fc.Arbitrary<Step> = fc.record({ op: fc.nat(SAFE_OPS.length - 1), a: fc.nat(40), b: fc.nat(40), c: fc.nat(40) });

interface Case {
  readonly steps: readonly Step[];
  readonly xs: readonly (readonly [number, number])[];
  readonly params: readonly number[]; // [w0, w1, h0, h1]
  readonly reverse: boolean;
  /** `checkpoint: { snapshots }`, or undefined for "all". */
  readonly snapshots: number | undefined;
}

/**
 * The cases of the second-order test keep their numbers away from the subnormal range. At a
 * second derivative that overflows (√|x| at x = −5e-324), the loop can give NaN where the
 * unrolled loop gives −∞: a cotangent that is exactly 0 at run time still multiplies an infinite
 * local gradient in the loop's derived body, where the unrolled tape left the equation out
 * altogether. docs/loops.md states this limit.
 */
const awayFromSubnormal = (x: number): number => (Math.abs(x) < 1e-300 ? 0 : x);

const caseArb: fc.Arbitrary<Case> = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 10 }),
  xs: fc.array(fc.tuple(moderate, moderate), { maxLength: 20 }),
  params: fc.tuple(moderate, moderate, moderate, moderate),
  reverse: fc.boolean(),
  snapshots: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
});

/**
 * One step of the random body: the program reads (carry, x, w) and its last three values are the
 * new carry (squashed by tanh so that twenty steps stay finite) and the output.
 */
function body(steps: readonly Step[], c: readonly [Num, Num], x: readonly [Num, Num], w: readonly [Num, Num]): [[Num, Num], Num] {
  const [a, b, y] = runProgram(steps, [c[0], c[1], x[0], x[1], w[0], w[1]], 3);
  return [[tanh(add(a!, c[0])), tanh(b!)], y!];
}

/** The loss through scan: the final carry and a weighted sum of the outputs. */
function viaScan(k: Case) {
  return (p: Num[]): Num => {
    const w: [Num, Num] = [p[0]!, p[1]!];
    const [c, ys] = scan((c: [Num, Num], x: readonly [number, number]) => body(k.steps, c, x, w), [p[2]!, p[3]!] as [Num, Num], k.xs, {
      reverse: k.reverse,
      checkpoint: k.snapshots === undefined ? "all" : { snapshots: k.snapshots },
    });
    return add(add(c[0], mul(0.5, c[1])), sum(ys.map((y, i) => mul(y, 1 / (i + 1)))));
  };
}

/** The same loss, the loop written out in JavaScript. */
function unrolled(k: Case) {
  return (p: Num[]): Num => {
    const w: [Num, Num] = [p[0]!, p[1]!];
    let c: [Num, Num] = [p[2]!, p[3]!];
    const ys = new Array<Num>(k.xs.length);
    for (let j = 0; j < k.xs.length; j++) {
      const i = k.reverse ? k.xs.length - 1 - j : j;
      [c, ys[i]] = body(k.steps, c, k.xs[i]!, w);
    }
    return add(add(c[0], mul(0.5, c[1])), sum(ys.map((y, i) => mul(y, 1 / (i + 1)))));
  };
}

describe("scan over random bodies and lengths 0–20, against the unrolled loop", () => {
  it(
    "gives the same second derivatives (the gradient's directional derivative) eagerly",
    () => {
      fc.assert(
        fc.property(caseArb, (k0) => {
          const k = { ...k0, xs: k0.xs.map(([a, b]) => [awayFromSubnormal(a), awayFromSubnormal(b)] as const) };
          const p = k.params.map(awayFromSubnormal);
          const t = [0.3, -0.2, 0.5, 0.1];
          const dir = (f: (p: Num[]) => Num) => (q: Num[]) => grad(f)(q).reduce((a: Num, gi, i) => add(a, mul(gi, t[i]!)), 0);
          expectAgree(grad(dir(viaScan(k)))(p), grad(dir(unrolled(k)))(p), 1e-9);
        }),
        fuzzParams(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "gives the same values and gradients eagerly",
    () => {
      fc.assert(
        fc.property(caseArb, (k) => {
          const p = k.params.slice();
          expectAgree(valueAndGrad(viaScan(k))(p), valueAndGrad(unrolled(k))(p), 1e-12);
        }),
        fuzzParams(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "gives the same values and gradients under jit, jit(grad) and grad(jit)",
    () => {
      fc.assert(
        fc.property(caseArb, (k) => {
          const p = k.params.slice();
          const [v, g] = valueAndGrad(unrolled(k))(p);
          expectAgree(jit(viaScan(k))(p), v, 1e-9);
          const jg = jit(grad(viaScan(k)));
          expectAgree(jg(p), g, 1e-9);
          // again, and at other values: the compiled backward half takes the forward loop's carries
          // only when they are for its inputs
          expectAgree(jg(p), g, 1e-9);
          const q = p.map((x) => x * 0.75);
          expectAgree(jg(q), grad(unrolled(k))(q), 1e-9);
          expectAgree(grad(jit(viaScan(k)))(p), g, 1e-9);
        }),
        fuzzParams(40),
      );
    },
    fuzzTimeout(120_000),
  );
});
