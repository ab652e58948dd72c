// Options and functions given to every transform are checked up front by one validator
// (readOptions in transforms/common.ts): bad values, unknown keys and things that are not
// functions are ChainruleErrors naming the function and the option.
import { describe, expect, it } from "vitest";
import {
  ChainruleError,
  checkGrads,
  customJvp,
  customVjp,
  debugNans,
  decodeTree,
  explain,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  makeGraph,
  mul,
  treeCodec,
  tryCatchChainrule,
  valueAndGrad,
  vjp,
  type Num,
} from "../src/index.js";
import { readOptions, readBoolean, readPositions } from "../src/transforms/common.js";

/** The ChainruleError `f` throws (fails the test if it returns or throws anything else). */
function chainruleError(f: () => unknown): ChainruleError {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(ChainruleError);
    return e as ChainruleError;
  }
  throw new Error("expected a ChainruleError, but the call returned");
}

const square = (x: Num) => mul(x, x);
type Use = (f: unknown, options?: unknown) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** Every function taking a user function: how to call it (with valid arguments) given f and options. */
const TAKES_F: [string, Use][] = [
  ["grad", (f, o) => grad(f as AnyFn, o as never)(2)],
  ["valueAndGrad", (f, o) => valueAndGrad(f as AnyFn, o as never)(2)],
  ["jacfwd", (f, o) => jacfwd(f as AnyFn, o as never)(2)],
  ["jacrev", (f, o) => jacrev(f as AnyFn, o as never)(2)],
  ["hessian", (f, o) => hessian(f as AnyFn, o as never)(2)],
  ["jit", (f, o) => jit(f as AnyFn, o as never)(2)],
  ["makeGraph", (f, o) => makeGraph(f as AnyFn, o as never)(2)],
  ["checkGrads", (f, o) => checkGrads(f as AnyFn, [2] as never, o as never)],
  ["vjp", (f) => vjp(f as AnyFn, 2)],
  ["jvp", (f) => jvp(f as AnyFn, [2], [1])],
  ["hvp", (f) => hvp(f as AnyFn)(2, 1)],
  ["explain", (f) => explain(f as AnyFn)(2)],
  ["debugNans", (f) => debugNans(f as AnyFn)(2)],
  ["customVjp", (f) => customVjp(f as AnyFn, { fwd: (x: Num) => [square(x), x], bwd: (x: Num, ct: Num) => [mul(ct, x)] })],
  ["customJvp", (f) => customJvp(f as AnyFn, { jvp: ([x]: Num[], [t]: Num[]) => [square(x!), mul(t!, x!)] })],
  ["tryCatchChainrule", (f) => tryCatchChainrule(f as AnyFn)],
];

/** Functions with options, the option that takes argument positions, and the one that takes a boolean. */
const WITH_OPTIONS: [string, Use, string | undefined, string | undefined][] = [
  ["grad", TAKES_F[0]![1], "argnums", "hasAux"],
  ["valueAndGrad", TAKES_F[1]![1], "argnums", "hasAux"],
  ["jacfwd", TAKES_F[2]![1], "argnums", "hasAux"],
  ["jacrev", TAKES_F[3]![1], "argnums", "hasAux"],
  ["hessian", TAKES_F[4]![1], "argnums", "hasAux"],
  ["jit", TAKES_F[5]![1], "staticArgnums", "verify"],
  ["makeGraph", TAKES_F[6]![1], "staticArgnums", "optimize"],
  ["checkGrads", TAKES_F[7]![1], undefined, undefined],
  ["treeCodec", (_f, o) => treeCodec([0], o as never), undefined, "allowNonFinite"],
  ["decodeTree", (_f, o) => decodeTree([0], [1], o as never), undefined, "allowNonFinite"],
];

const revokedFunction = (() => {
  const r = Proxy.revocable(() => 1, {});
  r.revoke();
  return r.proxy;
})();

