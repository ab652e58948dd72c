// Differential fuzzing: random programs over every primitive, on random tree shapes (inputs and
// outputs) and with ±Infinity, NaN and -0 among the constants, evaluated two ways that must agree
// — eager against jit, grad against jit(grad) and grad(jit), jvp against jit(jvp), vjp against
// jit(vjp) — with generated code and with the interpreter. Agreement means the same structure
// (deep, keys in order) and the same numbers to 1e-12 relative (NaN equals NaN, 0 equals -0).
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import * as chainrule from "../../src/index.js";
import { eq, grad, jit, jvp, logSumExp, mul, pow, relu, sum, vjp, where, type Num } from "../../src/index.js";
import { codegen } from "../../src/jit/compile.js";
import {
  difference,
  FUZZ_OPS,
  fuzzParams,
  fuzzTimeout,
  inputNumber,
  leavesOf,
  mapLeaves,
  program,
  runProgram,
  showProgram,
  showTree,
  specialNumber,
  treeOf,
  type Program,
} from "../support/fuzz.js";
import * as arithmetic from "../../src/primitives/arithmetic.js";
import * as exponential from "../../src/primitives/exponential.js";
import * as neural from "../../src/primitives/neural.js";
import * as reductions from "../../src/primitives/reductions.js";
import * as rounding from "../../src/primitives/rounding.js";
import * as select from "../../src/primitives/select.js";
import * as trig from "../../src/primitives/trig.js";

afterEach(() => {
  codegen.forbidden = false;
});

describe("the fuzzed operations", () => {
  it("cover every primitive the package exports", () => {
    // A public primitive is an export of the package that one of src/primitives/* defines.
    const modules = [arithmetic, exponential, neural, reductions, rounding, select, trig];
    const exported = new Set(Object.keys(chainrule));
    const primitives = modules.flatMap((m) => Object.keys(m)).filter((k) => exported.has(k));
    const fuzzed = new Set(FUZZ_OPS.map((o) => o.name));
    expect(primitives.length).toBeGreaterThan(40);
    expect(primitives.filter((p) => !fuzzed.has(p))).toEqual([]);
  });
});

// ---- the generators -----------------------------------------------------------------------------

/** A case: an input tree, a program, and random numbers for tangents and cotangents. */
interface Case {
  readonly input: unknown;
  readonly prog: Program;
  readonly noise: readonly number[];
}

const noise = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 8, maxLength: 8 });

/** Random tree shapes in and out, ordinary constants: what the structure handling must get right. */
const shapes: fc.Arbitrary<Case> = fc.record({
  input: treeOf(inputNumber),
  prog: program(fc.double({ min: -3, max: 3, noNaN: true })),
  noise,
});

