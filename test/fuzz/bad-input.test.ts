// Bad input, fuzzed: every export of the package, called with hostile values in every argument
// position (wrong types, null, undefined, symbols, bigints, revoked proxies, getters that throw,
// null-prototype objects, cyclic trees, fake tracers, wrong shapes) and with bad options. The
// only acceptable outcomes are a result, a ChainruleError, or the user's own exception passing
// through unchanged; bad options must be refused with a ChainruleError; a primitive returns a
// Num; a transform never returns a tracer; and no call leaves a trace open or NaN checking on.
// The table below says how to call each export; a new export without a row fails the first test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as Api from "../../src/index.js";
import { nanWatch } from "../../src/core/eval.js";
import { currentLevel } from "../../src/core/trace.js";
import { ARRAY, BINARY, UNARY } from "../transforms/jit-helpers.js";
import { PRIMITIVES } from "../../src/primitives/index.js";
import { FUZZ_RUNS, FUZZ_SEED, fuzzTimeout } from "../support/fuzz.js";

// The package by its name, as users import it (vitest maps it to the source).
const PACKAGE: string = "chainrule";
const cr = (await import(PACKAGE)) as typeof Api;
const { ChainruleError, Tracer } = cr;
/** The same exports, typed loosely: these calls are ill-typed on purpose. */
type Loose = { (...args: any[]): any; new (...args: any[]): any };
const L = cr as unknown as { readonly [K in keyof typeof Api]: Loose };

// ---- hostile values -----------------------------------------------------------------------------

/** The user's own exception: it must reach the caller unchanged (same object, same message). */
class UserError extends Error {
  readonly original: string;
  constructor(message: string) {
    super(message);
    this.original = message;
  }
}

/** Thrown by the watchdog when a call does unbounded work (it is a failure, not a user error). */
class Runaway extends Error {}
const WATCHDOG = 20_000;
let calls = 0;

/** A user function counted by the watchdog. */
function user<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    if (++calls > WATCHDOG) throw new Runaway(`a user function was called more than ${WATCHDOG} times`);
    return f(...args);
  };
}

/** A cyclic tree whose walker gives up (as a failure) instead of running forever. */
function tripwire<T extends object>(target: T): T {
  let gets = 0;
  return new Proxy(target, {
    get(t, k, r) {
      if (++gets > 1_000_000) throw new Runaway("walked a cyclic tree a million steps without noticing the cycle");
      return Reflect.get(t, k, r) as unknown;
    },
  });
}

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

function leakedTracer(): unknown {
  let leaked: unknown;
  L.grad((x: Api.Num) => {
    leaked = x;
    return x;
  })(1);
  return leaked;
}

/** Hostile values by name, made fresh for each call. */
const BAD: readonly (readonly [string, () => unknown])[] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["true", () => true],
  ["a string", () => "x"],
  ["an empty string", () => ""],
  ["a symbol", () => Symbol("bad")],
  ["a bigint", () => 10n],
  ["a huge number", () => 1e308],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["NaN", () => NaN],
  ["an empty object", () => ({})],
  ["an empty array", () => []],
  ["a nested empty array", () => [[]]],
  ["a function", () => () => 1],
  ["a class", () => class {}],
  ["a Date", () => new Date(0)],
  ["a Float64Array", () => new Float64Array(2)],
  ["a Map", () => new Map([["w", 1]])],
  ["a String object", () => new String("sin")],
  ["a revoked Proxy", () => revoked({})],
  ["a revoked array Proxy", () => revoked([1])],
  [
    "an object whose getter throws",
    () => ({
      get w(): number {
        throw new UserError("getter");
      },
    }),
  ],
  [
    "an array whose element getter throws",
    () => {
      const a = [1, 2];
      Object.defineProperty(a, 1, {
        get() {
          throw new UserError("element getter");
        },
      });
      return a;
    },
  ],
  ["an object whose Symbol.toPrimitive throws", () => ({ [Symbol.toPrimitive]: () => { throw new UserError("toPrimitive"); } })],
  ["a null-prototype object", () => Object.assign(Object.create(null) as object, { w: 1 })],
  ["an empty null-prototype object", () => Object.create(null) as object],
  [
    "a cyclic object",
    () => {
      const o: Record<string, unknown> = { w: 1 };
      const p = tripwire(o);
      o.self = p;
      return p;
    },
  ],
  [
    "a cyclic array",
    () => {
      const a: unknown[] = [1];
      const p = tripwire(a);
      a.push(p);
      return p;
    },
  ],
  ["a fake tracer (Object.create(Tracer.prototype))", () => Object.create(Tracer.prototype) as object],
  ["a Tracer subclass instance without a trace", () => new (class Fake extends (Tracer as unknown as new () => object) {})()],
  ["an object shaped like a tracer", () => ({ _trace: { active: true, level: 1, transform: "grad" } })],
  [
    "a fake tracer whose _trace getter throws",
    () =>
      Object.create(Tracer.prototype, {
        _trace: {
          get() {
            throw new UserError("_trace getter");
          },
        },
      }) as object,
  ],
  ["a leaked tracer", leakedTracer],
  ["an array with a string leaf", () => [1, "2"]],
  ["a wrong-shaped tree", () => ({ w: [1, 2, 3], b: [[1]] })],
  ["an array of three", () => [1, 2, 3]],
];

