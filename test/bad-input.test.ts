// Bad input of every kind is refused with a ChainruleError (or accepted), never a TypeError
// escaping from chainrule: hostile values in messages, error constructors, functions that are
// not functions, primitive names, where's branches, jvp's primals and tangents.
import { describe, expect, it } from "vitest";
import {
  ChainruleError,
  customJvp,
  customVjp,
  definePrimitive,
  explain,
  grad,
  jit,
  jvp,
  makeGraph,
  mul,
  sin,
  tryCatchChainrule,
  where,
  type Num,
  GradientCheckError,
  NonFiniteError,
  TreeDecodeError,
  TreeStructureError,
  NonScalarOutputError,
  ConcretizationError,
  TracerLeakError,
} from "../src/index.js";
import { describeValue } from "../src/core/num.js";

/** Values that break naive formatting: each is a trap for String(), JSON.stringify or property reads. */
function hostileValues(): [string, unknown][] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedArray = Proxy.revocable([1, 2], {});
  revokedArray.revoke();
  const revokedFn = Proxy.revocable(() => 1, {});
  revokedFn.revoke();
  class Boom {}
  Object.defineProperty(Boom.prototype, "constructor", {
    get() {
      throw new Error("getter");
    },
  });
  const throwingProto = Object.create(
    Object.create(null, {
      constructor: {
        get() {
          throw new Error("constructor getter");
        },
      },
    }),
  );
  const trapProxy = new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error("trap");
      },
    },
  );
  return [
    ["a revoked Proxy", revoked.proxy],
    ["a revoked Proxy of an array", revokedArray.proxy],
    ["a revoked Proxy of a function", revokedFn.proxy],
    ["a Proxy whose getPrototypeOf trap throws", trapProxy],
    ["an object whose constructor getter throws", throwingProto],
    ["a class instance whose constructor getter throws", new Boom()],
    ["a BigInt", 12345678901234567890123456789n],
    ["a Symbol", Symbol("s")],
    ["a Symbol without description", Symbol()],
    ["a null-prototype object", Object.create(null)],
    ["an object with a throwing Symbol.toPrimitive", { [Symbol.toPrimitive]: () => { throw new Error("toPrimitive"); } }],
    ["an object with a throwing toString", { toString: () => { throw new Error("toString"); } }],
    ["a cyclic object", (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })()],
    ["a long string", "x".repeat(10_000)],
    ["a class", class Foo {}],
  ];
}

describe("describeValue never throws", () => {
  for (const [name, value] of hostileValues()) {
    it(`describes ${name} without throwing`, () => {
      const text = describeValue(value);
      expect(typeof text).toBe("string");
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThan(100);
    });
  }
  it("names the kinds it can see: null prototype, BigInt, Symbol, revoked Proxy", () => {
    expect(describeValue(Object.create(null))).toBe("an object (with a null prototype)");
    expect(describeValue(5n)).toBe("a bigint (5n)");
    expect(describeValue(Symbol("tag"))).toBe('a symbol ("tag")');
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(describeValue(r.proxy)).toMatch(/cannot be inspected/);
    expect(describeValue(new Map())).toBe("an instance of Map");
    expect(describeValue(new Float64Array(2))).toBe("a Float64Array");
  });
});

