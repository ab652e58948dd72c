// Odd values given where a tree is expected: they are accepted (null-prototype records) or
// refused with a ChainruleError naming the path (revoked Proxies, a non-function to treeMap,
// comparing a structure with something else) — never a TypeError from inside the library.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { ChainruleError, decodeTree, grad, mul, sum, treeLeaves, treeMap, treeStructure, TreeStructureError, vjp, type Num } from "../src/index.js";

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A record without a prototype, with the given entries. */
function bare<T extends Record<string, unknown>>(entries: T): T {
  return Object.assign(Object.create(null) as T, entries);
}

/** The error `f` throws (fails the test if it returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error, but the call returned");
}

describe("TreeDef.equals", () => {
  it("returns false for null, undefined and values that are not structures", () => {
    const s = treeStructure(1);
    for (const other of [null, undefined, 1, "*", {}, { kind: "leaf", children: [], keys: [], numLeaves: 1 }]) {
      expect(s.equals(other as never)).toBe(false);
    }
    expect(s.equals(treeStructure(2))).toBe(true);
  });
});

describe("treeMap", () => {
  it("refuses a first argument that is not a function with a ChainruleError", () => {
    const e = thrown(() => treeMap(5 as never, [1]));
    expect(e).toBeInstanceOf(ChainruleError);
    expect((e as Error).message).toMatch(/treeMap expects a function.*the number 5/);
  });
});

describe("revoked Proxies inside trees", () => {
  it("flattening reports a TreeStructureError naming the path", () => {
    for (const [tree, path] of [
      [[1, revoked([])], "[1]"],
      [{ w: [2, revoked({})] }, "w[1]"],
      [revoked([1]), ""],
    ] as const) {
      const e = thrown(() => treeLeaves(tree));
      expect(e).toBeInstanceOf(TreeStructureError);
      expect((e as TreeStructureError).path).toBe(path);
      expect((e as Error).message).toMatch(/cannot be read \(a revoked Proxy\?\)/);
    }
  });

  it("grad and treeMap's other trees report a TreeStructureError naming the path", () => {
    const f = (p: { w: Num[] }) => sum(p.w);
    const e = thrown(() => grad(f)({ w: revoked([1]) as number[] }));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toBe("w");
    const e2 = thrown(() => treeMap((a: number, b: number) => a + b, { w: [1] }, { w: revoked([1]) as number[] }));
    expect(e2).toBeInstanceOf(TreeStructureError);
    expect((e2 as TreeStructureError).path).toBe("rest[0].w");
  });

  it("decodeTree reports the unreadable value as a problem at its path", () => {
    const r = decodeTree({ w: [0], b: 0 }, { w: revoked([1]), b: revoked({}) });
    if (E.isRight(r)) expect.fail("expected problems");
    expect(r.left.problems.map((p) => p.path)).toEqual(["w", "b"]);
    expect(r.left.problems[0]!.message).toMatch(/revoked Proxy/);
    const root = decodeTree([0], revoked([]));
    expect(E.isLeft(root) && root.left.problems[0]!.path).toBe("");
  });

  it("a getter's own exception passes through unchanged", () => {
    const boom = new Error("getter failed");
    const tree = {
      get w(): number {
        throw boom;
      },
    };
    expect(thrown(() => treeLeaves(tree))).toBe(boom);
  });
});

describe("null-prototype objects are records everywhere", () => {
  it("treeLeaves, treeStructure and treeMap", () => {
    const t = bare({ w: [1, 2], b: bare({ c: 3 }) });
    expect(treeLeaves(t)).toEqual([1, 2, 3]);
    expect(String(treeStructure(t))).toBe("{ w: [*, *], b: { c: * } }");
    expect(treeMap((x: number) => 2 * x, t)).toEqual({ w: [2, 4], b: { c: 6 } });
  });

  it("grad of a null-prototype parameter record, and as a vjp cotangent", () => {
    const f = (p: { w: Num; b: Num }) => mul(p.w, p.b);
    expect(grad(f)(bare({ w: 2, b: 5 }))).toEqual({ w: 5, b: 2 });
    const [, back] = vjp((x: Num) => ({ a: mul(x, 3) }), 1);
    expect(back(bare({ a: 2 }))).toEqual([6]);
  });

  it("decodeTree accepts null-prototype templates and inputs", () => {
    expect(decodeTree(bare({ w: [0] }), bare({ w: [4] }))).toEqual(E.right({ w: [4] }));
  });
});
