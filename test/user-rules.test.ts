// User derivative rules that return junk — definePrimitive's partials/jvp/vjp, customJvp's jvp,
// customVjp's fwd and bwd — are refused with a ChainruleError naming the function and the rule
// (a TreeStructureError with the path where the problem is a shape), never a TypeError or a
// silently wrong result, in every mode that calls the rule. A wrong count of values is a
// ChainruleError; a wrong value inside is a TreeStructureError naming its position.
import { describe, expect, it } from "vitest";
import {
  ChainruleError,
  customJvp,
  customVjp,
  definePrimitive,
  grad,
  jacfwd,
  jit,
  jvp,
  mul,
  TracerLeakError,
  TreeStructureError,
  vjp,
  type Num,
} from "../src/index.js";

/** A tracer of a closed grad. */
function leaked(): Num {
  let t: Num = 0;
  grad((x: Num) => ((t = mul(x, 2)), x))(1);
  return t;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Asserts an error of class `cls` (a ChainruleError) whose message contains every pattern. */
function expectError(run: () => unknown, cls: new (...args: never[]) => ChainruleError, ...patterns: string[]): void {
  const e = thrown(run);
  expect(e, "expected an error").toBeInstanceOf(cls);
  for (const p of patterns) expect((e as Error).message).toContain(p);
}

let count = 0;
/** A fresh user primitive (names are global) of one input with the given rules. */
function userPrimitive(rules: { partials?: unknown; jvp?: unknown; vjp?: unknown }, arity = 1): { f: (...xs: Num[]) => Num; name: string } {
  const name = `junkRule${count++}`;
  const impl = arity === 1 ? (x: number) => 2 * x : (x: number, y: number) => x * y;
  return { f: definePrimitive({ name, impl, ...(rules as object) }), name };
}

// Junk a rule may return where a Num or an array of Nums belongs.
const notArrays: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ["a number", 5],
  ["a string", "ab"],
  ["an array-like object", { 0: 1, 1: 2, length: 2 }],
];
const notNums: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["a string", () => "1"],
  ["an object", () => ({})],
  ["an array", () => [1]],
  ["NaN as a string", () => "NaN"],
];

describe("definePrimitive: a jvp rule that does not return a pair [out, tangentOut]", () => {
  for (const [what, value] of [...notArrays, ["an array of 1", [1]] as [string, unknown], ["an array of 3", [1, 2, 3]] as [string, unknown]]) {
    it(`${what}: refused under jvp, grad and jit(grad)`, () => {
      const { f, name } = userPrimitive({ jvp: () => value });
      expectError(() => jvp(f, [1], [1]), ChainruleError, name, "jvp rule", "pair");
      expectError(() => grad(f)(1), ChainruleError, name, "jvp rule");
      expectError(() => jit(grad(f))(1), ChainruleError, name, "jvp rule");
    });
  }
  for (const [what, make] of notNums) {
    it(`a tangent that is ${what}: refused, naming the position`, () => {
      const { f, name } = userPrimitive({ jvp: ([x]: Num[]) => [x, make()] });
      expectError(() => jvp(f, [1], [1]), TreeStructureError, name, "jvp rule", "[1]");
      expectError(() => grad(f)(1), TreeStructureError, name, "jvp rule");
    });
  }
  it("a leaked tracer as the tangent is a TracerLeakError", () => {
    const { f, name } = userPrimitive({ jvp: ([x]: Num[]) => [x, leaked()] });
    expectError(() => jvp(f, [1], [1]), TracerLeakError, name, "jvp rule");
  });
  it("a well-formed jvp rule still works (the tangent is the rule's)", () => {
    const { f } = userPrimitive({ jvp: ([x]: Num[], [t]: Num[]) => [mul(2, x!), mul(2, t!)] });
    expect(jvp(f, [3], [1])).toEqual([6, 2]);
    expect(grad(f)(3)).toBe(2);
  });
});