/** Flat inputs and outputs, special constants: what the numerics must get right. */
const flat = <T>(leaf: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> => fc.oneof(leaf, fc.array(leaf, { minLength: 2, maxLength: 4 }));
const specials: fc.Arbitrary<Case> = fc.record({
  input: flat(inputNumber),
  prog: fc.record({
    consts: fc.array(specialNumber, { minLength: 1, maxLength: 3 }),
    steps: program(specialNumber).chain((p) => fc.constant(p.steps)),
    out: flat(fc.nat()),
  }),
  noise,
});

/** Everything at once: random trees and special constants. */
const everything: fc.Arbitrary<Case> = fc.record({ input: treeOf(inputNumber), prog: program(specialNumber), noise });


// ---- the comparisons ----------------------------------------------------------------------------

/**
 * Runs both sides; they must both throw (the same error class) or agree. Returns a description
 * of the disagreement, or undefined.
 */
function compare(reference: () => unknown, other: () => unknown): string | undefined {
  let expected: unknown;
  let actual: unknown;
  let expectedError: unknown;
  let actualError: unknown;
  try {
    expected = reference();
  } catch (e) {
    expectedError = e;
  }
  try {
    actual = other();
  } catch (e) {
    actualError = e;
  }
  if (expectedError !== undefined || actualError !== undefined) {
    const name = (e: unknown): string => (e === undefined ? "a result" : e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    if (expectedError !== undefined && actualError !== undefined && (expectedError as object).constructor === (actualError as object).constructor) {
      return undefined;
    }
    return `threw ${name(actualError)} where the reference gave ${name(expectedError)}`;
  }
  return difference(actual, expected);
}

/** What a comparison runs: a function from a tree to a tree, its input, and numbers for tangents and cotangents. */
interface Subject {
  readonly fn: (x: unknown) => unknown;
  readonly input: unknown;
  readonly noise: readonly number[];
}
const subject = (c: Case): Subject => ({ fn: (x) => runProgram(c.prog, x), input: c.input, noise: c.noise });
/** A scalar made of every output leaf, for grad. */
const scalar = (s: Subject) => (x: unknown): Num => sum(leavesOf(s.fn(x)) as Num[]);
/** A tree shaped like `t` filled with the subject's noise. */
const like = (t: unknown, s: Subject): unknown => mapLeaves(t, (_, i) => s.noise[i % s.noise.length]!);

const COMPARISONS: readonly (readonly [string, (s: Subject) => string | undefined])[] = [
  ["jit(f) equals f", (s) => compare(() => s.fn(s.input), () => jit(s.fn)(s.input))],
  ["jit(grad(f)) equals grad(f)", (s) => compare(() => grad(scalar(s))(s.input), () => jit(grad(scalar(s)))(s.input))],
  ["grad(jit(f)) equals grad(f)", (s) => compare(() => grad(scalar(s))(s.input), () => grad(jit(scalar(s)))(s.input))],
  [
    "jit(jvp) equals jvp",
    (s) => {
      const t = like(s.input, s);
      const run = (x: unknown, t: unknown): unknown => jvp(s.fn, [x], [t as never]);
      return compare(() => run(s.input, t), () => jit(run)(s.input, t));
    },
  ],
  [
    "jit(vjp) and vjp(jit(f)) equal vjp, the pullback applied to a random cotangent",
    (s) => {
      let ct: unknown;
      try {
        ct = like(s.fn(s.input), s);
      } catch {
        ct = 0; // the reference throws too; the comparison reports whether jit agrees
      }
      const run = (x: unknown, ct: unknown): unknown => {
        const [y, pullback] = vjp(s.fn, x);
        return [y, pullback(ct as never)[0]];
      };
      const viaJit = (x: unknown, ct: unknown): unknown => {
        const [y, pullback] = vjp(jit(s.fn), x);
        return [y, pullback(ct as never)[0]];
      };
      return compare(() => run(s.input, ct), () => jit(run)(s.input, ct)) ?? compare(() => run(s.input, ct), () => viaJit(s.input, ct));
    },
  ],
];

/**
 * Counterexamples the fuzzer found (shrunk), kept so that they are checked on every run
 * whatever the random seed and budget.
 */
const FOUND: readonly (readonly [string, Subject])[] = [
  ["an array of single-leaf trees as input", { fn: (x) => x, input: { w: [[0]] }, noise: [0.5] }],
  ["an array of single-leaf trees as output", { fn: (x) => [[x], [mul(x as Num, 2)]], input: 1, noise: [0.5] }],
  ["a record inside a two-element array as output", { fn: (x) => [x, { w: x }], input: 0, noise: [0.5] }],
  [
    "pow with an infinite exponent at 0",
    {
      fn: (x) => {
        const v = pow((x as Num[])[1]!, Infinity);
        return [v, v];
      },
      input: [0, 0],
      noise: [0.5],
    },
  ],
  ["an infinite constant times relu of a negative input", { fn: (x) => mul(Infinity, relu(x as Num)), input: -1, noise: [0.5] }],
  [
    "a re-rolled loop whose operands move backwards through the inputs",
    {
      fn: (x) => {
        const [a, , c] = x as Num[];
        return logSumExp([where(eq(c!, c!), c!, 0), c!, a!]);
      },
      input: [1, 7, 0.5],
      noise: [0.5],
    },
  ],
];

const REGIMES: readonly (readonly [string, fc.Arbitrary<Case>, number])[] = [
  ["random tree shapes in and out", shapes, 100],
  ["±Infinity, NaN and -0 among the constants", specials, 500],
  ["random trees and special constants together", everything, 100],
];

for (const [strategy, forbidden] of [
  ["generated code", false],
  ["interpreter", true],
] as const) {
  describe(`differential, jit by ${strategy}`, () => {
    for (const [name, check] of COMPARISONS) {
      it(`${name}: the counterexamples found so far`, () => {
        codegen.forbidden = forbidden;
        const problems = FOUND.flatMap(([what, s]) => {
          const problem = check(s);
          return problem === undefined ? [] : [`${what}: ${problem}`];
        });
        expect(problems).toEqual([]);
      });
    }
    for (const [regime, cases, runs] of REGIMES) {
      for (const [name, check] of COMPARISONS) {
        it(
          `${name}: ${regime}`,
          () => {
            codegen.forbidden = forbidden;
            fc.assert(
              fc.property(cases, (c) => {
                const problem = check(subject(c));
                if (problem !== undefined) {
                  throw new Error(`${problem}\n  input ${showTree(c.input)}\n  program ${showProgram(c.prog, c.input)}`);
                }
              }),
              fuzzParams(runs),
            );
          },
          fuzzTimeout(30_000),
        );
      }
    }
  });
}
