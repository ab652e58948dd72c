// Scale: trees of depth 10⁵ through grad, jit, treeMap, treeLeaves, treeStructure (String and
// equals) and decodeTree; a chain of 10⁶ operations under grad and jit(grad). Results are checked
// against closed forms. (The n-ary primitives at 10⁶ inputs are in scale-nary-*.test.ts.)
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { add, decodeTree, grad, jit, mul, sin, treeLeaves, treeMap, treeStructure, type Num } from "../../src/index.js";
import { close } from "./scale-nary.js";

const N = 1_000_000;
const DEPTH = 100_000;

// ---- trees of depth 10⁵ -------------------------------------------------------------------------

/** `[[[…[a, b]…]]]` alternating arrays and `{ w: … }` records, `depth` levels, built without recursion. */
function deepTree(depth: number, a: number, b: number): unknown {
  let t: unknown = [a, { b }];
  for (let d = 0; d < depth; d++) t = d % 2 === 0 ? [t] : { w: t };
  return t;
}

/** The two leaves at the bottom of a tree made by `deepTree`, read without recursion. */
function bottom(t: unknown, depth: number): [unknown, unknown] {
  let x = t;
  for (let d = depth - 1; d >= 0; d--) x = d % 2 === 0 ? (x as unknown[])[0] : (x as { w: unknown }).w;
  const pair = x as [unknown, { b: unknown }];
  expect(Array.isArray(pair)).toBe(true);
  expect(pair.length).toBe(2);
  return [pair[0], pair[1].b];
}

/** The text of deepTree's structure: `{ w: [{ w: … [*, { b: * }] … }] }`. */
function deepText(depth: number): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let d = depth - 1; d >= 0; d--) {
    open.push(d % 2 === 0 ? "[" : "{ w: ");
    close.push(d % 2 === 0 ? "]" : " }");
  }
  return `${open.join("")}[*, { b: * }]${close.reverse().join("")}`;
}

describe("trees of depth 10⁵", () => {
  const tree = deepTree(DEPTH, 2, 3);
  /** x² + 3y at the bottom pair. */
  const f = (t: unknown): Num => {
    const [x, y] = bottom(t, DEPTH) as [Num, Num];
    return add(mul(x, x), mul(3, y));
  };

  it("grad returns a gradient of the same depth", () => {
    const g = grad(f)(tree as never);
    expect(bottom(g, DEPTH)).toEqual([4, 3]);
  });

  it("jit returns the same deep tree and its value, and jit(grad) the gradient", () => {
    expect(jit(f)(tree as never)).toBe(13);
    expect(bottom(jit((t: unknown) => t)(tree as never), DEPTH)).toEqual([2, 3]);
    expect(bottom(jit(grad(f))(tree as never), DEPTH)).toEqual([4, 3]);
  });

  it("treeMap, treeLeaves", () => {
    expect(bottom(treeMap((x: Num) => mul(x, 10), tree as never), DEPTH)).toEqual([20, 30]);
    expect(treeLeaves(tree as never)).toEqual([2, 3]);
  });

  it("treeStructure: String and equals", () => {
    const s = treeStructure(tree);
    expect(String(s)).toBe(deepText(DEPTH));
    expect(s.equals(treeStructure(deepTree(DEPTH, 5, 6)))).toBe(true);
    expect(s.equals(treeStructure(deepTree(DEPTH - 1, 2, 3)))).toBe(false);
  });

  it("decodeTree decodes a deep input against a deep template", () => {
    // (A fresh copy of the input: JSON.stringify itself recurses and cannot copy a tree this deep.)
    const decoded = decodeTree(deepTree(DEPTH, 0, 0) as never, deepTree(DEPTH, 2, 3));
    expect(E.isRight(decoded)).toBe(true);
    if (E.isRight(decoded)) expect(bottom(decoded.right, DEPTH)).toEqual([2, 3]);
  });
});

// ---- a chain of 10⁶ operations ------------------------------------------------------------------

describe("a chain of 10⁶ operations", () => {
  const STEPS = Math.ceil(N / 3); // three primitives per step
  const chain = (x: Num): Num => {
    let y = x;
    for (let i = 0; i < STEPS; i++) y = add(y, mul(sin(y), 1e-5));
    return y;
  };
  // The derivative in plain numbers, forward mode by hand: a product of factors near 1.
  let y = 0.3;
  let dy = 1;
  for (let i = 0; i < STEPS; i++) {
    dy *= 1 + Math.cos(y) * 1e-5;
    y = y + Math.sin(y) * 1e-5;
  }

  it("grad", () => {
    close(grad(chain)(0.3), dy, 1e-9);
  });

  it("jit(grad)", () => {
    close(jit(grad(chain))(0.3), dy, 1e-9);
  });
});
