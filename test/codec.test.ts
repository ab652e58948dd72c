// Parameter codecs: treeCodec (io-ts) and decodeTree (fp-ts Either) — acceptance, every kind of
// problem with its path, several problems at once, prototype-pollution attempts, and a
// round-trip property over random trees.
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { PathReporter } from "io-ts/lib/PathReporter.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  ChainruleError,
  decodeTree,
  treeCodec,
  TreeDecodeError,
  treeStructure,
  TreeStructureError,
  type TreeDecodeProblem,
} from "../src/index.js";

/** The decoded tree, failing the test on Left. */
function ok<A>(r: E.Either<TreeDecodeError, A>): A {
  if (E.isLeft(r)) throw new Error(`expected Right, got ${r.left.message}`);
  return r.right;
}

/** The problems, failing the test on Right. */
function problems<A>(r: E.Either<TreeDecodeError, A>): readonly TreeDecodeProblem[] {
  if (E.isRight(r)) throw new Error(`expected Left, got ${JSON.stringify(r.right)}`);
  return r.left.problems;
}

const paths = <A>(r: E.Either<TreeDecodeError, A>): string[] => problems(r).map((p) => p.path);

afterEach(() => {
  // No test may have polluted Object.prototype.
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
});

describe("decodeTree accepts trees shaped like the template", () => {
  it("a scalar, arrays, tuples, nested records", () => {
    expect(ok(decodeTree(0, 3.5))).toBe(3.5);
    expect(ok(decodeTree([0, 0, 0], [1, -2, 3e10]))).toEqual([1, -2, 3e10]);
    const template = { layers: [{ w: [0, 0], b: 0 }, { w: [0], b: 0 }], scale: 0 };
    const input = { layers: [{ w: [1, 2], b: 3 }, { w: [4], b: 5 }], scale: 6 };
    expect(ok(decodeTree(template, input))).toEqual(input);
  });

  it("empty arrays and objects", () => {
    expect(ok(decodeTree([], []))).toEqual([]);
    expect(ok(decodeTree({}, {}))).toEqual({});
    expect(ok(decodeTree({ a: [], b: {} }, { b: {}, a: [] }))).toEqual({ a: [], b: {} });
  });

  it("returns a fresh copy with keys in the template's order; the input is untouched", () => {
    const input = { b: 2, w: [1, 2] };
    const frozen = JSON.stringify(input);
    const out = ok(decodeTree({ w: [0, 0], b: 0 }, input));
    expect(Object.keys(out)).toEqual(["w", "b"]);
    expect(out).not.toBe(input);
    expect(out.w).not.toBe(input.w);
    expect(JSON.stringify(input)).toBe(frozen);
    expect(treeStructure(out).equals(treeStructure({ w: [0, 0], b: 0 }))).toBe(true);
  });

  it("ignores the template's values", () => {
    expect(ok(decodeTree({ a: NaN, b: [Infinity] }, { a: 1, b: [2] }))).toEqual({ a: 1, b: [2] });
  });

  it("accepts objects with a null prototype and returns ordinary plain objects", () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const out = ok(decodeTree({ a: 0 }, input));
    expect(out).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it("keeps -0 and the extreme finite numbers", () => {
    const out = ok(decodeTree([0, 0, 0, 0], [-0, Number.MAX_VALUE, -Number.MIN_VALUE, 5e-324]));
    expect(Object.is(out[0], -0)).toBe(true);
    expect(out.slice(1)).toEqual([Number.MAX_VALUE, -Number.MIN_VALUE, 5e-324]);
  });

  it("accepts NaN and ±Infinity with allowNonFinite", () => {
    const out = ok(decodeTree([0, 0, 0], [NaN, Infinity, -Infinity], { allowNonFinite: true }));
    expect(out[0]).toBeNaN();
    expect(out.slice(1)).toEqual([Infinity, -Infinity]);
  });

  it("accepts a Num template (numbers only) — the template is a tree of numbers", () => {
    const template: { w: number[] } = { w: [0] };
    expect(ok(decodeTree(template, JSON.parse('{"w":[7]}')))).toEqual({ w: [7] });
  });
});

describe("decodeTree rejects, naming each problem's path", () => {
  it("a root of the wrong kind has the empty path", () => {
    const r = decodeTree({ a: 0 }, [1]);
    expect(problems(r)).toEqual([{ path: "", message: expect.stringMatching(/expected an object with keys "a", got an array of length 1/) }]);
    expect(paths(decodeTree([0], { 0: 1 }))).toEqual([""]);
    expect(paths(decodeTree(0, "1"))).toEqual([""]);
    expect(paths(decodeTree(0, undefined))).toEqual([""]);
    expect(paths(decodeTree({}, null))).toEqual([""]);
  });

  it("array vs object, both ways", () => {
    const r = decodeTree({ w: [0, 0], o: { x: 0 } }, { w: { 0: 1, 1: 2 }, o: [1] });
    expect(problems(r)).toEqual([
      { path: "w", message: "expected an array of length 2, got an object" },
      { path: "o", message: 'expected an object with keys "x", got an array of length 1' },
    ]);
  });

  it("a wrong array length (and still checks the elements both have)", () => {
    expect(problems(decodeTree({ w: [0, 0, 0] }, { w: [1, 2] }))).toEqual([
      { path: "w", message: "expected an array of length 3, got an array of length 2" },
    ]);
    expect(paths(decodeTree({ w: [0, 0] }, { w: [1, 2, 3] }))).toEqual(["w"]);
    expect(paths(decodeTree({ w: [0, 0, 0] }, { w: ["a", 2] }))).toEqual(["w", "w[0]"]);
  });

  it("leaves that are not numbers", () => {
    const bad: unknown[] = ["1", null, true, undefined, {}, [], 1n, new Number(1), () => 1, Symbol("s")];
    const r = decodeTree(bad.map(() => 0), bad);
    expect(paths(r)).toEqual(bad.map((_, i) => `[${i}]`));
    for (const p of problems(r)) expect(p.message).toMatch(/^expected a number, got /);
    expect(problems(r)[0]!.message).toBe('expected a number, got a string ("1")');
    expect(problems(r)[1]!.message).toBe("expected a number, got null");
  });

  it("holes in a sparse array are missing numbers", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(paths(decodeTree([0, 0, 0], [1, , 3]))).toEqual(["[1]"]);
  });

  it("non-finite numbers, unless allowNonFinite", () => {
    const r = decodeTree({ a: 0, b: [0, 0] }, { a: NaN, b: [Infinity, -Infinity] });
    expect(paths(r)).toEqual(["a", "b[0]", "b[1]"]);
    for (const p of problems(r)) expect(p.message).toMatch(/expected a finite number.*allowNonFinite/);
    expect(E.isRight(decodeTree({ a: 0 }, { a: NaN }, { allowNonFinite: false }))).toBe(false);
  });

  it("missing keys and extra keys", () => {
    const r = decodeTree({ w: [0], b: 0 }, { w: [1], bias: 2 });
    expect(problems(r)).toEqual([
      { path: "b", message: "missing key (expected a number)" },
      { path: "bias", message: "unexpected key (not in the template)" },
    ]);
    expect(problems(decodeTree({ w: [0] }, {}))).toEqual([{ path: "w", message: "missing key (expected an array of length 1)" }]);
  });

  it("class instances are not objects of a tree", () => {
    expect(paths(decodeTree({ a: { b: 0 } }, { a: new Map([["b", 1]]) }))).toEqual(["a"]);
    expect(problems(decodeTree({ a: 0 }, new Date(0)))[0]!.message).toMatch(/got an instance of Date/);
    expect(paths(decodeTree({ a: 0 }, Object.create({ a: 1 }) as unknown))).toEqual([""]);
  });

  it("typed arrays are not arrays of a tree", () => {
    expect(problems(decodeTree([0, 0], new Float64Array(2)))[0]!.message).toMatch(/got a Float64Array/);
  });

  it("every problem at once, in tree order, with quoted keys where needed", () => {
    const template = { layers: [{ w: [0, 0], b: 0 }, { w: [0], b: 0 }], "a b": 0, scale: 0 };
    const input = JSON.parse(`{
      "layers": [{ "w": [1, "2", 3], "b": null, "extra": 1 }, { "w": { "0": 1 } }],
      "a b": 1e999,
      "rate": 0.1
    }`) as unknown;
    const r = decodeTree(template, input);
    expect(paths(r)).toEqual([
      "layers[0].w",
      "layers[0].w[1]",
      "layers[0].b",
      "layers[0].extra",
      "layers[1].w",
      "layers[1].b",
      '["a b"]',
      "scale",
      "rate",
    ]);
    const err = E.isLeft(r) ? r.left : undefined;
    expect(err).toBeInstanceOf(TreeDecodeError);
    expect(err).toBeInstanceOf(ChainruleError);
    expect(err!.name).toBe("TreeDecodeError");
    expect(err!.message).toMatch(/9 problems/);
    expect(err!.message).toContain('layers[0].w[1]: expected a number, got a string ("2")');
    expect(err!.message).toContain('["a b"]: expected a finite number, got Infinity');
  });

  it("the root is <root> in the message and \"\" in problems", () => {
    const r = decodeTree([0], "x");
    expect(E.isLeft(r) && r.left.message).toMatch(/<root>: expected an array of length 1, got a string/);
  });

  it("a template that is not a tree throws TreeStructureError (a programming error, not a Left)", () => {
    expect(() => decodeTree({ a: "x" } as never, {})).toThrow(TreeStructureError);
    expect(() => treeCodec([null] as never)).toThrow(/\[0\]/);
  });

  it("follows the template's depth, whatever the input: a cyclic input is fine", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    expect(paths(decodeTree({ a: 0 }, cyclic))).toEqual(["self"]);
    expect(ok(decodeTree({ a: 0, self: { a: 0 } }, { a: 1, self: { a: 2 } }))).toEqual({ a: 1, self: { a: 2 } });
  });
});

