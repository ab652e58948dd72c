// Every error this core raises on purpose: its class, its name, and a message that says what
// and where; and that an error inside a transform leaves nothing behind.
import { describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  ConcretizationError,
  definePrimitive,
  dot,
  explain,
  GradientCheckError,
  grad,
  jvp,
  makeGraph,
  mul,
  NonFiniteError,
  NonScalarOutputError,
  sin,
  square,
  sum,
  toNumber,
  TracerLeakError,
  TreeDecodeError,
  TreeStructureError,
  valueAndGrad,
  vjp,
  type Num,
} from "../src/index.js";

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error `f` throws (fails the test if it returns). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error("expected an error, but the call returned");
}

/** Expects `f` to throw exactly an instance of `cls`, named after it, with messages matching. */
function expectError<C extends ErrorClass>(f: () => unknown, cls: C, ...patterns: (string | RegExp)[]): InstanceType<C> {
  const e = thrown(f);
  expect(e).toBeInstanceOf(cls);
  expect(e).toBeInstanceOf(ChainruleError);
  expect(e.constructor).toBe(cls);
  expect(e.name).toBe(cls.name);
  for (const p of patterns) {
    if (typeof p === "string") expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
  return e as InstanceType<C>;
}

describe("the error classes", () => {
  it("every class extends ChainruleError and Error, and .name is the class name", () => {
    const samples: [ErrorClass, Error][] = [
      [ChainruleError, new ChainruleError("m")],
      [TreeStructureError, new TreeStructureError("m", "w[3]")],
      [NonScalarOutputError, new NonScalarOutputError("m")],
      [ConcretizationError, new ConcretizationError("m")],
      [TracerLeakError, new TracerLeakError("m")],
      [NonFiniteError, new NonFiniteError("m")],
      [GradientCheckError, new GradientCheckError("m")],
      [TreeDecodeError, new TreeDecodeError([{ path: "w[0]", message: "expected a number" }])],
    ];
    for (const [cls, e] of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(ChainruleError);
      expect(e.name).toBe(cls.name);
      expect(String(e).startsWith(`${cls.name}: `)).toBe(true);
      expect(typeof e.stack).toBe("string");
    }
    expect(new TreeStructureError("m", "layers[1].b").path).toBe("layers[1].b");
    const decode = new TreeDecodeError([
      { path: "w[0]", message: "expected a number" },
      { path: "", message: "extra key" },
    ]);
    expect(decode.problems).toHaveLength(2);
    expect(decode.message).toContain("w[0]");
  });
});

describe("ChainruleError: argnums", () => {
  const f = (x: Num, y: Num) => mul(x, y);
  it("negative", () => {
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad(f, { argnums: -1 })(1, 2), ChainruleError, "-1", "negative");
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => valueAndGrad(f, { argnums: [0, -2] })(1, 2), ChainruleError, "-2", "negative");
  });
  it("out of range, saying how many arguments there were", () => {
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad(f, { argnums: 2 })(1, 2), ChainruleError, "2", "out of range", "2 arguments");
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad(f, { argnums: [0, 5] })(1, 2), ChainruleError, "5", "out of range");
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad((x: Num) => x, { argnums: 1 })(1), ChainruleError, "out of range", "1 argument");
  });
  it("repeated", () => {
    expectError(() => grad(f, { argnums: [1, 1] })(1, 2), ChainruleError, "1", "twice");
  });
  it("not an integer", () => {
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad(f, { argnums: 0.5 })(1, 2), ChainruleError, "integer");
    expectError(() => grad(f, { argnums: "0" as unknown as number })(1, 2), ChainruleError, "argnums");
  });
});