describe("error constructors accept anything without throwing", () => {
  const classes: [string, (x: unknown) => Error][] = [
    ["ChainruleError", (x) => new ChainruleError(x as never)],
    ["TreeStructureError", (x) => new TreeStructureError(x as never, x as never)],
    ["NonScalarOutputError", (x) => new NonScalarOutputError(x as never)],
    ["ConcretizationError", (x) => new ConcretizationError(x as never)],
    ["TracerLeakError", (x) => new TracerLeakError(x as never)],
    ["NonFiniteError", (x) => new NonFiniteError(x as never, x as never)],
    ["GradientCheckError", (x) => new GradientCheckError(x as never, x as never)],
    ["TreeDecodeError", (x) => new TreeDecodeError(x as never)],
  ];
  const values: [string, unknown][] = [["null", null], ["undefined", undefined], ["5", 5], ["a list of junk", [null, 5, { path: 1 }]], ...hostileValues()];
  for (const [cls, make] of classes) {
    it(`${cls} of null, numbers, symbols, proxies and other junk is an error with a string message`, () => {
      for (const [, v] of values) {
        const e = make(v);
        expect(e).toBeInstanceOf(ChainruleError);
        expect(typeof e.message).toBe("string");
        expect(e.name).toBe(cls);
      }
    });
  }
  it("new TreeDecodeError(null) has no problems, and a malformed list keeps what it can read", () => {
    expect(new TreeDecodeError(null as never).problems).toEqual([]);
    const e = new TreeDecodeError([{ path: "w[0]", message: "bad" }, null, { path: 3, message: Symbol("m") }] as never);
    expect(e.problems).toEqual([
      { path: "w[0]", message: "bad" },
      { path: "", message: "null" },
      { path: "", message: "(an object)" },
    ]);
    expect(e.message).toMatch(/w\[0\]: bad/);
  });
  it("TreeStructureError.path and NonFiniteError fields are strings or undefined", () => {
    expect(new TreeStructureError("m", null as never).path).toBe("");
    const n = new NonFiniteError("m", null as never);
    expect(n.primitive).toBeUndefined();
    expect(n.rule).toBeUndefined();
    expect(new GradientCheckError("m", 5 as never).entries).toEqual([]);
  });
});

describe("definePrimitive accepts only valid, free names and a complete spec", () => {
  const rule = { impl: (x: number) => 2 * x, partials: () => [2] };
  for (const [what, name] of [
    ["null", null],
    ["undefined", undefined],
    ['["x"]', ["x"]],
    ['new String("sin")', new String("sin")],
    ['new String("freshName")', new String("freshName")],
    ["a Symbol", Symbol("x")],
    ["a BigInt", 1n],
    ['"1abc"', "1abc"],
    ['"a-b"', "a-b"],
    ['""', ""],
    ['"sin" (taken by a built-in)', "sin"],
  ] as const) {
    it(`refuses the name ${what}`, () => {
      expect(() => definePrimitive({ name: name as never, ...rule })).toThrow(ChainruleError);
    });
  }
  it("a String object named like a built-in is refused as not a string (it would print like the built-in)", () => {
    expect(() => definePrimitive({ name: new String("sin") as never, ...rule })).toThrow(/name must be a string .*got an instance of String/);
  });
  it("names of Object.prototype members are ordinary names: accepted once, then taken, and graphs print", () => {
    for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
      const p = definePrimitive({ name, ...rule });
      expect(() => definePrimitive({ name, ...rule })).toThrow(/already exists/);
      const g = explain((x: Num) => mul(p(x), 3))(1);
      expect(g.toDot()).toContain(name);
      expect(String(makeGraph((x: Num) => p(x))(1))).toContain(`${name}(a)`);
      expect(grad((x: Num) => p(x))(1)).toBe(2);
    }
  });
  for (const [what, spec, pattern] of [
    ["no spec", undefined, /spec object/],
    ["a null spec", null, /spec must be a plain object/],
    ["a spec that is a class instance", new (class Spec { name = "specInstance"; })(), /spec must be a plain object/],
    ["impl not a function", { name: "noImpl1", impl: 5, partials: () => [1] }, /impl must be a function/],
    ["impl a class", { name: "noImpl2", impl: class {}, partials: () => [1] }, /impl .*class/],
    ["impl missing", { name: "noImpl3", partials: () => [1] }, /impl must be a function/],
    ["no rule", { name: "noRule", impl: (x: number) => x }, /at least one derivative rule/],
    ["a rule that is not a function", { name: "badRule", impl: (x: number) => x, jvp: "x" }, /jvp must be a function/],
    ["an unknown key (partial for partials)", { name: "typo", impl: (x: number) => x, partial: () => [1] }, /unknown key in spec 'partial'; did you mean 'partials'\?/],
    ["no name", { impl: (x: number) => x, partials: () => [1] }, /name is missing/],
  ] as const) {
    it(`refuses ${what}`, () => {
      expect(() => definePrimitive(spec as never)).toThrow(ChainruleError);
      expect(() => definePrimitive(spec as never)).toThrow(pattern);
    });
  }
});