describe("prototype pollution", () => {
  it("a __proto__ key from JSON is an unexpected key, and nothing reaches a prototype", () => {
    const input = JSON.parse('{"__proto__": {"polluted": 1}}') as unknown;
    expect(problems(decodeTree({}, input))).toEqual([{ path: "__proto__", message: "unexpected key (not in the template)" }]);
    const r2 = decodeTree({ a: 0 }, JSON.parse('{"a": 1, "__proto__": {"polluted": 1}}'));
    expect(paths(r2)).toEqual(["__proto__"]);
  });

  it("nested __proto__, constructor and prototype keys are unexpected keys", () => {
    const input = JSON.parse(
      '{"w": {"__proto__": {"polluted": 1}, "x": 1}, "constructor": {"prototype": {"polluted": 1}}, "prototype": {"polluted": 1}}',
    ) as unknown;
    expect(paths(decodeTree({ w: { x: 0 } }, input))).toEqual(["w.__proto__", "constructor", "prototype"]);
  });

  it("an inherited key never counts as present (constructor, toString, hasOwnProperty)", () => {
    const r = decodeTree({ constructor: 0, toString: 0, hasOwnProperty: 0 }, {});
    expect(paths(r)).toEqual(["constructor", "toString", "hasOwnProperty"]);
  });

  it("a template with a __proto__ key decodes it as an own property only", () => {
    const template = JSON.parse('{"__proto__": {"polluted": 0}, "b": 0}') as { b: number };
    const input = JSON.parse('{"b": 2, "__proto__": {"polluted": 1}}') as unknown;
    const out = ok(decodeTree(template, input)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "b"]);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: 1 });
    expect(out["polluted"]).toBeUndefined();
    const inner = Object.getOwnPropertyDescriptor(out, "__proto__")!.value as object;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    // It serialises back to the same JSON.
    expect(JSON.parse(JSON.stringify(out))).toEqual(input);
  });

  it("without __proto__ in the template, a decoded object has no __proto__ own key", () => {
    const out = ok(decodeTree({ a: 0 }, { a: 1 }));
    expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(false);
    expect(Object.getOwnPropertyNames(out)).toEqual(["a"]);
  });

  it("constructor and prototype keys in a template stay own data properties", () => {
    const out = ok(decodeTree({ constructor: { prototype: 0 } }, JSON.parse('{"constructor": {"prototype": 5}}')));
    expect(Object.getOwnPropertyNames(out)).toEqual(["constructor"]);
    expect(out.constructor).toEqual({ prototype: 5 });
    expect(({}).constructor).toBe(Object);
  });

  it("treeCodec behaves the same", () => {
    const C = treeCodec({ a: 0 });
    const r = C.decode(JSON.parse('{"a": 1, "__proto__": {"polluted": 1}}'));
    expect(E.isLeft(r)).toBe(true);
    expect(C.is(JSON.parse('{"a": 1, "__proto__": {"polluted": 1}}'))).toBe(false);
  });
});

