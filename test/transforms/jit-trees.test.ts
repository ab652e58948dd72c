// jit over any tree of numbers: arguments and outputs of every shape (arrays of single-leaf
// trees, [[1]], objects inside arrays, empty arrays and objects) keep eager's exact structure,
// also under grad, vjp, hessian and jacrev; the one-input-feature MLP of the examples.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { add, grad, hessian, jacrev, jit, mul, sum, treeLeaves, treeMap, TreeStructureError, vjp, type Num } from "../../src/index.js";
import { expectAgree } from "./jit-helpers.js";

// The shared model imports "chainrule" as users do; here that is the source, like every test.
vi.mock("chainrule", async () => await import("../../src/index.js"));
const { initMlp, loss } = await import("../../examples/mlp-model.mjs");

const id = <T>(x: T): T => x;

describe("jit accepts arrays whose elements are single-leaf trees", () => {
  it.each([
    ["[[1], [2]]", [[1], [2]]],
    ["[{ w: 1 }, { w: 2 }]", [{ w: 1 }, { w: 2 }]],
    ["[[1]]", [[1]]],
    ["[3, {}, [a, b]]", [3, {}, [4, 5]]],
  ])("jit(identity)(%s) returns the argument's structure and values", (_, x) => {
    const f = jit(id);
    expect(f(x)).toEqual(x);
    // Second call: the compiled path with the cached structure.
    expect(f(x)).toEqual(x);
  });

  it("grad(jit(f)) of an array of single-leaf arrays mirrors the argument", () => {
    const f = (x: Num[][]) => add(mul(x[0]![0]!, x[0]![0]!), mul(3, x[1]![0]!));
    expect(grad(jit(f))([[2], [5]])).toEqual([[4], [3]]);
    expect(grad(jit(f))([[2], [5]])).toEqual(grad(f)([[2], [5]]));
  });

  it("vjp(jit(f)) of an array of single-leaf records mirrors the argument", () => {
    const f = (x: { w: Num }[]) => [mul(x[0]!.w, x[1]!.w)];
    const [out, back] = vjp(jit(f), [{ w: 2 }, { w: 7 }]);
    expect(out).toEqual([14]);
    expect(back([1])).toEqual([[{ w: 7 }, { w: 2 }]]);
  });

  it("the one-input-feature MLP initMlp([1, 16, 1]) jitted equals eager, value and gradient", () => {
    const params = initMlp([1, 16, 1], 5);
    const xs = [[-1], [0.25], [2]];
    const ys: (0 | 1)[] = [0, 1, 1];
    // Typed Num: jit refuses traced parameters typed number at compile time.
    const lossOf = (p: { layers: { w: Num[][]; b: Num[] }[] }) => loss(p as typeof params, xs, ys);
    expectAgree(jit(lossOf)(params), lossOf(params));
    expectAgree(jit(grad(lossOf))(params), grad(lossOf)(params));
    expectAgree(grad(jit(lossOf))(params), grad(lossOf)(params));
  });
});

describe("jit returns outputs with eager's exact structure", () => {
  it("jit((x) => [[x], [mul(x, 2)]])(1) is [[1], [2]]", () => {
    const f = jit((x: Num) => [[x], [mul(x, 2)]]);
    expect(f(1)).toEqual([[1], [2]]);
    expect(f(3)).toEqual([[3], [6]]);
  });

  it("jit(hessian((v) => v[0]²))([3]) is [[2]]", () => {
    expect(jit(hessian((v: Num[]) => mul(v[0]!, v[0]!)))([3])).toEqual([[2]]);
  });

  it("jit(jacrev((v) => [2 v[0], 3 v[0]]))([3]) is [[2], [3]]", () => {
    expect(jit(jacrev((v: Num[]) => [mul(v[0]!, 2), mul(v[0]!, 3)]))([3])).toEqual([[2], [3]]);
  });

  it("empty arrays and objects in outputs are kept", () => {
    const f = jit((x: Num) => ({ a: [], b: {}, c: [[], [x]], d: [{}] }));
    expect(f(4)).toEqual({ a: [], b: {}, c: [[], [4]], d: [{}] });
  });
});