describe("every transform refuses a bad f with a ChainruleError naming the transform", () => {
  const bad: [string, unknown][] = [
    ["5", 5],
    ["null", null],
    ["a class", class Model {}],
    ["an object", { call: square }],
    ["a revoked Proxy of a function", revokedFunction],
  ];
  for (const [name, use] of TAKES_F) {
    for (const [what, f] of bad) {
      it(`${name} with ${what} as f`, () => {
        const e = chainruleError(() => use(f));
        expect(e.message).toContain(name);
        if (what === "a class") expect(e.message).toMatch(/class Model, which cannot be called without new/);
      });
    }
  }
  it("a class is recognised without mistaking ordinary functions, methods or built-ins for one", () => {
    expect(grad(function named(x: Num) { return mul(x, x); })(3)).toBe(6);
    const obj = { m(x: Num) { return mul(x, 3); } };
    expect(grad(obj.m)(1)).toBe(3);
    expect(debugNans(Math.sin)(0)).toBe(0);
    expect(debugNans(Number)("3")).toBe(3); // a built-in constructor that may be called without new
  });
});

describe("every function with options refuses bad options with a ChainruleError naming it and the option", () => {
  const notObjects: [string, unknown][] = [
    ["null", null],
    ["1e308", 1e308],
    ['"x"', "x"],
    ["Symbol()", Symbol()],
    ["an array", [0]],
    ["a Map", new Map()],
    ["a function", () => 0],
  ];
  for (const [name, use, positions, flag] of WITH_OPTIONS) {
    for (const [what, options] of notObjects) {
      it(`${name} with options ${what}`, () => {
        const e = chainruleError(() => use(square, options));
        expect(e.message).toContain(`${name}: options must be a plain object`);
      });
    }
    it(`${name} with an unknown option names it and lists the known ones`, () => {
      const e = chainruleError(() => use(square, { bogusOption: 1 }));
      expect(e.message).toContain(`${name}: unknown option 'bogusOption'`);
      expect(e.message).toMatch(/Options are: /);
    });
    if (flag !== undefined) {
      it(`${name} with ${flag}: "yes" (not a boolean)`, () => {
        const e = chainruleError(() => use(square, { [flag]: "yes" }));
        expect(e.message).toContain(`${name}: ${flag} must be true or false, got a string ("yes")`);
      });
    }
    if (positions !== undefined) {
      for (const [what, value, pattern] of [
        ["{}", {}, /argument position/],
        ["-1", -1, /-1 is negative/],
        ["5", 5, /5 is out of range: the function was called with 1 argument/],
        ["1.5", 1.5, /1\.5/],
        ['"0"', "0", /a string \("0"\)/],
        ["[0, 0]", [0, 0], /lists argument 0 twice/],
        ["a BigInt", 0n, /bigint/],
      ] as const) {
        it(`${name} with ${positions}: ${what}`, () => {
          const e = chainruleError(() => use(square, { [positions]: value }));
          expect(e.message).toContain(`${name}: ${positions}`);
          expect(e.message).toMatch(pattern);
        });
      }
    }
  }
});

describe("unknown options get a suggestion", () => {
  it("grad: argnum → argnums, with the list of options", () => {
    expect(chainruleError(() => grad(square, { argnum: 0 } as never)).message).toBe(
      "grad: unknown option 'argnum'; did you mean 'argnums'? Options are: argnums, hasAux",
    );
  });
  it("case, underscores and containment: hasaux, static_argnums, argnums given to jit", () => {
    expect(chainruleError(() => grad(square, { hasaux: true } as never)).message).toContain("did you mean 'hasAux'?");
    expect(chainruleError(() => jit(square, { static_argnums: 0 } as never)).message).toContain("did you mean 'staticArgnums'?");
    expect(chainruleError(() => jit(square, { argnums: 0 } as never)).message).toContain("did you mean 'staticArgnums'?");
    expect(chainruleError(() => checkGrads(square, [1], { ordre: 2 } as never)).message).toContain("did you mean 'order'?");
  });
  it("no suggestion when nothing is close", () => {
    expect(chainruleError(() => grad(square, { zzz: 0 } as never)).message).toBe("grad: unknown option 'zzz' Options are: argnums, hasAux");
  });
});