describe("treeCodec (io-ts)", () => {
  const Params = treeCodec({ w: [0, 0], b: 0 });

  it("decodes, checks with is, encodes as the identity, and has a readable name", () => {
    expect(Params.decode({ w: [1, 2], b: 3 })).toEqual(E.right({ w: [1, 2], b: 3 }));
    expect(Params.is({ w: [1, 2], b: 3 })).toBe(true);
    expect(Params.is({ w: [1, 2], b: NaN })).toBe(false);
    expect(Params.is({ w: [1], b: 3 })).toBe(false);
    expect(Params.is({ w: [1, 2], b: 3, c: 4 })).toBe(false);
    const value = { w: [1, 2], b: 3 };
    expect(Params.encode(value)).toBe(value);
    expect(Params.name).toBe("Tree<{ w: [*, *], b: * }>");
    expect(treeCodec(0).name).toBe("Tree<number>");
  });

  it("reports every problem, each with the tree path in its message", () => {
    expect(PathReporter.report(Params.decode({ w: [1, "2", 3], c: 1 }))).toEqual([
      "w: expected an array of length 2, got an array of length 3",
      'w[1]: expected a number, got a string ("2")',
      "b: missing key (expected a number)",
      "c: unexpected key (not in the template)",
    ]);
  });

  it("gives io-ts contexts one entry per tree level", () => {
    const r = Params.decode({ w: [1, "x"], b: 0 });
    if (E.isRight(r)) throw new Error("expected Left");
    expect(r.left).toHaveLength(1);
    const e = r.left[0]!;
    expect(e.value).toBe("x");
    expect(e.context.map((c) => c.key)).toEqual(["", "w", "1"]);
    expect(e.context[0]!.type).toBe(Params);
    expect(e.context[2]!.type.name).toBe("number");
  });

  it("composes inside other io-ts codecs", () => {
    const Checkpoint = t.type({ step: t.number, params: Params });
    expect(E.isRight(Checkpoint.decode({ step: 3, params: { w: [1, 2], b: 0 } }))).toBe(true);
    const r = Checkpoint.decode({ step: 3, params: { w: [1, 2] } });
    if (E.isRight(r)) throw new Error("expected Left");
    expect(r.left.map((e) => e.context.map((c) => c.key))).toEqual([["", "params", "b"]]);
    expect(PathReporter.report(r)).toEqual(["b: missing key (expected a number)"]);
  });

  it("honours allowNonFinite", () => {
    expect(E.isRight(treeCodec([0], { allowNonFinite: true }).decode([NaN]))).toBe(true);
    expect(E.isLeft(treeCodec([0]).decode([NaN]))).toBe(true);
  });
});

