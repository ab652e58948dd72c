// Trees of any depth: every walk over a tree (flatten, unflatten, structures, treeMap, the codec,
// grad, jit's argument filling, output building and cache keys, static arguments) keeps its own
// stack, so a tree 10⁵ levels deep works everywhere.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { ChainruleError, decodeTree, grad, jit, makeGraph, mul, sum, treeLeaves, treeMap, treeStructure, type Num } from "../src/index.js";
import { flatten, leafPaths, unflatten } from "../src/tree/tree.js";

const DEPTH = 100_000;

/**
 * Level k of the tree: an array for even k, an object for odd k; levels k with k % every === 0
 * hold a leaf (`[leaf, next]`, `{ v: leaf, next }`), the others only the next level
 * (`[next]`, `{ next }`); `[]` at the bottom.
 */
type Deep = unknown;

/** A tree DEPTH levels deep (leaf at level k = value(k)), built without recursion. */
function deepTree(value: (k: number) => number, depth = DEPTH, every = 1): Deep {
  let t: unknown = [];
  for (let k = depth - 1; k >= 0; k--) {
    const leaf = k % every === 0;
    if (k % 2 === 0) t = leaf ? [value(k), t] : [t];
    else t = leaf ? { v: value(k), next: t } : { next: t };
  }
  return t;
}

/** The leaves of a deepTree in order; throws where a level does not have the expected shape. */
function deepLeaves(t: Deep, depth = DEPTH, every = 1): number[] {
  const out: number[] = [];
  let node = t as unknown;
  for (let k = 0; k < depth; k++) {
    const leaf = k % every === 0;
    if (k % 2 === 0) {
      if (!Array.isArray(node) || node.length !== (leaf ? 2 : 1)) throw new Error(`level ${k}: expected an array of ${leaf ? 2 : 1}`);
      if (leaf) out.push(node[0] as number);
      node = node[node.length - 1];
    } else {
      const o = node as { v: number; next: unknown };
      if (Object.keys(o).join() !== (leaf ? "v,next" : "next")) throw new Error(`level ${k}: expected { ${leaf ? "v, " : ""}next }`);
      if (leaf) out.push(o.v);
      node = o.next;
    }
  }
  if (!Array.isArray(node) || node.length !== 0) throw new Error("bottom: expected []");
  return out;
}

/** A chain of DEPTH nested arrays around one number: [[[…[x]…]]]. */
function nested(x: number, depth = DEPTH): unknown {
  let t: unknown = x;
  for (let k = 0; k < depth; k++) t = [t];
  return t;
}

function unnest(t: unknown, depth = DEPTH): number {
  let node = t;
  for (let k = 0; k < depth; k++) {
    if (!Array.isArray(node) || node.length !== 1) throw new Error(`level ${k}: expected [x]`);
    node = node[0];
  }
  return node as number;
}

const sumSquares = (t: unknown): Num => sum(treeLeaves(t as Num[]).map((x) => mul(x, x)));

describe("trees 10⁵ levels deep", () => {
  const x = deepTree((k) => (k % 7) - 3);
  const xs = deepLeaves(x);

  it("flatten and unflatten round-trip, leafPaths names the deepest leaf", () => {
    const { leaves, def } = flatten(x);
    expect(leaves).toEqual(xs);
    expect(def.numLeaves).toBe(DEPTH);
    expect(deepLeaves(unflatten(def, leaves))).toEqual(xs);
    const paths = leafPaths(def);
    expect(paths).toHaveLength(DEPTH);
    expect(paths[2]).toBe("[1].next[0]");
    expect(unnest(unflatten(flatten(nested(5)).def, [6]))).toBe(6);
  });

  it("treeMap, treeLeaves and treeStructure (String and equals) work", () => {
    expect(deepLeaves(treeMap((a: number, b: number) => a + 2 * b, x as number[], x as number[]))).toEqual(xs.map((v) => 3 * v));
    expect(treeLeaves(x as number[])).toEqual(xs);
    const s = treeStructure(x);
    expect(s.equals(treeStructure(deepTree(() => 0)))).toBe(true);
    expect(s.equals(treeStructure(deepTree(() => 0, DEPTH - 1)))).toBe(false);
    const text = String(treeStructure(nested(1)));
    expect(text).toBe("[".repeat(DEPTH) + "*" + "]".repeat(DEPTH));
    expect(String(s).startsWith("[*, { v: *, next: [*, { v: *, next: [*")).toBe(true);
  });

  it("decodeTree accepts a deep input and reports a problem at the bottom with its path", () => {
    const decoded = decodeTree(x as number[], deepTree((k) => k));
    if (E.isLeft(decoded)) expect.fail(decoded.left.message.slice(0, 200));
    expect(deepLeaves(decoded.right)).toEqual(deepLeaves(deepTree((k) => k)));
    const bad = decodeTree(nested(0) as number[], nested(Number.NaN));
    if (E.isRight(bad)) expect.fail("expected a problem");
    expect(bad.left.problems).toHaveLength(1);
    expect(bad.left.problems[0]!.path).toBe("[0]".repeat(DEPTH));
  });

  it("grad mirrors the deep argument", () => {
    expect(deepLeaves(grad(sumSquares)(x))).toEqual(xs.map((v) => 2 * v));
  });

  it("jit(identity), jit(f), jit(grad(f)) and grad(jit(f)) work and equal eager", () => {
    // 10⁵ levels, a leaf every 1000: the depth is what is tested, a small graph keeps it quick.
    const y = deepTree((k) => (k % 7) - 3, DEPTH, 1000);
    const ys = deepLeaves(y, DEPTH, 1000);
    const id = jit((t: unknown) => t);
    expect(deepLeaves(id(y), DEPTH, 1000)).toEqual(ys);
    expect(deepLeaves(id(y), DEPTH, 1000)).toEqual(ys); // cached
    expect(unnest(id(nested(4)))).toBe(4);
    expect(jit(sumSquares)(y)).toBe(sumSquares(y));
    expect(deepLeaves(jit(grad(sumSquares))(y), DEPTH, 1000)).toEqual(ys.map((v) => 2 * v));
    expect(deepLeaves(grad(jit(sumSquares))(y), DEPTH, 1000)).toEqual(ys.map((v) => 2 * v));
  });

  it("printing a graph (makeGraph, jit's lower) with a deep output tree", () => {
    const text = String(makeGraph((t: unknown) => t)(nested(1)));
    expect(text).toContain("[".repeat(DEPTH) + "a" + "]".repeat(DEPTH));
    expect(String(jit((t: unknown) => t).lower(nested(1)))).toContain("]".repeat(DEPTH));
  });

  it("a deep static argument of jit works and is compared by value", () => {
    let calls = 0;
    const f = jit(
      (v: Num, cfg: unknown) => {
        calls++;
        return mul(v, unnest(cfg));
      },
      { staticArgnums: 1, verify: false }, // counts stagings only (no first-call eager run)
    );
    expect(f(2, nested(3))).toBe(6);
    expect(f(5, nested(3))).toBe(15); // an equal copy: same cache entry
    expect(calls).toBe(1);
    expect(f(5, nested(4))).toBe(20);
    expect(calls).toBe(2);
  });

  it("a static argument that contains itself is refused with a ChainruleError", () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    const f = jit((v: Num, _cfg: unknown) => v, { staticArgnums: 1 });
    expect(() => f(1, cyclic)).toThrow(ChainruleError);
    expect(() => f(1, cyclic)).toThrow(/args\[1\] contains itself/);
  });
});