/** Options values that are not an options object; each must be refused. */
const NOT_OPTIONS: readonly (readonly [string, () => unknown])[] = [
  ["null", () => null],
  ["a number", () => 1e308],
  ["a string", () => "x"],
  ["a symbol", () => Symbol("options")],
  ["a bigint", () => 10n],
  ["true", () => true],
  ["a revoked Proxy", () => revoked({})],
];

// ---- how to call each export --------------------------------------------------------------------

type Site = (bad: unknown) => unknown;
type Kind = "value" | "primitive" | "transform";
interface Row {
  readonly family: string;
  /** What the result must be: any value, a Num (primitives), or a tree without tracers (transforms). */
  readonly kind?: Kind;
  /** Each site puts the bad value in one place of an otherwise valid call. */
  readonly sites: Readonly<Record<string, Site>>;
  /** Bad options: each must be refused with a ChainruleError. Keys: option name (or "" for the whole object). */
  readonly options?: Readonly<Record<string, { readonly call: (options: unknown) => unknown; readonly bad: readonly unknown[] }>>;
}

const any = (x: unknown): never => x as never;
const square = user((x: Api.Num) => L.mul(x, x));
const total = user((x: unknown) => L.sum(L.treeLeaves(any(x))));
const two = user((x: Api.Num, y: Api.Num) => L.mul(x, y));
const pair = user((x: Api.Num) => [x, L.mul(x, 2)]);
const withAux = user((x: Api.Num) => [L.mul(x, x), { seen: x }]);
let unique = 0;
const freshName = (): string => `fuzzPrim${unique++}`;

/** Sites shared by the transforms of the grad family (grad, valueAndGrad, jacfwd, jacrev, hessian). */
function gradFamily(t: (f: never, options?: never) => (...args: unknown[]) => unknown): Row {
  const argnumsBad = ["0", 1.5, -1, 5, {}, Symbol("argnums"), [0, 0], NaN];
  return {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => t(any(bad))(1),
      "the argument": (bad) => t(any(total))(bad),
      "the second argument": (bad) => t(any(two), any({ argnums: [0, 1] }))(1, bad),
      "f's output": (bad) => t(any(user(() => bad)))(1),
      "f's aux": (bad) => t(any(user((x: Api.Num) => [L.mul(x, x), bad])), any({ hasAux: true }))(1),
    },
    options: {
      "": { call: (o) => t(any(square), any(o))(1), bad: [...NOT_OPTIONS.map(([, v]) => v()), { argnum: 0 }, { bogus: true }] },
      argnums: { call: (v) => t(any(two), any({ argnums: v }))(1, 2), bad: argnumsBad },
      hasAux: { call: (v) => t(any(withAux), any({ hasAux: v }))(1), bad: ["yes", 1, {}] },
    },
  };
}

const optimizerSites = (make: () => Api.Optimizer<Api.OptimizerStateKind>): Record<string, Site> => {
  const params = { w: [1, 2], b: 3 };
  return {
    "init(params)": (bad) => make().init(bad),
    "update(grads, state)": (bad) => {
      const o = make();
      return o.update(any(bad), o.init(params), any(params));
    },
    "update(grads, state) with the state": (bad) => make().update(any(params), any(bad), any(params)),
    "update(grads, state, params) with the params": (bad) => {
      const o = make();
      return o.update(any(params), o.init(params), any(bad));
    },
    "update with a mangled state": (bad) => {
      const o = make();
      const s = o.init(params) as Record<string, unknown>;
      const key = Object.keys(s)[0]!;
      return o.update(any(params), any({ ...s, [key]: bad }), any(params));
    },
  };
};

const rateBad = ["x", Infinity, NaN, Symbol("rate"), {}, [0.1], 10n];

const errorRow = (E: Loose): Row => ({
  family: "errors",
  sites: {
    "new E(message)": (bad) => String(new E(bad)),
    "new E(message, details)": (bad) => String(new E("message", bad)),
  },
});