describe("TreeStructureError: wrong shapes, with .path", () => {
  it("a differentiated argument that is not a tree", () => {
    const e = expectError(() => grad((p: { w: Num[] }) => sum(p.w))({ w: [1, "2" as unknown as number] }), TreeStructureError, "w[1]");
    expect(e.path).toBe("w[1]");
  });

  it("a jvp tangent of the wrong structure", () => {
    const f = (p: { w: Num[] }, b: { c: Num }) => add(p.w[0]!, b.c);
    const primals: [{ w: number[] }, { c: number }] = [{ w: [1, 2] }, { c: 3 }];
    expect(expectError(() => jvp(f, primals, [{ w: [1] }, { c: 1 }]), TreeStructureError, "args[0].w", "length 2").path).toBe("args[0].w");
    expect(expectError(() => jvp(f, primals, [{ w: [1, 1] }, {} as { c: number }]), TreeStructureError, "args[1].c", "missing").path).toBe(
      "args[1].c",
    );
    expect(expectError(() => jvp(f, primals, [{ w: [1, 1] }, { c: 1, d: 2 } as { c: number }]), TreeStructureError, "args[1].d").path).toBe(
      "args[1].d",
    );
    expect(expectError(() => jvp(f, primals, [{ w: [1, "x" as unknown as number] }, { c: 1 }]), TreeStructureError, "args[0].w[1]").path).toBe(
      "args[0].w[1]",
    );
    // One primal: paths are relative to it.
    expect(expectError(() => jvp((w: Num[]) => w[0]!, [[1, 2]], [[1, [2] as unknown as number]]), TreeStructureError, "[1]").path).toBe("[1]");
  });

  it("a jvp call with the wrong number of tangents, or primals that are not an array", () => {
    const missing = expectError(() => jvp((x: Num, y: Num) => mul(x, y), [1, 2], [1] as unknown as [number, number]), TreeStructureError, "one tree per primal");
    expect(missing.path).toBe("args[1]");
    expectError(() => jvp((x: Num) => x, 1 as unknown as [number], [1]), ChainruleError, "array");
  });

  it("a vjp cotangent of the wrong structure", () => {
    const [, pullback] = vjp((x: Num) => ({ y: [x, square(x)], z: x }), 2);
    expect(expectError(() => pullback({ y: [1], z: 1 } as never), TreeStructureError, "y", "length 2").path).toBe("y");
    expect(expectError(() => pullback({ y: [1, 1] } as never), TreeStructureError, "z", "missing").path).toBe("z");
    expect(expectError(() => pullback({ y: [1, "a"], z: 1 } as never), TreeStructureError, "y[1]").path).toBe("y[1]");
    expect(expectError(() => pullback([1, 1] as never), TreeStructureError, "<root>").path).toBe("");
    // After a bad cotangent the pullback still works.
    expect(pullback({ y: [1, 1], z: 1 })).toEqual([1 + 4 + 1]);
  });
});

describe("NonScalarOutputError", () => {
  it("from grad and valueAndGrad when the function returns an array or object", () => {
    expectError(() => grad((x: Num) => [x, x] as unknown as Num)(1), NonScalarOutputError, "grad", "scalar", "array");
    expectError(() => grad((x: Num) => ({ y: x }) as unknown as Num)(1), NonScalarOutputError, "object");
    expectError(() => valueAndGrad((x: Num) => [x] as unknown as Num)(1), NonScalarOutputError, "valueAndGrad");
    expectError(() => grad((_x: Num) => "1" as unknown as Num)(1), NonScalarOutputError, "string");
    expectError(() => grad((_x: Num) => undefined as unknown as Num)(1), NonScalarOutputError, "undefined");
    expectError(() => grad((x: Num) => [[x], 1] as unknown as [Num, unknown], { hasAux: true })(1), NonScalarOutputError);
    expectError(() => explain((x: Num) => [x] as unknown as Num)(1), NonScalarOutputError, "explain");
  });
  it("hasAux with a function that does not return a pair is a ChainruleError", () => {
    expectError(() => grad((x: Num) => x as unknown as [Num, unknown], { hasAux: true })(1), ChainruleError, "[value, aux]");
  });
});