describe("where checks its arguments whatever the condition", () => {
  it("where(1, \"x\", 0) is a ChainruleError naming argument 1 (branches must be Nums)", () => {
    expect(() => where(1, "x" as never, 0)).toThrow(ChainruleError);
    expect(() => where(1, "x" as never, 0)).toThrow('where: argument 1 (the value where cond holds) must be a Num (a number or a traced value), got a string ("x")');
  });
  it("the discarded branch is checked too, eagerly and under transforms", () => {
    expect(() => where(true, 1, null as never)).toThrow(/where: argument 2/);
    expect(() => grad((x: Num) => where(1, x, {} as never))(1)).toThrow(/where: argument 2/);
    expect(() => jit((x: Num) => where(x, x, undefined as never))(1)).toThrow(/where: argument 2/);
  });
  it("a condition that is neither a Num nor a boolean is refused, also with a traced branch", () => {
    for (const cond of ["yes", null, undefined, {}, [1], 1n, Symbol()]) {
      expect(() => where(cond as never, 1, 2)).toThrow(/where: argument 0 \(the condition\) must be a Num or a boolean/);
      expect(() => grad((x: Num) => where(cond as never, x, 0))(1)).toThrow(ChainruleError);
    }
  });
  it("valid uses still work: boolean, number and traced conditions", () => {
    expect(where(true, 1, 2)).toBe(1);
    expect(where(0, 1, 2)).toBe(2);
    expect(where(NaN, 1, 2)).toBe(2);
    expect(grad((x: Num) => where(x, sin(x), 0))(1)).toBeCloseTo(Math.cos(1), 12);
    expect(jit((x: Num) => where(x, mul(x, 2), 5))(3)).toBe(6);
  });
});

describe("jvp: primals must be an array, tangents must mirror them", () => {
  const f = (x: Num) => mul(x, 3);
  it("jvp(f, [1], []) is a TreeStructureError naming the missing tangent", () => {
    const run = () => jvp(f, [1], [] as never);
    expect(run).toThrow(TreeStructureError);
    expect(run).toThrow(/jvp: missing the tangent of primal 0: tangents must be an array with one tree per primal/);
  });
  it("an extra tangent, or tangents that are not an array, are TreeStructureErrors with a path", () => {
    try {
      jvp(f, [1], [1, 2] as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TreeStructureError);
      expect((e as TreeStructureError).path).toBe("args[1]");
    }
    for (const t of [null, 5, "x", Symbol(), Object.create(null)]) expect(() => jvp(f, [1], t as never)).toThrow(TreeStructureError);
  });
  it("jvp(f, 5, [1]) is a ChainruleError saying primals must be an array", () => {
    expect(() => jvp(f, 5 as never, [1])).toThrow(ChainruleError);
    expect(() => jvp(f, 5 as never, [1])).toThrow("jvp(f, primals, tangents): primals must be an array of the arguments of f, got the number 5");
    const r = Proxy.revocable([1], {});
    r.revoke();
    expect(() => jvp(f, r.proxy as never, [1])).toThrow(/primals must be an array/);
  });
});

describe("tryCatchChainrule checks its function up front", () => {
  it("tryCatchChainrule(5) is a ChainruleError (not a TypeError when the wrapper is called)", () => {
    expect(() => tryCatchChainrule(5 as never)).toThrow(ChainruleError);
    expect(() => tryCatchChainrule(5 as never)).toThrow("tryCatchChainrule expects a function, got the number 5");
    expect(() => tryCatchChainrule(class Model {} as never)).toThrow(/class Model/);
  });
});

describe("messages name user functions safely", () => {
  for (const [what, name] of [
    ["a Symbol", Symbol("s")],
    ["a BigInt", 1n],
    ["a null-prototype object", Object.create(null)],
    ["an object whose toString throws", { toString: () => { throw new Error("toString"); } }],
  ] as const) {
    it(`a custom function whose name is ${what} still gets a ChainruleError from a bad rule`, () => {
      const f = (x: Num) => mul(x, x);
      Object.defineProperty(f, "name", { value: name });
      const g = customVjp(f, { fwd: (x: Num) => [f(x), x] as const, bwd: () => 5 as never });
      expect(() => grad(g)(2)).toThrow(/customVjp\(anonymous\): bwd must return an array/);
      const h = customJvp(f, { jvp: () => 5 as never });
      expect(() => grad(h)(2)).toThrow(ChainruleError);
      const K = class {};
      Object.defineProperty(K, "name", { value: name });
      expect(() => grad(K as never)).toThrow(/got the class anonymous/);
    });
  }
});
