// Differential fuzzing: random programs over every primitive, on random tree shapes (inputs and
// outputs) and with ±Infinity, NaN and -0 among the constants, evaluated two ways that must agree
// — eager against jit, grad against jit(grad) and grad(jit), jvp against jit(jvp), vjp against
// jit(vjp) — with generated code and with the interpreter. Agreement means the same structure
// (deep, keys in order) and the same numbers to 1e-12 relative (NaN equals NaN, 0 equals -0).
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import * as chainrule from "../../src/index.js";
import { grad, jit, jvp, sum, vjp, type Num } from "../../src/index.js";
import { codegen } from "../../src/core/compile.js";
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

/** A tree shaped like `t` filled with the case's noise. */
const like = (t: unknown, c: Case): unknown => mapLeaves(t, (_, i) => c.noise[i % c.noise.length]!);

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

const f = (p: Program) => (x: unknown): unknown => runProgram(p, x);
/** A scalar made of every output leaf, for grad. */
const scalar = (p: Program) => (x: unknown): Num => sum(leavesOf(runProgram(p, x)) as Num[]);

const COMPARISONS: readonly (readonly [string, (c: Case) => string | undefined])[] = [
  ["jit(f) equals f", (c) => compare(() => f(c.prog)(c.input), () => jit(f(c.prog))(c.input))],
  ["jit(grad(f)) equals grad(f)", (c) => compare(() => grad(scalar(c.prog))(c.input), () => jit(grad(scalar(c.prog)))(c.input))],
  ["grad(jit(f)) equals grad(f)", (c) => compare(() => grad(scalar(c.prog))(c.input), () => grad(jit(scalar(c.prog)))(c.input))],
  [
    "jit(jvp) equals jvp",
    (c) => {
      const t = like(c.input, c);
      const run = (x: unknown, t: unknown): unknown => jvp(f(c.prog), [x], [t as never]);
      return compare(() => run(c.input, t), () => jit(run)(c.input, t));
    },
  ],
  [
    "jit(vjp) and vjp(jit(f)) equal vjp, the pullback applied to a random cotangent",
    (c) => {
      let ct: unknown;
      try {
        ct = like(f(c.prog)(c.input), c);
      } catch {
        ct = 0; // the reference throws too; the comparison reports whether jit agrees
      }
      const run = (x: unknown, ct: unknown): unknown => {
        const [y, pullback] = vjp(f(c.prog), x);
        return [y, pullback(ct as never)[0]];
      };
      const viaJit = (x: unknown, ct: unknown): unknown => {
        const [y, pullback] = vjp(jit(f(c.prog)), x);
        return [y, pullback(ct as never)[0]];
      };
      return compare(() => run(c.input, ct), () => jit(run)(c.input, ct)) ?? compare(() => run(c.input, ct), () => viaJit(c.input, ct));
    },
  ],
];

const REGIMES: readonly (readonly [string, fc.Arbitrary<Case>, number])[] = [
  ["random tree shapes in and out", shapes, 100],
  ["±Infinity, NaN and -0 among the constants", specials, 300],
  ["random trees and special constants together", everything, 100],
];

for (const [strategy, forbidden] of [
  ["generated code", false],
  ["interpreter", true],
] as const) {
  describe(`differential, jit by ${strategy}`, () => {
    for (const [regime, cases, runs] of REGIMES) {
      for (const [name, check] of COMPARISONS) {
        it(
          `${name}: ${regime}`,
          () => {
            codegen.forbidden = forbidden;
            fc.assert(
              fc.property(cases, (c) => {
                const problem = check(c);
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