describe("TracerLeakError names the transform the value came from", () => {
  const cases: [string, (leak: (v: Num) => void) => void][] = [
    ["grad", (leak) => grad((x: Num) => (leak(x), x))(1)],
    ["valueAndGrad", (leak) => valueAndGrad((x: Num) => (leak(x), x))(1)],
    ["vjp", (leak) => vjp((x: Num) => (leak(x), x), 1)],
    ["jvp", (leak) => jvp((x: Num) => (leak(x), x), [1], [1])],
    ["makeGraph", (leak) => makeGraph((x: Num) => (leak(x), x))(1)],
    ["explain", (leak) => explain((x: Num) => (leak(x), x))(1)],
  ];
  for (const [name, run] of cases) {
    it(`a value leaked from ${name}`, () => {
      let leaked: Num = 0;
      run((v) => {
        leaked = v;
      });
      expectError(() => mul(leaked, 2), TracerLeakError, name, "returned");
      expectError(() => toNumber(leaked), TracerLeakError, name);
      expectError(() => sin(leaked), TracerLeakError, name);
      // Used inside a later transform, it is still a leak.
      expectError(() => grad((y: Num) => mul(leaked, y))(1), TracerLeakError, name);
      // Printing it does not throw, and says what it is.
      expect(String(leaked)).toContain(name);
    });
  }

  it("a value leaked from an inner transform into the enclosing one", () => {
    expectError(
      () =>
        grad((x: Num) => {
          let inner: Num = 0;
          jvp((y: Num) => ((inner = mul(y, x)), y), [2], [1]);
          return mul(inner, x);
        })(3),
      TracerLeakError,
      "jvp",
    );
  });

  it("the pullback of vjp stays valid after vjp returned", () => {
    const [, pullback] = vjp((x: Num, y: Num) => mul(sin(x), y), 0.5, 2);
    expect(pullback(1)).toEqual([2 * Math.cos(0.5), Math.sin(0.5)]);
    expect(pullback(-1)).toEqual([-2 * Math.cos(0.5), -Math.sin(0.5)]);
  });
});

describe("ConcretizationError", () => {
  it("toNumber of an abstract value in makeGraph says to use where", () => {
    expectError(() => makeGraph((x: Num) => (toNumber(x) > 0 ? x : 0))(1), ConcretizationError, "makeGraph", "abstract", "where");
  });
  it("…also deep inside a nested transform staged by makeGraph", () => {
    expectError(() => makeGraph(grad((x: Num) => (toNumber(x) > 0 ? mul(x, x) : x)))(1), ConcretizationError, "where");
  });
  it("inside grad, vjp and jvp values are concrete: no error", () => {
    const absLike = (x: Num) => (toNumber(x) > 0 ? x : mul(-1, x));
    expect(grad(absLike)(-2)).toBe(-1);
    expect(jvp(absLike, [3], [1])).toEqual([3, 1]);
    expect(vjp(absLike, -3)[1](1)).toEqual([-1]);
  });
});

describe("JavaScript operators on a traced value throw a ChainruleError saying what to use", () => {
  const ops: [string, (x: unknown) => unknown][] = [
    ["x + 1", (x) => (x as number) + 1],
    ["x * 2", (x) => (x as number) * 2],
    ["x > 0", (x) => (x as number) > 0],
    ["-x", (x) => -(x as number)],
    ["+x", (x) => +(x as number)],
    ["Math.sin(x)", (x) => Math.sin(x as number)],
    ["x == 1", (x) => (x as number) == 1],
  ];
  for (const [code, op] of ops) {
    const what = code.startsWith("Math.") ? "Math.sin was called" : "operator"; // a Math function is named as such
    it(code, () => {
      for (const transform of [
        (f: (x: Num) => Num) => grad(f)(1),
        (f: (x: Num) => Num) => jvp(f, [1], [1]),
      ]) {
        expectError(() => transform((x) => op(x) as Num), ChainruleError, what, "toNumber");
      }
      // Under staging the value is abstract: a host `if` or operator there is a ConcretizationError.
      expectError(() => makeGraph((x: Num) => op(x) as Num)(1), ConcretizationError, what, "where(");
    });
  }
  it("converting to a string works (template literals, logging)", () => {
    grad((x: Num) => {
      expect(`${String(x)}`).toMatch(/^Num<grad>\(1\)$/);
      return x;
    })(1);
  });
});