/** Primitives: generated from the shared primitive tables, so that every primitive has its row. */
function primitiveRows(): Record<string, Row> {
  const rows: Record<string, Row> = {};
  for (const [name, f] of UNARY) {
    rows[name] = {
      family: "primitives",
      kind: "primitive",
      sites: {
        "x": (bad) => f(any(bad)),
        "x under grad": (bad) => L.grad(user((x: Api.Num) => L.add(x, f(any(bad)))))(1),
      },
    };
  }
  for (const [name, f] of BINARY) {
    rows[name] = {
      family: "primitives",
      kind: "primitive",
      sites: {
        "x": (bad) => f(any(bad), 1),
        "y": (bad) => f(1, any(bad)),
        "y under grad": (bad) => L.grad(user((x: Api.Num) => f(x, any(bad))))(1),
        "x under jit": (bad) => L.jit(user((y: Api.Num) => f(any(bad), y)))(1),
      },
    };
  }
  for (const [name] of ARRAY) {
    const f = (cr as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    const entry = PRIMITIVES.find((p) => p.name === name)!;
    const arity = entry.arity === "n" ? entry.arrays : entry.arity;
    const ok = arity === 3 ? [true, 1, 2] : arity === 2 ? [[1, 2], [3, 4]] : [[1, 2]];
    const sites: Record<string, Site> = {};
    for (let i = 0; i < arity; i++) {
      sites[`argument ${i}`] = (bad) => f(...ok.map((a, j) => (j === i ? bad : a)));
      sites[`an element of argument ${i}`] = (bad) =>
        f(...ok.map((a, j) => (j === i && Array.isArray(a) ? [a[0], bad] : j === i ? bad : a)));
      sites[`argument ${i} under grad`] = (bad) =>
        L.grad(user((x: Api.Num) => L.add(x, f(...ok.map((a, j) => (j === i ? (Array.isArray(a) ? [x, bad] : bad) : a))) as Api.Num)))(1);
    }
    rows[name] = { family: "primitives", kind: name === "softmax" ? "transform" : "primitive", sites };
  }
  return rows;
}

const TABLE: Readonly<Record<string, Row>> = {
  ...primitiveRows(),
  // ---- values
  Tracer: {
    family: "values",
    sites: {
      "String of a Tracer with a bad trace": (bad) => String(Object.assign(Object.create(Tracer.prototype) as object, { _trace: bad })),
      "a Tracer with a bad trace, given to sin": (bad) => L.sin(Object.assign(Object.create(Tracer.prototype) as object, { _trace: bad })),
    },
  },
  toNumber: { family: "values", sites: { x: (bad) => L.toNumber(any(bad)) } },
  // ---- errors
  ChainruleError: errorRow(L.ChainruleError),
  ConcretizationError: errorRow(L.ConcretizationError),
  GradientCheckError: errorRow(L.GradientCheckError),
  NonFiniteError: errorRow(L.NonFiniteError),
  NonScalarOutputError: errorRow(L.NonScalarOutputError),
  TracerLeakError: errorRow(L.TracerLeakError),
  TreeDecodeError: errorRow(L.TreeDecodeError),
  TreeStructureError: errorRow(L.TreeStructureError),
  JitMismatchError: errorRow((cr as Record<string, unknown>).JitMismatchError as Loose),
  // ---- user primitives
  definePrimitive: {
    family: "primitives",
    sites: {
      "the spec": (bad) => L.definePrimitive(any(bad)),
      "the name": (bad) => L.definePrimitive({ name: any(bad), impl: (x: number) => x, partials: () => [1] }),
      "impl": (bad) => L.definePrimitive({ name: freshName(), impl: any(bad), partials: () => [1] }),
      "partials": (bad) => L.definePrimitive({ name: freshName(), impl: (x: number) => x, partials: any(bad) }),
      "jvp": (bad) => L.definePrimitive({ name: freshName(), impl: (x: number) => x, jvp: any(bad) }),
      "the argument of the new primitive": (bad) => L.definePrimitive({ name: freshName(), impl: (x: number) => x, partials: () => [1] })(any(bad)),
      "what partials returns, under grad": (bad) =>
        L.grad(L.definePrimitive({ name: freshName(), impl: (x: number) => x, partials: user(() => any(bad)) }))(1),
      "what jvp returns, under jvp": (bad) =>
        L.jvp(L.definePrimitive({ name: freshName(), impl: (x: number) => x, jvp: user(() => any(bad)) }), [1], [1]),
      "what vjp returns, under grad": (bad) =>
        L.grad(L.definePrimitive({ name: freshName(), impl: (x: number) => x, vjp: user(() => any(bad)) }))(1),
    },
  },
  // ---- transforms
  grad: gradFamily(any(L.grad)),
  valueAndGrad: gradFamily(any(L.valueAndGrad)),
  jacfwd: gradFamily(any(L.jacfwd)),
  jacrev: gradFamily(any(L.jacrev)),
  hessian: gradFamily(any(L.hessian)),
  hvp: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.hvp(any(bad))(1, 1),
      "x": (bad) => L.hvp(any(total))(any(bad), 1),
      "v": (bad) => L.hvp(any(total))([1, 2], any(bad)),
      "f's output": (bad) => L.hvp(any(user(() => bad)))(1, 1),
    },
  },
  vjp: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.vjp(any(bad), 1),
      "the primal": (bad) => L.vjp(any(total), any(bad)),
      "f's output": (bad) => L.vjp(any(user(() => bad)), 1),
      "the pullback's cotangent": (bad) => L.vjp(pair, 1)[1](any(bad)),
      "the pullback's cotangent, called twice": (bad) => {
        const [, pullback] = L.vjp(pair, 1);
        pullback([1, 1]);
        return pullback(any(bad));
      },
    },
  },
  jvp: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.jvp(any(bad), [1], [1]),
      "the primals": (bad) => L.jvp(square, any(bad), [1]),
      "the tangents": (bad) => L.jvp(square, [1], any(bad)),
      "a primal": (bad) => L.jvp(total, [any(bad)], [1]),
      "a tangent": (bad) => L.jvp(total, [[1, 2]], [any(bad)]),
      "f's output": (bad) => L.jvp(any(user(() => bad)), [1], [1]),
    },
  },
  customVjp: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.grad(any(L.customVjp(any(bad), { fwd: (x: Api.Num) => [x, x], bwd: (r: Api.Num, g: Api.Num) => [L.mul(g, r)] })))(1),
      "the rules": (bad) => L.grad(L.customVjp(square, any(bad)))(1),
      "fwd": (bad) => L.grad(L.customVjp(square, { fwd: any(bad), bwd: (r: Api.Num, g: Api.Num) => [L.mul(g, r)] }))(1),
      "bwd": (bad) => L.grad(L.customVjp(square, { fwd: (x: Api.Num) => [L.mul(x, x), x], bwd: any(bad) }))(1),
      "what fwd returns": (bad) => L.grad(L.customVjp(square, { fwd: user(() => any(bad)), bwd: (r: Api.Num, g: Api.Num) => [L.mul(g, r)] }))(1),
      "what bwd returns": (bad) => L.grad(L.customVjp(square, { fwd: (x: Api.Num) => [L.mul(x, x), x], bwd: user(() => any(bad)) }))(1),
      "the argument": (bad) => L.grad(L.customVjp(square, { fwd: (x: Api.Num) => [L.mul(x, x), x], bwd: (r: Api.Num, g: Api.Num) => [L.mul(g, r)] }))(any(bad)),
    },
  },
  customJvp: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.jvp(L.customJvp(any(bad), { jvp: ([x]: [Api.Num], [t]: [Api.Num]) => [x, t] }), [1], [1]),
      "the rules": (bad) => L.jvp(L.customJvp(square, any(bad)), [1], [1]),
      "jvp": (bad) => L.jvp(L.customJvp(square, { jvp: any(bad) }), [1], [1]),
      "what jvp returns": (bad) => L.jvp(L.customJvp(square, { jvp: user(() => any(bad)) }), [1], [1]),
      "what jvp returns, under grad": (bad) => L.grad(L.customJvp(square, { jvp: user(() => any(bad)) }))(1),
      "the argument": (bad) => L.grad(L.customJvp(square, { jvp: ([x]: [Api.Num], [t]: [Api.Num]) => [L.mul(x, x), L.mul(2, L.mul(x, t))] }))(any(bad)),
    },
  },
  debugNans: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.debugNans(any(bad))(1),
      "the argument": (bad) => L.debugNans(square)(any(bad)),
      "the argument, under grad": (bad) => L.debugNans(L.grad(total))(bad),
    },
  },
  checkGrads: {
    family: "transforms",
    sites: {
      "f": (bad) => L.checkGrads(any(bad), [1]),
      "the arguments": (bad) => L.checkGrads(total, any(bad)),
      "an argument": (bad) => L.checkGrads(total, [any(bad)]),
      "f's output": (bad) => L.checkGrads(any(user(() => bad)), [1]),
    },
    options: {
      "": { call: (o) => L.checkGrads(square, [1], any(o)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { orders: 2 }] },
      order: { call: (v) => L.checkGrads(square, [1], { order: any(v) }), bad: [1e9, 1e308, 0, -1, 1.5, NaN, "1", Infinity] },
      modes: { call: (v) => L.checkGrads(square, [1], { modes: any(v) }), bad: ["fwd", ["sideways"], {}, [Symbol("mode")], 5] },
      eps: { call: (v) => L.checkGrads(square, [1], { eps: any(v) }), bad: [-1, 0, NaN, Infinity, "x", 10n] },
      rtol: { call: (v) => L.checkGrads(square, [1], { rtol: any(v) }), bad: [-1, NaN, "x"] },
      atol: { call: (v) => L.checkGrads(square, [1], { atol: any(v) }), bad: [-1, NaN, "x"] },
    },
  },
  jit: {
    family: "transforms",
    kind: "transform",
    sites: {
      "f": (bad) => L.jit(any(bad))(1),
      "the argument": (bad) => L.jit(total)(bad),
      "the argument, after a good call": (bad) => {
        const j = L.jit(total);
        j([1, 2]);
        return j(bad);
      },
      "lower's argument": (bad) => L.jit(total).lower(bad).toString(),
      "f's output": (bad) => L.jit(any(user(() => bad)))(1),
      "a static argument": (bad) => L.jit(user((x: Api.Num, k: unknown) => L.mul(x, typeof k === "number" ? k : 2)), { staticArgnums: 1 })(1, bad),
      "jit(grad(f))'s argument": (bad) => L.jit(L.grad(total))(bad),
      "grad(jit(f))'s argument": (bad) => L.grad(L.jit(total))(bad),
      "vjp(jit(f)) pullback's cotangent": (bad) => L.vjp(L.jit(pair), 1)[1](any(bad)),
    },
    options: {
      "": { call: (o) => L.jit(square, any(o))(1), bad: [...NOT_OPTIONS.map(([, v]) => v()), { staticArgnum: 1 }, { bogus: 1 }] },
      staticArgnums: { call: (v) => L.jit(two, { staticArgnums: any(v) })(1, 2), bad: ["0", 1.5, -1, 5, {}, Symbol("s"), NaN] },
      cacheSize: { call: (v) => L.jit(square, { cacheSize: any(v) })(1), bad: [0, -1, 1.5, "10", NaN, Symbol("c")] },
      verify: { call: (v) => L.jit(square, { verify: any(v) })(1), bad: ["yes", 1, {}] },
    },
  },
  // ---- graphs
  Graph: {
    family: "graphs",
    sites: {
      "new Graph(bad).toString()": (bad) => String(new (L.Graph as unknown as new (x: unknown) => object)(bad)),
    },
    options: {
      "": { call: (o) => L.makeGraph(square)(1).toDot(any(o)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { bogus: 1 }] },
      direction: { call: (v) => L.makeGraph(square)(1).toDot({ direction: any(v) }), bad: ["UP", 5, Symbol("d")] },
      title: { call: (v) => L.makeGraph(square)(1).toDot({ title: any(v) }), bad: [Symbol("t"), 10n, {}] },
    },
  },
  makeGraph: {
    family: "graphs",
    sites: {
      "f": (bad) => String(L.makeGraph(any(bad))(1)),
      "the argument": (bad) => String(L.makeGraph(total)(bad)),
      "f's output": (bad) => String(L.makeGraph(any(user(() => bad)))(1)),
    },
    options: {
      "": { call: (o) => String(L.makeGraph(square, any(o))(1)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { bogus: 1 }] },
      staticArgnums: { call: (v) => String(L.makeGraph(two, { staticArgnums: any(v) })(1, 2)), bad: ["0", 1.5, -1, 5, {}, Symbol("s")] },
      optimize: { call: (v) => String(L.makeGraph(square, { optimize: any(v) })(1)), bad: ["yes", 1, {}] },
    },
  },
  explain: {
    family: "graphs",
    sites: {
      "f": (bad) => String(L.explain(any(bad))(1)),
      "the argument": (bad) => String(L.explain(total)(bad)),
      "f's output": (bad) => String(L.explain(any(user(() => bad)))(1)),
    },
  },
  // ---- trees
  TreeDef: {
    family: "trees",
    sites: {
      "equals": (bad) => L.treeStructure(1).equals(any(bad)),
      "equals on an array structure": (bad) => L.treeStructure([1, { w: 2 }]).equals(any(bad)),
      "new TreeDef(bad, …).toString()": (bad) => String(new L.TreeDef(any(bad), [], [], 1)),
    },
  },
  treeLeaves: { family: "trees", sites: { tree: (bad) => L.treeLeaves(bad) } },
  treeStructure: { family: "trees", sites: { "tree": (bad) => String(L.treeStructure(bad)) } },
  treeMap: {
    family: "trees",
    sites: {
      "f": (bad) => L.treeMap(any(bad), [1]),
      "the tree": (bad) => L.treeMap(user((x: Api.Num) => x), any(bad)),
    },
  },
  // ---- codecs
  decodeTree: {
    family: "codecs",
    sites: {
      "the template": (bad) => L.decodeTree(any(bad), { w: 1 }),
      "the input": (bad) => L.decodeTree({ w: [0, 0], b: 0 }, bad),
    },
    options: {
      "": { call: (o) => L.decodeTree({ w: 0 }, { w: 1 }, any(o)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { allowNaN: true }] },
      allowNonFinite: { call: (v) => L.decodeTree({ w: 0 }, { w: 1 }, { allowNonFinite: any(v) }), bad: ["yes", 1, {}] },
    },
  },
  treeCodec: {
    family: "codecs",
    sites: {
      "the template": (bad) => L.treeCodec(any(bad)).decode({ w: 1 }),
      "decode's input": (bad) => L.treeCodec({ w: [0, 0] }).decode(bad),
      "encode's input": (bad) => L.treeCodec({ w: [0, 0] }).encode(any(bad)),
      "is's input": (bad) => L.treeCodec({ w: [0, 0] }).is(bad),
    },
    options: {
      "": { call: (o) => L.treeCodec({ w: 0 }, any(o)).decode({ w: 1 }), bad: [...NOT_OPTIONS.map(([, v]) => v()), { allowNaN: true }] },
      allowNonFinite: { call: (v) => L.treeCodec({ w: 0 }, { allowNonFinite: any(v) }).decode({ w: 1 }), bad: ["yes", 1, {}] },
    },
  },
  tryCatchChainrule: {
    family: "codecs",
    sites: {
      "f": (bad) => L.tryCatchChainrule(any(bad))(),
      "f's argument": (bad) => L.tryCatchChainrule(total)(bad),
    },
  },
  // ---- loops
  scan: {
    family: "loops",
    kind: "transform",
    sites: {
      "body": (bad) => L.scan(any(bad), 0, [1, 2]),
      "init": (bad) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x]), any(bad), [1, 2]),
      "xs": (bad) => L.scan(user((c: Api.Num, x: Api.Num) => [L.add(c, x), x]), 0, any(bad)),
      "an element of xs": (bad) => L.scan(user((c: unknown, x: unknown) => [c, x]), 0, [1, bad]),
      "the body's output": (bad) => L.scan(user(() => bad), 0, [1, 2]),
      "the body's carry": (bad) => L.scan(user((_c: Api.Num, x: Api.Num) => [bad, x]), 0, [1, 2]),
      "the body's y at the second step": (bad) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x === 1 ? x : bad]), 0, [1, 2]),
      "the body's carry, under grad": (bad) => L.grad(user((w: Api.Num) => L.scan(user((c: Api.Num) => [L.mul(c, w), any(bad)]), w, [1, 2])[0]))(1),
      "the body's carry, under jit": (bad) => L.jit(user((w: Api.Num) => L.scan(user(() => [bad, 0]), w, [1, 2])[0]))(1),
    },
    options: {
      "": { call: (o) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x]), 0, [1], any(o)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { reversed: true }, { bogus: 1 }] },
      reverse: { call: (v) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x]), 0, [1], { reverse: any(v) }), bad: ["yes", 1, {}] },
      length: { call: (v) => L.scan(user((c: Api.Num) => [c, []]), 0, null, { length: any(v) }), bad: [-1, 1.5, NaN, Infinity, "3", 1e308, Symbol("l"), 10n] },
      "length with xs": { call: (v) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x]), 0, [1, 2], { length: any(v) }), bad: [3, 0, 1] },
      checkpoint: {
        call: (v) => L.scan(user((c: Api.Num, x: Api.Num) => [c, x]), 0, [1], { checkpoint: any(v) }),
        bad: ["none", 1, {}, { snapshots: 0 }, { snapshots: 1.5 }, { snapshots: -2 }, { snapshot: 2 }, { snapshots: "2" }, null, [2]],
      },
    },
  },
  foriLoop: {
    family: "loops",
    kind: "transform",
    sites: {
      "lower": (bad) => L.foriLoop(any(bad), 3, user((i: Api.Num, c: Api.Num) => L.add(c, i)), 0),
      "upper": (bad) => L.foriLoop(0, any(bad), user((i: Api.Num, c: Api.Num) => L.add(c, i)), 0),
      "body": (bad) => L.foriLoop(0, 3, any(bad), 0),
      "init": (bad) => L.foriLoop(0, 3, user((_i: Api.Num, c: unknown) => c), any(bad)),
      "the body's output": (bad) => L.foriLoop(0, 3, user(() => bad), 0),
      "a traced bound": (bad) => L.grad(user((x: Api.Num) => L.foriLoop(0, any(x), user((_i: Api.Num, c: Api.Num) => L.add(c, any(bad))), x)))(1),
    },
  },
  whileLoop: {
    family: "loops",
    kind: "transform",
    sites: {
      // maxSteps: a hostile condFn such as () => 1 never stops, as it should
      "condFn": (bad) => L.whileLoop(any(bad), user((c: Api.Num) => L.add(c, 1)), 0, { maxSteps: 50 }),
      "body": (bad) => L.whileLoop(user((c: Api.Num) => L.lt(c, 3)), any(bad), 0, { maxSteps: 50 }),
      "init": (bad) => L.whileLoop(user(() => 0), user((c: unknown) => c), any(bad)),
      "the condition's result": (bad) => L.whileLoop(user(() => bad), user((c: Api.Num) => L.add(c, 1)), 0, { maxSteps: 5 }),
      "the body's output": (bad) => L.whileLoop(user((c: unknown) => (typeof c === "number" && c < 3 ? 1 : 0)), user(() => bad), 0, { maxSteps: 5 }),
    },
    options: {
      "": { call: (o) => L.whileLoop(user(() => 0), user((c: Api.Num) => c), 0, any(o)), bad: [...NOT_OPTIONS.map(([, v]) => v()), { maxIterations: 3 }] },
      maxSteps: { call: (v) => L.whileLoop(user(() => 0), user((c: Api.Num) => c), 0, { maxSteps: any(v) }), bad: [0, -1, 1.5, NaN, Infinity, "3", Symbol("m"), 10n] },
    },
  },
  cond: {
    family: "loops",
    kind: "transform",
    sites: {
      "pred": (bad) => L.cond(any(bad), square, square, 2),
      "onTrue": (bad) => L.cond(1, any(bad), square, 2),
      "onFalse": (bad) => L.cond(0, square, any(bad), 2),
      "an operand": (bad) => L.cond(1, user((x: unknown) => x), user((x: unknown) => x), any(bad)),
      "the taken branch's output": (bad) => L.cond(1, user(() => bad), square, 2),
      "pred under grad": (bad) => L.grad(user((x: Api.Num) => L.cond(any(bad), square, square, x)))(1),
      "a branch's output under jit": (bad) => L.jit(user((x: Api.Num) => L.cond(x, square, user(() => bad), x)))(1),
    },
  },
  switchCase: {
    family: "loops",
    kind: "transform",
    sites: {
      "index": (bad) => L.switchCase(any(bad), [square, square], 2),
      "branches": (bad) => L.switchCase(0, any(bad), 2),
      "a branch": (bad) => L.switchCase(1, [square, any(bad)], 2),
      "an operand": (bad) => L.switchCase(0, [user((x: unknown) => x)], any(bad)),
      "the taken branch's output": (bad) => L.switchCase(0, [user(() => bad)], 2),
    },
  },
  checkpoint: {
    family: "loops",
    kind: "transform",
    sites: {
      "f": (bad) => L.checkpoint(any(bad))(1),
      "the argument": (bad) => L.checkpoint(total)(bad),
      "f's output": (bad) => L.checkpoint(any(user(() => bad)))(1),
      "the argument, under grad": (bad) => L.grad(user((x: Api.Num) => L.add(x, L.checkpoint(total)([x, bad]) as Api.Num)))(1),
    },
  },
  // ---- optimizers
  applyUpdates: {
    family: "optimizers",
    sites: {
      "params": (bad) => L.applyUpdates(any(bad), { w: [1, 2] }),
      "updates": (bad) => L.applyUpdates({ w: [1, 2] }, any(bad)),
    },
  },
  sgd: {
    family: "optimizers",
    sites: { ...optimizerSites(() => L.sgd(0.1)), "a schedule's result": (bad) => L.sgd(user(() => any(bad))).update(any([1]), L.sgd(0.1).init([1])) },
    options: { learningRate: { call: (v) => L.sgd(any(v)).update(any([1]), L.sgd(0.1).init([1])), bad: rateBad } },
  },
  momentum: {
    family: "optimizers",
    sites: optimizerSites(() => L.momentum(0.1)),
    options: {
      learningRate: { call: (v) => L.momentum(any(v)).init([1]), bad: rateBad },
      beta: { call: (v) => L.momentum(0.1, any(v)).init([1]), bad: [2, -1, NaN, "x", Symbol("b"), 10n] },
    },
  },
  adam: {
    family: "optimizers",
    sites: optimizerSites(() => L.adam(0.1)),
    options: {
      learningRate: { call: (v) => L.adam(any(v)).init([1]), bad: rateBad },
      "": { call: (o) => L.adam(0.1, any(o)).init([1]), bad: [...NOT_OPTIONS.map(([, v]) => v()), { beta1: 0.9 }] },
      b1: { call: (v) => L.adam(0.1, { b1: any(v) }).init([1]), bad: [2, -1, NaN, "x", Symbol("b")] },
      b2: { call: (v) => L.adam(0.1, { b2: any(v) }).init([1]), bad: [2, -1, NaN, "x"] },
      eps: { call: (v) => L.adam(0.1, { eps: any(v) }).init([1]), bad: [-1, NaN, "x"] },
      epsRoot: { call: (v) => L.adam(0.1, { epsRoot: any(v) }).init([1]), bad: [-1, NaN, "x"] },
    },
  },
};

