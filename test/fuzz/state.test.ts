// State after errors, fuzzed: an exception thrown at any nesting depth (a user function throws
// inside grad inside jit inside vjp…, a derivative rule throws, a bad argument is refused) must
// leave nothing behind: no trace stays open, NaN checking is off with no rule marked as running,
// the user's exception reaches the caller unchanged, the next ordinary calls give correct
// results, and debugNans still attributes a NaN to the right primitive.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  cos,
  customJvp,
  customVjp,
  debugNans,
  definePrimitive,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  log,
  logSumExp,
  makeGraph,
  mul,
  NonFiniteError,
  sin,
  sum,
  valueAndGrad,
  vjp,
  type Num,
} from "../../src/index.js";
import { codegen } from "../../src/jit/compile.js";
import { nanWatch } from "../../src/core/eval.js";
import { currentLevel } from "../../src/core/trace.js";
import { fuzzParams, fuzzTimeout, sameNumber } from "../support/fuzz.js";

afterEach(() => {
  codegen.forbidden = false;
  resetState();
});

type F = (x: Num) => Num;

/** The user's own exception. */
class UserError extends Error {}

// ---- transforms that nest: each turns a scalar function into a scalar function -----------------

const WRAPPERS: readonly (readonly [string, (g: F) => F])[] = [
  ["grad", (g) => grad(g)],
  ["valueAndGrad", (g) => (x) => sum(valueAndGrad(g)(x))],
  ["jit", (g) => jit(g)],
  ["vjp", (g) => (x) => {
    const [y, pullback] = vjp(g, x);
    return add(y, pullback(0.5)[0]);
  }],
  ["jvp", (g) => (x) => sum(jvp(g, [x], [0.5]))],
  ["jacfwd", (g) => jacfwd(g)],
  ["jacrev", (g) => jacrev(g)],
  ["hessian", (g) => hessian(g)],
  ["hvp", (g) => (x) => hvp(g)(x, 1)],
  ["debugNans", (g) => debugNans(g)],
  ["makeGraph", (g) => (x) => {
    makeGraph(g)(x);
    return g(x);
  }],
  ["customVjp", (g) => customVjp(g, { fwd: (x: Num) => [g(x), x] as const, bwd: (x: Num, ct: Num) => [mul(ct, grad(g)(x))] })],
  ["customJvp", (g) => customJvp(g, { jvp: ([x]: [Num], [t]: [Num]) => [g(x), mul(t, grad(g)(x))] })],
];

// ---- the innermost function: ordinary, or one that throws in one of several ways ---------------

let unique = 0;
const ruleThrows = (kind: "partials" | "jvp" | "vjp"): F => {
  const rule = (): never => {
    throw new UserError(`the ${kind} rule throws`);
  };
  return definePrimitive({ name: `fuzzStateThrows${unique++}`, impl: (x: number) => Math.sin(x), [kind]: rule }) as F;
};
let leaked: Num = 0;
grad((x: Num) => {
  leaked = x;
  return x;
})(1);

/** Inner functions that fail, and what the failure is: the user's own error, or a refusal. */
const THROWERS: readonly (readonly [string, "user" | "refused" | "maybe", () => F])[] = [
  ["the user function throws", "user", () => () => {
    throw new UserError("user function");
  }],
  ["the user function throws after some work", "user", () => (x) => {
    sin(mul(x, x));
    throw new UserError("user function, later");
  }],
  ["a partials rule throws", "maybe", () => ruleThrows("partials")],
  ["a jvp rule throws", "maybe", () => ruleThrows("jvp")],
  ["a vjp rule throws", "maybe", () => ruleThrows("vjp")],
  ["a customVjp bwd throws", "maybe", () =>
    customVjp((x: Num) => sin(x), {
      fwd: (x: Num) => [sin(x), x] as const,
      bwd: () => {
        throw new UserError("bwd");
      },
    })],
  ["a customJvp rule throws", "maybe", () =>
    customJvp((x: Num) => sin(x), {
      jvp: () => {
        throw new UserError("custom jvp");
      },
    })],
  ["a primitive refuses a bad argument", "refused", () => (x) => mul(x, "two" as unknown as Num)],
  ["a leaked tracer is used", "refused", () => (x) => mul(x, leaked)],
  ["an inner transform refuses its arguments", "refused", () => (x) => sum(jvp((y: Num) => y, [x], [] as never))],
  // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
  ["an inner transform refuses its options", "refused", () => (x) => grad((y: Num) => y, { argnums: 7 })(x)],
];

/** What an ordinary function gives under the same stack, computed before any error. */
const ordinary: F = (x) => add(sin(x), mul(x, x));
const stackOf = (indices: readonly number[], g: F): F => indices.reduce((h, i) => WRAPPERS[i % WRAPPERS.length]![1](h), g);