describe("other deliberate errors", () => {
  it("a primitive applied to something that is not a Num names the primitive and argument", () => {
    expectError(() => add("1" as unknown as number, 2), ChainruleError, "add", "argument 0", "string");
    expectError(() => grad((x: Num) => mul(x, {} as unknown as number))(1), ChainruleError, "mul", "argument 1");
  });
  it("toNumber of something that is not a Num", () => {
    expect(toNumber(3)).toBe(3);
    expectError(() => toNumber("3" as unknown as number), ChainruleError, "toNumber", "string");
    expectError(() => toNumber({} as unknown as number), ChainruleError, "toNumber", "object");
  });
  it("dot of arrays of different lengths", () => {
    expectError(() => dot([1, 2], [3]), TreeStructureError, "dot", "2", "1");
  });
  it("transforms of something that is not a function", () => {
    for (const t of [grad, valueAndGrad, makeGraph, explain] as ((f: never) => unknown)[]) {
      expectError(() => t(42 as never), ChainruleError, "function");
    }
    expectError(() => (vjp as (f: unknown, ...p: unknown[]) => unknown)(42), ChainruleError, "vjp", "function");
    expectError(() => (jvp as (f: unknown, p: unknown[], t: unknown[]) => unknown)(42, [], []), ChainruleError, "jvp", "function");
  });
  it("definePrimitive: bad or taken names, no rule", () => {
    expectError(() => definePrimitive({ name: "2bad", impl: (x) => x, partials: () => [1] }), ChainruleError, "2bad");
    expectError(() => definePrimitive({ name: "a-b", impl: (x) => x, partials: () => [1] }), ChainruleError, "a-b");
    expectError(() => definePrimitive({ name: "sin", impl: (x) => x, partials: () => [1] }), ChainruleError, "sin", "already exists");
    expectError(() => definePrimitive({ name: "noRule", impl: (x) => x }), ChainruleError, "rule");
    const bad = definePrimitive({ name: "badPartials", impl: (x: number) => x, partials: () => [1, 2] });
    expect(bad(3)).toBe(3);
    expectError(() => grad(bad)(3), ChainruleError, "badPartials", "partials");
    expectError(() => bad(1, 2), ChainruleError, "badPartials", "1 argument");
  });
});

describe("an error inside a transform leaves no state behind", () => {
  /** The level a fresh top-level transform gets: read from the message of a value leaked from it. */
  function freshLevel(): number {
    let leaked: Num = 0;
    grad((x: Num) => ((leaked = x), x))(1);
    const m = /level (\d+)/.exec(thrown(() => toNumber(leaked)).message);
    expect(m).not.toBeNull();
    return Number(m![1]);
  }

  it("the user's error comes out unchanged, and later transforms work at level 1", () => {
    expect(freshLevel()).toBe(1);
    const boom = new Error("boom");
    const throwing = (_x: Num): Num => {
      throw boom;
    };
    expect(thrown(() => grad(throwing)(1))).toBe(boom);
    expect(thrown(() => grad(grad(throwing))(1))).toBe(boom);
    expect(thrown(() => jvp(grad((x: Num) => jvp(throwing, [x], [1])[1]), [1], [1]))).toBe(boom);
    expect(thrown(() => vjp((x: Num) => grad(grad(throwing))(x), 1))).toBe(boom);
    expect(thrown(() => makeGraph(grad(throwing))(1))).toBe(boom);
    expect(freshLevel()).toBe(1);
    expect(grad((x: Num) => mul(x, x))(3)).toBe(6);
    expect(grad(grad((x: Num) => mul(x, mul(x, x))))(2)).toBe(12);
  });

  it("…also after chainrule's own errors deep inside nested transforms", () => {
    expectError(() => grad(grad((x: Num) => [x] as unknown as Num))(1), NonScalarOutputError);
    // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
    expectError(() => grad((x: Num) => grad((y: Num) => mul(x, y), { argnums: 3 })(x))(1), ChainruleError, "out of range");
    expectError(() => jvp((x: Num) => grad((p: { a: Num }) => p.a)({ a: x, b: "s" } as never), [1], [1]), TreeStructureError, "b");
    expectError(() => makeGraph((x: Num) => grad((y: Num) => (toNumber(y) > 0 ? y : x))(x))(1), ConcretizationError);
    expect(freshLevel()).toBe(1);
  });

  it("an error caught inside an outer transform does not disturb it", () => {
    const f = (x: Num) => {
      try {
        grad((y: Num) => {
          throw new RangeError(String(toNumber(y)));
        })(x);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
      }
      // The inner trace is closed; the outer one goes on, with correct derivatives.
      return mul(x, grad((y: Num) => mul(x, y))(x));
    };
    expect(grad(f)(3)).toBe(6);
    expect(jvp(f, [3], [1])).toEqual([9, 6]);
    expect(freshLevel()).toBe(1);
  });
});