// ---- running a case -----------------------------------------------------------------------------

type Outcome = "result" | "ChainruleError" | "user error";

interface Tally {
  cases: number;
  result: number;
  ChainruleError: number;
  "user error": number;
  failures: string[];
}

const tallies = new Map<string, Tally>();
function tally(family: string): Tally {
  let t = tallies.get(family);
  if (t === undefined) tallies.set(family, (t = { cases: 0, result: 0, ChainruleError: 0, "user error": 0, failures: [] }));
  return t;
}

/** Whether `x` holds a tracer (a transform's result never does), searching a bounded part of it. */
function holdsTracer(x: unknown): boolean {
  const stack: unknown[] = [x];
  const seen = new Set<unknown>();
  for (let budget = 10_000; stack.length > 0 && budget > 0; budget--) {
    const v = stack.pop();
    if (v instanceof Tracer) return true;
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    try {
      for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
    } catch {
      // a hostile value passed through: not ours to inspect
    }
  }
  return false;
}

/** A short description of any value, even a hostile one. */
const show = (e: unknown): string => {
  try {
    if (e instanceof Error) return `${e.constructor.name}: ${e.message.split("\n")[0]!.slice(0, 160)}`;
    const text = typeof e === "symbol" ? e.toString() : Array.isArray(e) ? `[${String(e)}]` : String(e);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return `a hostile ${typeof e}`;
  }
};