describe("valid options are still accepted", () => {
  it("undefined values mean the default; null-prototype objects are plain objects", () => {
    expect(grad(square, { argnums: undefined, hasAux: undefined } as never)(3)).toBe(6);
    const o = Object.assign(Object.create(null) as object, { argnums: 0 });
    expect(grad(square, o as never)(3)).toBe(6);
    expect(grad(square, undefined as never)(3)).toBe(6);
    expect(jit((x: Num, k: number) => mul(x, k), { staticArgnums: [1], verify: true })(2, 5)).toBe(10);
    expect(makeGraph((x: Num, k: number) => mul(x, k), { staticArgnums: 1, optimize: true })(2, 5).equations().length).toBe(1);
  });
  it("an inherited property is not an option (a polluted Object.prototype changes nothing)", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.hasAux = true;
    try {
      expect(grad(square, {})(3)).toBe(6);
    } finally {
      delete proto.hasAux;
    }
  });
  it("an object that is not plain (a class instance, Object.create(defaults)) is refused", () => {
    expect(chainruleError(() => grad(square, Object.create({ argnums: 0 }) as never)).message).toMatch(/options must be a plain object/);
  });
  it("argnums is copied: changing the array afterwards changes nothing", () => {
    const argnums = [0];
    const g = grad((x: Num, y: Num) => mul(x, y), { argnums });
    argnums[0] = 1;
    expect(g(2, 3)).toEqual([3]);
  });
});

describe("makeGraph checks staticArgnums like jit and grad's argnums (one helper)", () => {
  it("makeGraph(f, { staticArgnums: {} }), 5 and -1 are refused", () => {
    const f = (x: Num) => x;
    expect(chainruleError(() => makeGraph(f, { staticArgnums: {} as never })).message).toMatch(/^makeGraph: staticArgnums must be/);
    expect(chainruleError(() => makeGraph(f, { staticArgnums: 5 })(1)).message).toBe(
      "makeGraph: staticArgnums 5 is out of range: the function was called with 1 argument (positions 0 to 0)",
    );
    expect(chainruleError(() => makeGraph(f, { staticArgnums: -1 })).message).toBe(
      "makeGraph: staticArgnums -1 is negative; argument positions start at 0",
    );
  });
  it("the three say the same thing for the same mistake", () => {
    const f = (x: Num) => x;
    const out = [
      // @ts-expect-error -- an argnums that is no parameter position is a compile error too; the run-time check is tested here
      chainruleError(() => grad(f, { argnums: 3 })(1)).message,
      chainruleError(() => jit(f, { staticArgnums: 3 })(1)).message,
      chainruleError(() => makeGraph(f, { staticArgnums: 3 })(1)).message,
    ].map((m) => m.replace(/^\w+: \w+/, "X"));
    expect(new Set(out).size).toBe(1);
  });
});

describe("checkGrads validates its numeric options (no unbounded work)", () => {
  const f = (x: Num) => mul(x, x);
  it("order: 1e9 is refused at once, saying 1 and 2 are the supported orders", () => {
    const start = performance.now();
    expect(chainruleError(() => checkGrads(f, [1], { order: 1e9 })).message).toMatch(/order must be 1 .* or 2 .*got the number 1000000000/);
    expect(performance.now() - start).toBeLessThan(1000);
  });
  for (const [what, options, pattern] of [
    ["order 3", { order: 3 }, /order must be 1/],
    ["order 1.5", { order: 1.5 }, /order must be 1/],
    ["order a BigInt", { order: 2n }, /order must be 1.*bigint/],
    ["eps 0", { eps: 0 }, /eps must be a finite number > 0/],
    ["eps NaN", { eps: NaN }, /eps must be a finite number > 0/],
    ["eps Infinity", { eps: Infinity }, /eps/],
    ["rtol -1", { rtol: -1 }, /rtol must be a finite number ≥ 0/],
    ["atol Infinity", { atol: Infinity }, /atol must be a finite number ≥ 0/],
    ["atol a Symbol", { atol: Symbol("a") }, /atol.*symbol/],
    ["modes []", { modes: [] }, /modes must be a non-empty array/],
    ["modes a null-prototype object", { modes: Object.create(null) }, /modes.*null prototype/],
    ["modes with a BigInt", { modes: [1n] }, /modes/],
    ["modes repeated", { modes: ["fwd", "fwd"] }, /distinct/],
  ] as const) {
    it(`checkGrads with ${what}`, () => {
      expect(chainruleError(() => checkGrads(f, [1], options as never)).message).toMatch(pattern);
    });
  }
  it("order 2 and tolerances of 0 are accepted", () => {
    expect(checkGrads(f, [1], { order: 2, rtol: 0, atol: 1e-6 })).toBeUndefined();
  });
});

