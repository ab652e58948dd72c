// Trees as parameters: gradients mirror their parameters exactly; paths in messages; odd
// keys; what is not a tree; pass-through arguments; treeMap, treeLeaves, treeStructure.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  dot,
  grad,
  jvp,
  mul,
  square,
  sum,
  toNumber,
  treeLeaves,
  treeMap,
  treeStructure,
  TreeStructureError,
  valueAndGrad,
  vjp,
  type Num,
} from "../src/index.js";
import { flatten, setOwn, splitLeaves, unflatten } from "../src/tree/tree.js";
import { treeOf } from "./support/fuzz.js";

/** The error `f` throws (fails the test if it returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, but the call returned");
}

/** Expects a TreeStructureError whose `.path` is `path` and whose message names it. */
function expectTreeError(f: () => unknown, path: string, messageAlso?: RegExp): TreeStructureError {
  const e = thrown(f);
  expect(e).toBeInstanceOf(TreeStructureError);
  const err = e as TreeStructureError;
  expect(err.path).toBe(path);
  expect(err.message).toContain(path === "" ? "<root>" : ` ${path}`);
  if (messageAlso !== undefined) expect(err.message).toMatch(messageAlso);
  return err;
}

/** Same values and, recursively, the same keys in the same order. */
function expectSameShape(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(treeStructure(actual).equals(treeStructure(expected))).toBe(true);
  const keysInOrder = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(keysInOrder)
      : typeof x === "object" && x !== null
        ? Object.keys(x).map((k) => [k, keysInOrder((x as Record<string, unknown>)[k])])
        : typeof x;
  expect(keysInOrder(actual)).toEqual(keysInOrder(expected));
}