describe("jit with odd values in argument trees", () => {
  const revoked = (target: object): object => {
    const { proxy, revoke } = Proxy.revocable(target, {});
    revoke();
    return proxy;
  };

  it("a revoked Proxy in an argument is a TreeStructureError naming the path, on the first and on a cached call", () => {
    const f = jit((p: { w: Num[] }) => sum(p.w));
    expect(() => f({ w: revoked([1]) as number[] })).toThrow(TreeStructureError);
    expect(f({ w: [1, 2] })).toBe(3);
    let e: unknown;
    try {
      f({ w: revoked([1, 2]) as number[] }); // same structure as the last call: the fast path sees it first
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toBe("w");
  });

  it("null-prototype records are arguments like any other, and come back as plain records", () => {
    const bare = <T extends object>(o: T): T => Object.assign(Object.create(null) as T, o);
    const f = jit((p: { w: Num; b: Num }) => ({ y: mul(p.w, p.b) }));
    expect(f(bare({ w: 2, b: 3 }))).toEqual({ y: 6 });
    expect(f({ w: 4, b: 3 })).toEqual({ y: 12 });
    expect(f(bare({ w: 5, b: 3 }))).toEqual({ y: 15 });
    expect(grad(jit((p: { w: Num; b: Num }) => mul(p.w, p.b)))(bare({ w: 2, b: 3 }))).toEqual({ w: 3, b: 2 });
  });

  it("a revoked Proxy as a static argument is compared by identity", () => {
    let calls = 0;
    const f = jit(
      (x: Num, _cfg: unknown) => {
        calls++;
        return mul(x, 2);
      },
      { staticArgnums: 1, verify: false }, // counts stagings only (no first-call eager run)
    );
    const cfg = revoked({});
    expect(f(1, cfg)).toBe(2);
    expect(f(2, cfg)).toBe(4);
    expect(calls).toBe(1);
    expect(f(2, revoked({}))).toBe(4);
    expect(calls).toBe(2);
  });
});

// ---- random shapes ----------------------------------------------------------------------------

type Tree = number | Tree[] | { [k: string]: Tree };

const leafArb = fc.integer({ min: -20, max: 20 });
/** Trees up to depth 6 with the shapes that used to confuse jit mixed in. */
const { tree: treeArb } = fc.letrec<{ tree: Tree; node: Tree }>((tie) => ({
  tree: fc.oneof({ maxDepth: 6, depthIdentifier: "tree" }, leafArb, tie("node")),
  node: fc.oneof(
    fc.array(tie("tree"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "w", "x y"), tie("tree"), { maxKeys: 3, noNullPrototype: false }),
    fc.array(fc.oneof(leafArb.map((x) => [x]), leafArb.map((w) => ({ w }))), { maxLength: 3 }),
    leafArb.map((x) => [[x]]),
    fc.constantFrom<Tree>([], {}, [[]], [{}]),
  ),
}));

/** A function building a tree of structure `shape` from the leaves of its argument. */
function builder(shape: Tree): (t: unknown) => unknown {
  return (t) => {
    const xs = treeLeaves(t as Num[]);
    let j = 0;
    return treeMap(() => {
      const k = j++;
      return xs.length === 0 ? k : add(mul(xs[k % xs.length]!, k + 1), k);
    }, shape as unknown as number[]);
  };
}

/** A scalar of every leaf of the argument (weighted, with products, so the Hessian is not zero). */
function scalarOf(t: unknown): Num {
  const xs = treeLeaves(t as Num[]);
  const terms = xs.map((x, i) => mul(mul(x, x), i + 1));
  for (let i = 0; i + 1 < xs.length; i++) terms.push(mul(xs[i]!, xs[i + 1]!));
  return sum(terms);
}

const SEED = 20261204;

describe("jit(identity) and jit of random tree-building functions return eager's exact structure and values on random tree shapes", () => {
  it("jit(identity) and jit(builder) equal eager, first and cached calls", () => {
    fc.assert(
      fc.property(treeArb, treeArb, (x, shape) => {
        expectAgree(jit(id)(x), x);
        const g = builder(shape);
        const jg = jit(g);
        expectAgree(jg(x), g(x));
        const y = treeMap((v) => v + 1, x as number[]);
        expectAgree(jg(y), g(y));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("grad(jit(f)) and vjp(jit(g)) equal grad(f) and vjp(g)", () => {
    fc.assert(
      fc.property(treeArb, treeArb, (x, shape) => {
        expectAgree(grad(jit(scalarOf))(x), grad(scalarOf)(x));
        const g = builder(shape);
        const [out, back] = vjp(jit(g), x);
        const [eagerOut, eagerBack] = vjp(g, x);
        expectAgree(out, eagerOut);
        const ct = treeMap((v: number) => v - 0.5, eagerOut as number[]);
        expectAgree(back(ct as never), eagerBack(ct as never));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("jit(hessian(f)) and jit(jacrev(g)) equal eager", () => {
    // Small trees: the Hessian has (leaves)² entries.
    const small = treeArb.filter((t) => treeLeaves(t as number[]).length <= 6);
    fc.assert(
      fc.property(small, small, (x, shape) => {
        expectAgree(jit(hessian(scalarOf))(x), hessian(scalarOf)(x));
        const g = builder(shape);
        expectAgree(jit(jacrev(g))(x), jacrev(g)(x));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