describe("definePrimitive: a vjp or partials rule that does not return one Num per input", () => {
  for (const rule of ["vjp", "partials"] as const) {
    for (const [what, value] of [...notArrays, ["an array of 1 for 2 inputs", [1]] as [string, unknown], ["an array of 3 for 2 inputs", [1, 2, 3]] as [string, unknown]]) {
      it(`${rule} returning ${what}: refused under grad, jvp and jacfwd`, () => {
        const { f, name } = userPrimitive({ [rule]: () => value }, 2);
        expectError(() => grad(f)(1, 2), ChainruleError, name, `${rule} rule`, "2");
        expectError(() => jvp(f, [1, 2], [1, 0]), ChainruleError, name, `${rule} rule`);
        expectError(() => jacfwd((v: Num[]) => f(v[0]!, v[1]!))([1, 2]), ChainruleError, name, `${rule} rule`);
      });
    }
    for (const [what, make] of notNums) {
      it(`${rule} returning ${what} as a cotangent: refused, naming the position`, () => {
        const { f, name } = userPrimitive({ [rule]: () => [1, make()] }, 2);
        expectError(() => grad(f, { argnums: [0, 1] })(1, 2), TreeStructureError, name, `${rule} rule`, "[1]");
        expectError(() => jvp(f, [1, 2], [0, 1]), TreeStructureError, name, `${rule} rule`, "[1]");
      });
    }
    it(`${rule} returning a leaked tracer is a TracerLeakError`, () => {
      const { f, name } = userPrimitive({ [rule]: () => [leaked()] });
      expectError(() => grad(f)(1), TracerLeakError, name, `${rule} rule`);
    });
  }
});

describe("customJvp: a jvp rule that returns junk", () => {
  it("a non-pair is refused naming the function and the rule", () => {
    for (const [, value] of notArrays) {
      const g = customJvp(function twice(x: Num) {
        return mul(x, 2);
      }, { jvp: (() => value) as never });
      expectError(() => jvp(g, [1], [1]), ChainruleError, "customJvp(twice)", "jvp", "pair");
      expectError(() => grad(g)(1), ChainruleError, "customJvp(twice)", "jvp");
    }
  });
  it("a tangent shaped unlike the output names the path", () => {
    const g = customJvp((x: Num) => ({ a: x, b: [x, x] }), { jvp: ([x], [t]) => [{ a: x, b: [x, x] }, { a: t, b: [t] }] as never });
    expectError(() => jvp(g, [1], [1]), TreeStructureError, "customJvp", "b");
  });
  it("a tangent leaf that is not a Num names the path", () => {
    const g = customJvp((x: Num) => [x, x], { jvp: ([x], [t]) => [[x, x], [t, "t"]] as never });
    expectError(() => jvp(g, [1], [1]), TreeStructureError, "customJvp", "[1]");
  });
  it("a leaked tracer as the tangent is a TracerLeakError", () => {
    const l = leaked();
    const g = customJvp((x: Num) => mul(x, 2), { jvp: ([x]) => [mul(x, 2), l] });
    expectError(() => jvp(g, [1], [1]), TracerLeakError, "customJvp");
  });
});

describe("customVjp: fwd and bwd that return junk", () => {
  const f = function scaled(x: Num, w: Num[]) {
    return mul(x, w[0]!);
  };
  it("fwd returning a non-pair is refused naming the function and the rule", () => {
    for (const [, value] of notArrays) {
      const g = customVjp(f, { fwd: (() => value) as never, bwd: (_r, ct) => [ct, null] });
      expectError(() => grad(g)(1, [2]), ChainruleError, "customVjp(scaled)", "fwd", "pair");
      expectError(() => jvp(g, [1, [2]], [1, [0]]), ChainruleError, "customVjp(scaled)", "fwd");
    }
  });
  it("bwd returning a non-array or the wrong number of gradients is refused", () => {
    for (const value of [null, undefined, 5, "ab", [1], [1, [2], 3]]) {
      const g = customVjp(f, { fwd: (x, w) => [mul(x, w[0]!), null], bwd: (() => value) as never });
      expectError(() => grad(g)(1, [2]), ChainruleError, "customVjp(scaled)", "bwd", "one gradient per argument");
      expectError(() => jvp(g, [1, [2]], [1, [0]]), ChainruleError, "customVjp(scaled)", "bwd");
    }
  });
  it("bwd returning a gradient of the wrong shape names its path", () => {
    const g = customVjp(f, { fwd: (x, w) => [mul(x, w[0]!), null], bwd: (_r, ct) => [ct, [ct, ct]] });
    expectError(() => grad(g, { argnums: [0, 1] })(1, [2]), TreeStructureError, "customVjp(scaled)", "args[1]");
    const h = customVjp(f, { fwd: (x, w) => [mul(x, w[0]!), null], bwd: (_r, ct) => [ct, ["g" as unknown as Num]] });
    expectError(() => grad(h, { argnums: [0, 1] })(1, [2]), TreeStructureError, "customVjp(scaled)", "args[1][0]");
  });
  it("bwd returning a leaked tracer is a TracerLeakError", () => {
    const l = leaked();
    const g = customVjp(f, { fwd: (x, w) => [mul(x, w[0]!), null], bwd: () => [l, null] });
    expectError(() => grad(g)(1, [2]), TracerLeakError, "customVjp(scaled)");
    expectError(() => vjp(g, 1, [2])[1](1), TracerLeakError, "customVjp(scaled)");
  });
});