describe("the gradient has exactly the parameters' shape", () => {
  it("records, keys in their order (not sorted)", () => {
    const loss = (p: { z: Num; a: Num; m: Num }) => add(mul(p.z, 2), mul(p.a, p.m));
    const g = grad(loss)({ z: 1, a: 3, m: 4 });
    expectSameShape(g, { z: 2, a: 4, m: 3 });
    expect(Object.keys(g)).toEqual(["z", "a", "m"]);
  });

  it("arrays keep their length and order; unused leaves get 0", () => {
    const g = grad((w: Num[]) => add(mul(w[0]!, w[3]!), square(w[1]!)))([2, 3, 4, 5]);
    expect(g).toEqual([5, 6, 0, 2]);
  });

  it("tuples", () => {
    const g: [number, number] = grad((p: [Num, Num]) => mul(p[0], square(p[1])))([3, 2]);
    expect(g).toEqual([4, 12]);
  });

  it("nested trees: layers of weights and biases", () => {
    type Layer = { w: Num[][]; b: Num[] };
    type Params = { layers: Layer[]; scale: Num };
    const params = {
      layers: [
        { w: [[1, 2], [3, 4]], b: [0.5, -0.5] },
        { w: [[5, 6]], b: [2] },
      ],
      scale: 3,
    };
    const x = [1, -1];
    const net = (p: Params, input: number[]) => {
      let h: Num[] = input;
      for (const layer of p.layers) h = layer.w.map((row, i) => add(dot(row, h), layer.b[i]!));
      return mul(p.scale, sum(h));
    };
    // By hand: h1 = [1-2+0.5, 3-4-0.5] = [-0.5, -1.5]; h2 = 5·(-0.5) + 6·(-1.5) + 2 = -9.5; f = 3·(-9.5).
    // df/dh2 = 3; layer 1: dW = 3·h1ᵀ, db = 3; df/dh1 = 3·[5, 6]; layer 0: dW = (df/dh1)·xᵀ, db = df/dh1.
    const [value, g] = valueAndGrad(net)(params, x);
    expect(value).toBe(-28.5);
    expectSameShape(g, {
      layers: [
        { w: [[15, -15], [18, -18]], b: [15, 18] },
        { w: [[-1.5, -4.5]], b: [3] },
      ],
      scale: -9.5,
    });
  });

  it("empty arrays and records inside the tree, and an empty tree", () => {
    const g = grad((p: { a: Num[]; b: Record<string, Num>; c: Num; d: [] }) => square(p.c))({ a: [], b: {}, c: 3, d: [] });
    expectSameShape(g, { a: [], b: {}, c: 6, d: [] });
    expect(grad((_p: Num[]) => 1)([])).toEqual([]);
    expect(grad((_p: Record<string, Num>) => 1)({})).toEqual({});
  });

  it("integer-like and unusual keys keep JavaScript's own key order", () => {
    const p = { b: 1, 2: 2, a: 3, "": 4, "a b": 5, $x: 6 } as Record<string, number>;
    const g = grad((q: Record<string, Num>) => sum(Object.values(q).map((v, i) => mul(v, i))))(p);
    expect(Object.keys(g)).toEqual(Object.keys(p));
    expect(Object.values(g)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("the same array appearing twice is two subtrees, each with its own gradient", () => {
    const w = [1, 2];
    const g = grad((p: { a: Num[]; b: Num[] }) => add(mul(p.a[0]!, 3), mul(p.b[1]!, 5)))({ a: w, b: w });
    expect(g).toEqual({ a: [3, 0], b: [0, 5] });
  });

  it("objects without a prototype are records", () => {
    const p = Object.assign(Object.create(null) as Record<string, number>, { a: 2, b: 3 });
    expect(grad((q: Record<string, Num>) => mul(q.a!, q.b!))(p)).toEqual({ a: 3, b: 2 });
  });

  it("the gradient is a new tree; the parameters are not mutated (frozen parameters work)", () => {
    const params = Object.freeze({ w: Object.freeze([1, 2]), b: 3 });
    const g = grad((p: { w: readonly Num[]; b: Num }) => add(dot(p.w, p.w), p.b))(params);
    expect(g).toEqual({ w: [2, 4], b: 1 });
    expect(g).not.toBe(params);
    expect(g.w).not.toBe(params.w);
    expect(params).toEqual({ w: [1, 2], b: 3 });
  });

  it("argnums over several tree arguments gives one tree per argument", () => {
    const f = (p: { w: Num[] }, q: [Num, { c: Num }], r: Num) => mul(add(p.w[1]!, q[1].c), mul(q[0], r));
    const [gp, gq, gr] = grad(f, { argnums: [0, 1, 2] })({ w: [7, 1] }, [2, { c: 3 }], 5);
    expectSameShape(gp, { w: [0, 10] });
    expectSameShape(gq, [20, { c: 10 }]);
    expect(gr).toBe(8);
  });

  it("vjp and jvp take and return trees of the same shapes", () => {
    const f = (p: { w: Num[]; b: Num }, s: Num) => ({ y: mul(p.w[0]!, s), z: [add(p.b, s), mul(p.w[1]!, p.b)] });
    const p = { w: [2, 3], b: -1 };
    const [out, pullback] = vjp(f, p, 4);
    expectSameShape(out, { y: 8, z: [3, -3] });
    const [gp, gs] = pullback({ y: 1, z: [10, 100] });
    expectSameShape(gp, { w: [4, -100], b: 10 + 300 });
    expect(gs).toBe(2 + 10);
    const [out2, tangent] = jvp(f, [p, 4], [{ w: [1, 0], b: 0 }, 0]);
    expectSameShape(out2, out);
    expectSameShape(tangent, { y: 4, z: [0, 0] });
  });
});

describe("argument paths in messages", () => {
  it("w[3]", () => {
    expectTreeError(() => grad((p: { w: Num[] }) => sum(p.w))({ w: [1, 2, 3, "4" as unknown as number] }), "w[3]", /string/);
  });
  it("layers[1].b", () => {
    expectTreeError(
      () => grad((p: { layers: { b: Num }[] }) => p.layers[0]!.b)({ layers: [{ b: 1 }, { b: null as unknown as number }] }),
      "layers[1].b",
      /null/,
    );
  });
  it("args[1].bias when the function takes several arguments", () => {
    expectTreeError(
      () => grad((x: Num, p: { bias: Num }) => mul(x, p.bias), { argnums: [0, 1] })(1, { bias: "s" as unknown as number }),
      "args[1].bias",
    );
    // Also when only that argument is differentiated.
    expectTreeError(() => grad((_x: Num, p: { bias: Num }) => p.bias, { argnums: 1 })(1, { bias: undefined as unknown as number }), "args[1].bias");
  });
  it('["a b"] for keys that are not identifiers', () => {
    expectTreeError(() => grad((p: Record<string, Num>) => p["a b"]!)({ "a b": "x" as unknown as number }), '["a b"]');
    expectTreeError(() => grad((p: Record<string, Num[]>) => p.w![0]!)({ w: [1], "x-y": [true as unknown as number] }), '["x-y"][0]');
    expectTreeError(() => grad((p: Record<string, Num>) => p.a!)({ a: 1, "": [] as unknown as number, "0": "z" as unknown as number }), '["0"]');
  });
  it("the root of a single argument", () => {
    expectTreeError(() => grad((p: Num) => p)("3" as unknown as number), "");
  });
  it("sparse arrays: a hole is a missing leaf", () => {
    // eslint-disable-next-line no-sparse-arrays
    expectTreeError(() => grad((p: Num[]) => p[0]!)([1, , 3] as number[]), "[1]", /undefined/);
  });
});

describe("what is not a tree", () => {
  const notLeaves: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["a string", "1"],
    ["a boolean", true],
    ["a function", () => 1],
    ["a class instance", new (class Point { x = 1; })()],
    ["a Date", new Date(0)],
    ["a Map", new Map([["a", 1]])],
    ["a bigint", 1n],
    ["a symbol", Symbol("s")],
    ["a boxed number", new Number(1)],
  ];
  for (const [name, value] of notLeaves) {
    it(`${name} in a differentiated argument is a TreeStructureError naming the path`, () => {
      expectTreeError(() => grad((p: { a: Num; bad: unknown }) => p.a)({ a: 1, bad: value }), "bad");
    });
  }

  it("typed arrays are rejected with a message saying Array.from", () => {
    for (const ta of [new Float64Array([1, 2]), new Float32Array(2), new Int32Array(1)]) {
      expectTreeError(() => grad((p: Num[]) => p[0]!)(ta as unknown as number[]), "", /Array\.from/);
      expectTreeError(() => grad((p: { w: Num[] }) => p.w[0]!)({ w: ta as unknown as number[] }), "w", /Array\.from/);
    }
    expectTreeError(() => vjp((p: Num[]) => p[0]!, new Float64Array(1) as unknown as number[]), "", /Array\.from/);
    expectTreeError(() => jvp((p: Num[]) => p[0]!, [new Float64Array(1) as unknown as number[]], [[1]]), "", /Array\.from/);
  });

  it("a tree that contains itself is a TreeStructureError naming where, not a stack overflow", () => {
    const cyclic: Record<string, unknown> = { a: 1, inner: { b: 2 } };
    (cyclic.inner as Record<string, unknown>).back = cyclic;
    expectTreeError(() => grad((p: { a: Num }) => p.a)(cyclic as { a: number }), "inner.back", /cycle|contains itself/);
    const arr: unknown[] = [1];
    arr.push(arr);
    expectTreeError(() => treeLeaves(arr), "[1]", /cycle|contains itself/);
  });
});

describe("keys such as __proto__ and constructor are own keys", () => {
  const params = JSON.parse('{"__proto__": 1, "constructor": 2, "toString": 3, "x": 4}') as Record<string, number>;
  const loss = (p: Record<string, Num>) =>
    add(add(mul(p["__proto__"]!, 10), mul(p["constructor"]!, 20)), add(mul(p["toString"]!, 30), mul(p["x"]!, 40)));

  it("the gradient has them as own enumerable keys, with a normal prototype", () => {
    const g = grad(loss)(params);
    expect(Object.keys(g)).toEqual(["__proto__", "constructor", "toString", "x"]);
    expect(Object.getPrototypeOf(g)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(g, "__proto__")).toEqual({ value: 10, writable: true, enumerable: true, configurable: true });
    expect(Object.prototype.hasOwnProperty.call(g, "constructor")).toBe(true);
    expect([g["constructor"], g["toString"], g["x"]]).toEqual([20, 30, 40]);
  });

  it("nothing reaches Object.prototype", () => {
    grad(loss)(params);
    vjp(loss, params)[1](1);
    jvp(loss, [params], [params]);
    treeMap((v: number) => v * 2, params);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
    expect(typeof ({} as Record<string, unknown>)["toString"]).toBe("function");
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it("inside the function the traced tree has them as own keys too", () => {
    let seen: string[] = [];
    grad((p: Record<string, Num>) => {
      seen = Object.keys(p);
      expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
      return toNumber(p["__proto__"]!) === 1 ? p.x! : 0;
    })(params);
    expect(seen).toEqual(["__proto__", "constructor", "toString", "x"]);
  });

  it("treeMap keeps them as own keys", () => {
    const doubled = treeMap((v: number) => v * 2, params);
    expect(Object.getOwnPropertyDescriptor(doubled, "__proto__")?.value).toBe(2);
    expect(Object.getPrototypeOf(doubled)).toBe(Object.prototype);
  });
});

describe("arguments outside argnums pass through untouched", () => {
  class Config {
    constructor(readonly factor: number) {}
  }
  it("strings, class instances, functions, null, undefined, typed arrays: the very same values", () => {
    const cfg = new Config(3);
    const fn = (v: number) => v + 1;
    const data = new Float64Array([5, 6]);
    const record = { nested: { s: "x" } };
    let received: unknown[] = [];
    const f = (x: Num, name: string, c: Config, h: (v: number) => number, n: null, u: undefined, d: Float64Array, r: typeof record) => {
      received = [name, c, h, n, u, d, r];
      return mul(x, c.factor + h(d[0]!));
    };
    expect(grad(f)(2, "label", cfg, fn, null, undefined, data, record)).toBe(3 + 6);
    expect(received[0]).toBe("label");
    expect(received[1]).toBe(cfg);
    expect(received[2]).toBe(fn);
    expect(received[3]).toBeNull();
    expect(received[4]).toBeUndefined();
    expect(received[5]).toBe(data);
    expect(received[6]).toBe(record);
    // Also the numeric arguments that are not differentiated: plain numbers, not tracers.
    grad((x: Num, y: Num, ys: Num[]) => {
      expect(typeof y).toBe("number");
      expect(ys.every((v) => typeof v === "number")).toBe(true);
      return x;
    })(1, 2, [3, 4]);
  });

  it("with argnums selecting a later argument, the earlier ones pass through", () => {
    const cfg = new Config(2);
    const g = grad((c: Config, w: Num[]) => mul(c.factor, sum(w)), { argnums: 1 })(cfg, [1, 2]);
    expect(g).toEqual([2, 2]);
    const [gw] = vjp((w: Num[]) => sum(w), [1, 2])[1](1);
    expect(gw).toEqual([1, 1]);
  });
});

describe("hasAux: Num leaves come back as numbers, everything else untouched", () => {
  class Tag {
    constructor(readonly label: string) {}
  }
  it("class instances, functions, strings and null keep their identity; Num leaves become numbers", () => {
    const tag = new Tag("t");
    const fn = () => 1;
    const [g, aux] = grad((x: Num) => [square(x), { tag, fn, s: "str", n: null, num: mul(x, 3), arr: [x, 2] }] as const, { hasAux: true })(2);
    expect(g).toBe(4);
    expect(aux.tag).toBe(tag);
    expect(aux.fn).toBe(fn);
    expect([aux.s, aux.n, aux.num, aux.arr]).toEqual(["str", null, 6, [2, 2]]);
    expect(typeof aux.num).toBe("number");
    const [[value, aux2], g2] = valueAndGrad((x: Num) => [square(x), x] as const, { hasAux: true })(3);
    expect([value, aux2, g2]).toEqual([9, 3, 6]);
  });

  it("shared parts stay shared and cycles stay cycles (no stack overflow)", () => {
    const shared = { q: 1 };
    const cyclic: { name: string; self?: unknown } = { name: "c" };
    cyclic.self = cyclic;
    const [, aux] = grad((x: Num) => [x, { a: shared, b: shared, c: cyclic, list: [x] }] as const, { hasAux: true })(1);
    expect(aux.a).toBe(aux.b);
    expect(aux.a).toEqual({ q: 1 });
    expect(aux.c.self).toBe(aux.c);
    expect(aux.c.name).toBe("c");
    expect(aux.list).toEqual([1]);
  });
});

describe("treeMap, treeLeaves, treeStructure", () => {
  it("treeLeaves: depth first, keys in their order", () => {
    expect(treeLeaves({ b: [1, { c: 2, a: 3 }], a: 4, e: [], d: [[5], 6] })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(treeLeaves(7)).toEqual([7]);
    expect(treeLeaves([])).toEqual([]);
  });

  it("treeMap: same shape, new objects, several trees", () => {
    const params = { w: [1, 2], b: 3 };
    const grads = { w: [0.5, -1], b: 2 };
    const next = treeMap((p, g) => p - 0.1 * g, params, grads);
    expectSameShape(next, { w: [1 - 0.05, 2 + 0.1], b: 3 - 0.2 });
    expect(params).toEqual({ w: [1, 2], b: 3 });
    expect(next.w).not.toBe(params.w);
    expect(treeMap((a, b, c) => a + b + c, [1, [2]], [10, [20]], [100, [200]])).toEqual([111, [222]]);
  });

  it("treeMap: a tree in rest with another structure is a TreeStructureError with its path", () => {
    expectTreeError(() => treeMap((a, b) => a + b, { w: [1, 2] }, { w: [1] }), "rest[0].w");
    expectTreeError(() => treeMap((a, b) => a + b, { w: [1, 2] }, { v: [1, 2] } as unknown as { w: number[] }), "rest[0].w", /missing/);
    expectTreeError(() => treeMap((a, b, c) => a + b + c, [1], [2], [[3]] as unknown as number[]), "rest[1][0]");
    expectTreeError(() => treeMap((a) => a, { w: ["x"] } as unknown as { w: number[] }), "w[0]");
  });

  it("treeMap and treeLeaves work on traced leaves inside a transform", () => {
    const loss = (p: { w: Num[]; b: Num }) => sum(treeLeaves(treeMap((v: Num) => square(v), p)));
    expect(grad(loss)({ w: [1, 2], b: 3 })).toEqual({ w: [2, 4], b: 6 });
  });

  it("treeStructure: equal shapes print the same and compare equal", () => {
    const s = treeStructure({ w: [1, 2], b: 3 });
    expect(String(s)).toBe("{ w: [*, *], b: * }");
    const same = treeStructure({ w: [5, 6], b: 7 });
    expect(s.equals(same)).toBe(true);
    expect(String(same)).toBe(String(s));
    expect(String(treeStructure([1, { a: 2 }]))).toBe("[*, { a: * }]");
    expect(String(treeStructure({ "a b": [], e: {} }))).toBe('{ "a b": [], e: {} }');
    expect(String(treeStructure(1))).toBe("*");
  });

  it("treeStructure: different shapes compare unequal", () => {
    const base = treeStructure({ w: [1, 2], b: 3 });
    const others = [{ w: [1, 2, 3], b: 3 }, { w: [1, 2], c: 3 }, { w: [1, [2]], b: 3 }, { w: [1, 2], b: [3] }, { w: [1, 2] }, [[1, 2], 3], 1];
    for (const o of others) {
      const t = treeStructure(o);
      expect(base.equals(t), JSON.stringify(o)).toBe(false);
      expect(t.equals(base), JSON.stringify(o)).toBe(false);
    }
    expect(treeStructure([]).equals(treeStructure({}))).toBe(false);
    expect(treeStructure([[]]).equals(treeStructure([[], []]))).toBe(false);
  });

  it("the gradient's structure equals the parameters' structure", () => {
    const params = { layers: [{ w: [[1]], b: [0] }], s: [1, 2] };
    const g = grad((p: typeof params) => sum(p.s))(params);
    expect(treeStructure(g).equals(treeStructure(params))).toBe(true);
  });
});

describe("the internal tree helpers splitLeaves and setOwn", () => {
  it("splitLeaves gives each tree its own leaves back: unflattening the pieces rebuilds every tree", () => {
    fc.assert(
      fc.property(fc.array(treeOf(fc.integer()), { maxLength: 5 }), (trees) => {
        const flat = trees.map((t) => flatten(t));
        const all = flat.flatMap((f) => f.leaves);
        const pieces = splitLeaves(
          flat.map((f) => f.def),
          all,
        );
        expect(pieces.map((p) => p.length)).toEqual(flat.map((f) => f.def.numLeaves));
        expect(pieces.map((p, i) => unflatten(flat[i]!.def, p))).toEqual(trees);
      }),
      { seed: 20261204, numRuns: 200 },
    );
  });

  it("setOwn makes __proto__ an own enumerable key and leaves the prototype alone", () => {
    const o: Record<string, unknown> = {};
    setOwn(o, "__proto__", 1);
    setOwn(o, "w", 2);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(["__proto__", "w"]);
    expect(Object.getOwnPropertyDescriptor(o, "__proto__")).toEqual({ value: 1, enumerable: true, writable: true, configurable: true });
  });
});