describe("readOptions", () => {
  const spec = { argnums: readPositions, hasAux: readBoolean };
  it("returns each known option, undefined for the default", () => {
    expect(readOptions(undefined, spec, "f")).toEqual({ argnums: undefined, hasAux: undefined });
    expect(readOptions({ argnums: [1, 0], hasAux: false }, spec, "f")).toEqual({ argnums: [1, 0], hasAux: false });
  });
  it("a revoked Proxy or a Proxy whose traps throw is a ChainruleError", () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(() => readOptions(r.proxy, spec, "f")).toThrow(ChainruleError);
    const p = new Proxy({}, { ownKeys: () => { throw new TypeError("trap"); } });
    expect(() => readOptions(p, spec, "f")).toThrow(ChainruleError);
  });
  it("a very long unknown key is shortened in the message", () => {
    const e = chainruleError(() => readOptions({ ["k".repeat(10_000)]: 1 }, spec, "f"));
    expect(e.message.length).toBeLessThan(200);
  });
});

describe("customVjp and customJvp check their rules like options", () => {
  const f = (x: Num) => mul(x, x);
  const fwd = (x: Num) => [f(x), x] as const;
  const bwd = (x: Num, ct: Num) => [mul(ct, mul(2, x))] as [Num];
  for (const [what, rules, pattern] of [
    ["null", null, /customVjp: rules must be a plain object/],
    ["a number", 5, /customVjp: rules must be a plain object/],
    ["no bwd", { fwd }, /needs fwd: .* and bwd/],
    ["bwd a class", { fwd, bwd: class Bwd {} }, /customVjp: bwd must be a function, got the class Bwd/],
    ["bwd a string", { fwd, bwd: "x" }, /customVjp: bwd must be a function, got a string/],
    ["an unknown key (bwdd)", { fwd, bwd, bwdd: bwd }, /customVjp: unknown key in rules 'bwdd'; did you mean 'bwd'\?/],
  ] as const) {
    it(`customVjp with rules ${what}`, () => {
      expect(chainruleError(() => customVjp(f, rules as never)).message).toMatch(pattern);
    });
  }
  for (const [what, rules, pattern] of [
    ["undefined", undefined, /needs jvp/],
    ["a Symbol", Symbol(), /customJvp: rules must be a plain object/],
    ["jvp a BigInt", { jvp: 1n }, /customJvp: jvp must be a function, got a bigint/],
    ["an unknown key (jpv)", { jvp: () => [0, 0], jpv: 1 }, /unknown key in rules 'jpv'; did you mean 'jvp'\?/],
  ] as const) {
    it(`customJvp with rules ${what}`, () => {
      expect(chainruleError(() => customJvp(f, rules as never)).message).toMatch(pattern);
    });
  }
  it("valid rules still work", () => {
    expect(grad(customVjp(f, { fwd, bwd }))(3)).toBe(6);
  });
});

describe("toDot checks its options (direction is written into the DOT source)", () => {
  const g = explain((x: Num) => mul(x, x))(3);
  it("a direction other than LR or TB is refused, so nothing can be injected into the DOT source", () => {
    expect(chainruleError(() => g.toDot({ direction: 'LR]; evil [label="x"' as never })).message).toMatch(/^toDot: direction must be "LR" or "TB"/);
  });
  it("null options, a title that is not a string and unknown keys are ChainruleErrors", () => {
    expect(chainruleError(() => g.toDot(null as never)).message).toMatch(/toDot: options must be a plain object/);
    expect(chainruleError(() => g.toDot({ title: 5 } as never)).message).toMatch(/toDot: title must be a string, got the number 5/);
    expect(chainruleError(() => g.toDot({ titel: "x" } as never)).message).toContain("did you mean 'title'?");
  });
  it("valid options still work", () => {
    expect(g.toDot({ direction: "TB", title: "<f>" })).toContain("rankdir=TB");
    expect(g.toDot()).toContain("rankdir=LR");
  });
});