/** Runs one call; returns its outcome or a description of what went wrong. */
function run(call: () => unknown, kind: Kind): Outcome | string {
  calls = 0;
  let outcome: Outcome | string;
  try {
    const r = call();
    if (kind === "primitive" && typeof r !== "number" && !(r instanceof Tracer)) outcome = `returned ${show(r)}, not a Num`;
    else if (kind === "transform" && holdsTracer(r)) outcome = "returned a tracer";
    else outcome = "result";
  } catch (e) {
    if (e instanceof ChainruleError) outcome = "ChainruleError";
    else if (e instanceof UserError) outcome = e.message === e.original ? "user error" : `changed the user's error message to ${show(e.message)}`;
    else outcome = `threw ${show(e)}`;
  }
  if (currentLevel() !== 0) outcome = `left ${currentLevel()} trace(s) open (after: ${outcome})`;
  if (nanWatch.hook !== undefined || nanWatch.rule !== undefined) {
    outcome = `left NaN checking in a wrong state (after: ${outcome})`;
    nanWatch.hook = undefined;
    nanWatch.rule = undefined;
  }
  return outcome;
}

const ANY_OUTCOME: readonly Outcome[] = ["result", "ChainruleError", "user error"];

/** Counts a case; an outcome outside `acceptable` is a failure. */
function record(family: string, label: string, outcome: Outcome | string, acceptable = ANY_OUTCOME): void {
  const t = tally(family);
  t.cases++;
  if (outcome === "result" || outcome === "ChainruleError" || outcome === "user error") {
    t[outcome]++;
    if (!acceptable.includes(outcome)) t.failures.push(`${label}: ${outcome === "result" ? "accepted" : `threw a ${outcome}`}`);
  } else t.failures.push(`${label}: ${outcome}`);
}