// ---- Properties over random trees -----------------------------------------------------------

type Tree = number | Tree[] | { [k: string]: Tree };

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)); // JSON turns -0 into 0
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "prototype", "a b", "0", "x.y"));
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => {
  const sub = tie("tree") as fc.Arbitrary<Tree>;
  return {
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      finite as fc.Arbitrary<Tree>,
      fc.array(sub, { maxLength: 4 }) as fc.Arbitrary<Tree>,
      fc.dictionary(key, sub, { maxKeys: 4, noNullPrototype: true }) as fc.Arbitrary<Tree>,
    ),
  };
}).tree;

/** The path of each leaf, written independently of the library: `.key`, `["a b"]`, `[3]`. */
function leafPaths(x: Tree, path = ""): string[] {
  if (typeof x === "number") return [path];
  if (Array.isArray(x)) return x.flatMap((c, i) => leafPaths(c, `${path}[${i}]`));
  return Object.keys(x).flatMap((k) => {
    const p = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? (path === "" ? k : `${path}.${k}`) : `${path}[${JSON.stringify(k)}]`;
    return leafPaths(x[k]!, p);
  });
}

/** `x` with its `n`-th leaf replaced by `value`. */
function replaceLeaf(x: Tree, n: number, value: unknown): unknown {
  let k = 0;
  const go = (y: Tree): unknown => {
    if (typeof y === "number") return k++ === n ? value : y;
    if (Array.isArray(y)) return y.map(go);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(y)) Object.defineProperty(out, key, { value: go(y[key]!), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return go(x);
}

// Primal<Tree> of a recursive type is too deep for the compiler (as for grad): decode untyped.
const decodeAny = decodeTree as (template: unknown, input: unknown) => E.Either<TreeDecodeError, unknown>;

describe("properties", () => {
  it("decodeTree(tree, JSON.parse(JSON.stringify(tree))) round-trips any tree of finite numbers", () => {
    fc.assert(
      fc.property(tree, (x) => {
        const input = JSON.parse(JSON.stringify(x)) as unknown;
        const out = ok(decodeAny(x, input));
        expect(out).toEqual(x);
        expect(JSON.stringify(out)).toBe(JSON.stringify(x));
        expect(treeStructure(out).equals(treeStructure(x))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a single bad leaf is exactly one problem, at that leaf's path", () => {
    const withLeaf: fc.Arbitrary<[Tree, number]> = tree.chain((x) => {
      const n = leafPaths(x).length;
      return fc.tuple(fc.constant(x), n === 0 ? fc.constant(-1) : fc.nat(n - 1));
    });
    fc.assert(
      fc.property(withLeaf, fc.constantFrom<unknown>("1", null, true, NaN, Infinity, {}, []), ([x, n], bad) => {
        fc.pre(n >= 0);
        const input = JSON.parse(JSON.stringify(replaceLeaf(x, n, bad))) as unknown;
        // JSON turns NaN and Infinity into null: still exactly one problem at that path.
        expect(paths(decodeAny(x, input))).toEqual([leafPaths(x)[n]]);
      }),
      { numRuns: 300 },
    );
  });

  it("decoded objects never have another prototype than Object.prototype", () => {
    fc.assert(
      fc.property(tree, (x) => {
        const out = ok(decodeAny(x, JSON.parse(JSON.stringify(x))));
        const check = (y: unknown): void => {
          if (typeof y !== "object" || y === null) return;
          expect(Object.getPrototypeOf(y)).toBe(Array.isArray(y) ? Array.prototype : Object.prototype);
          for (const k of Object.getOwnPropertyNames(y)) if (k !== "length") check((y as Record<string, unknown>)[k]);
        };
        check(out);
      }),
      { numRuns: 200 },
    );
  });
});