/** The global state that must be clean between calls. */
function expectCleanState(): void {
  expect(currentLevel(), "open traces").toBe(0);
  expect(nanWatch.hook, "NaN checking left on").toBeUndefined();
  expect(nanWatch.rule?.name, "a rule left marked as running").toBeUndefined();
}

/** Clears what a failed case may have left, so that each case (and each shrink) stands alone. */
function resetState(): void {
  nanWatch.hook = undefined;
  nanWatch.rule = undefined;
}

/** Ordinary calls after the error: every transform still computes the right numbers. */
function expectOrdinaryCallsWork(): void {
  const x = 0.7;
  const f = (y: Num): Num => mul(sin(y), y);
  const df = Math.cos(x) * x + Math.sin(x);
  expect(grad(f)(x)).toBeCloseTo(df, 12);
  expect(jit(grad(f))(x)).toBeCloseTo(df, 12);
  expect(grad(jit(f))(x)).toBeCloseTo(df, 12);
  expect(jvp(f, [x], [1])[1]).toBeCloseTo(df, 12);
  expect(vjp(f, x)[1](1)[0]).toBeCloseTo(df, 12);
  expect(grad(grad(f))(x)).toBeCloseTo(2 * Math.cos(x) - x * Math.sin(x), 12);
  expect(jit(f)(x)).toBeCloseTo(Math.sin(x) * x, 12);
  expect(grad(cos)(x)).toBeCloseTo(-Math.sin(x), 12);
}

/** debugNans names the primitive that made the NaN, and the rule it ran in (if any). */
function expectDebugNansAttributesCorrectly(): void {
  const caught = (f: () => unknown): NonFiniteError => {
    try {
      f();
    } catch (e) {
      if (e instanceof NonFiniteError) return e;
      throw e;
    }
    throw new Error("debugNans did not report the NaN");
  };
  const forward = caught(() => grad(debugNans((x: Num) => log(x)))(-1));
  expect([forward.primitive, forward.rule]).toEqual(["log", undefined]);
  const jitted = caught(() => debugNans(jit((x: Num) => log(x)))(-1));
  expect(jitted.primitive).toBe("log");
  const inRule = caught(() => debugNans(grad((x: Num) => logSumExp([x, x])))(Infinity));
  expect(inRule.rule).toBe("logSumExp");
}

for (const [strategy, forbidden] of [
  ["generated code", false],
  ["interpreter", true],
] as const) {
  describe(`state after an error at any nesting depth (jit by ${strategy})`, () => {
    const groups = [
      ["the user function throws or an argument is refused", THROWERS.filter(([, kind]) => kind !== "maybe")],
      ["a derivative rule throws", THROWERS.filter(([, kind]) => kind === "maybe")],
    ] as const;
    for (const [group, throwers] of groups) {
      it(
        `${group}: no trace stays open, NaN checking is off, the user's error passes unchanged, and the next calls are correct`,
        () => {
          codegen.forbidden = forbidden;
          fc.assert(
            fc.property(
              fc.array(fc.nat(WRAPPERS.length - 1), { maxLength: 4 }),
              fc.constantFrom(...throwers),
              fc.double({ min: -2, max: 2, noNaN: true }),
              (stack, [, kind, make], x) => {
                resetState();
                const expected = stackOf(stack, ordinary)(x);
                let thrown: unknown;
                try {
                  stackOf(stack, make())(x);
                } catch (e) {
                  thrown = e;
                }
                if (kind === "user" || (kind === "maybe" && thrown !== undefined)) {
                  expect(thrown, "the user's error passes through").toBeInstanceOf(UserError);
                }
                if (kind === "refused") expect(thrown, "the refusal is a ChainruleError").toBeInstanceOf(ChainruleError);
                expectCleanState();
                const again = stackOf(stack, ordinary)(x);
                expect(sameNumber(Number(again), Number(expected)), `the same stack again: ${String(again)} vs ${String(expected)}`).toBe(true);
                expectOrdinaryCallsWork();
              },
            ),
            fuzzParams(80),
          );
          expectDebugNansAttributesCorrectly();
        },
        fuzzTimeout(30_000),
      );
    }
  });
}

describe("state after an error, the named cases", () => {
  it("a derivative rule that throws at top level leaves debugNans pointing at the right primitive", () => {
    const bad = ruleThrows("partials");
    expect(() => grad(bad)(1)).toThrow(UserError);
    expectCleanState();
    expectDebugNansAttributesCorrectly();
  });

  it("a user function that throws inside grad inside jit inside vjp leaves no trace open", () => {
    const f = stackOf([0, 2, 3], () => {
      throw new UserError("deep");
    });
    expect(() => f(1)).toThrow(UserError);
    expectCleanState();
    expectOrdinaryCallsWork();
  });

  it("a refused argument inside debugNans inside jacrev leaves NaN checking off", () => {
    const f = stackOf([9, 6], (x) => mul(x, {} as Num));
    expect(() => f(1)).toThrow(ChainruleError);
    expectCleanState();
    expectDebugNansAttributesCorrectly();
  });
});