/** Random values of every JavaScript kind fast-check knows, the same ones on every run. */
const RANDOM_PER_SITE = FUZZ_RUNS ?? 6;
const randomValues = fc.sample(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  { numRuns: 2000, seed: FUZZ_SEED },
);
let nextRandom = 0;

// ---- the tests ----------------------------------------------------------------------------------

describe("bad input", () => {
  it("every export of the package has a row in the table of how to call it", () => {
    expect(Object.keys(cr).filter((k) => !(k in TABLE))).toEqual([]);
  });

  const families = [...new Set(Object.values(TABLE).map((r) => r.family))];
  for (const family of families) {
    it(
      `${family}: every call with a hostile value gives a result, a ChainruleError or the user's own error`,
      () => {
        for (const [name, row] of Object.entries(TABLE)) {
          if (row.family !== family || !(name in cr)) continue; // a row may come before its export
          for (const [where, site] of Object.entries(row.sites)) {
            for (const [what, make] of BAD) {
              record(family, `${name}: ${where} = ${what}`, run(() => site(make()), row.kind ?? "value"));
            }
            for (let i = 0; i < RANDOM_PER_SITE; i++) {
              const v = randomValues[nextRandom++ % randomValues.length];
              record(family, `${name}: ${where} = random value ${show(v)}`, run(() => site(v), row.kind ?? "value"));
            }
          }
        }
        const t = tally(family);
        expect(t.failures).toEqual([]);
      },
      fuzzTimeout(30_000),
    );
    it(`${family}: bad options are refused with a ChainruleError`, () => {
      const before = tally(family).failures.length;
      for (const [name, row] of Object.entries(TABLE)) {
        if (row.family !== family || !(name in cr)) continue;
        for (const [option, { call, bad }] of Object.entries(row.options ?? {})) {
          for (const v of bad) {
            const label = `${name}: ${option === "" ? "options" : option} = ${show(v)}`;
            record(family, label, run(() => call(v), "value"), ["ChainruleError"]);
          }
        }
      }
      expect(tally(family).failures.slice(before)).toEqual([]);
    });
  }

  it("prints the outcomes per family", () => {
    const lines = [...tallies].map(
      ([family, t]) =>
        `${family}: ${t.cases} cases, ${t.result} results / ${t.ChainruleError} ChainruleErrors / ${t["user error"]} user errors, ${t.cases - t.result - t.ChainruleError - t["user error"]} failures`,
    );
    console.log(`bad-input fuzz (seed ${FUZZ_SEED}):\n  ${lines.join("\n  ")}`);
    expect(lines.length).toBe(families.length);
  });
});
