// Scale: sizes where recursion or spreading an array into a call would overflow the stack.
// n-ary primitives at 10⁶ inputs under eager, grad, jvp, jit and jit(grad); trees of depth 10⁵
// through grad, jit, treeMap, treeLeaves, treeStructure (String and equals) and decodeTree; a chain
// of 10⁶ operations under grad and jit(grad). Results are checked against closed forms.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import {
  add,
  decodeTree,
  dot,
  grad,
  jit,
  jvp,
  logSumExp,
  mean,
  mul,
  sin,
  softmax,
  sum,
  treeLeaves,
  treeMap,
  treeStructure,
  type Num,
} from "../../src/index.js";

const N = 1_000_000;
const DEPTH = 100_000;

// ---- n-ary primitives at 10⁶ inputs -------------------------------------------------------------

/** Inputs in [-1, 1), deterministic. */
const xs = Array.from({ length: N }, (_, i) => Math.sin(i * 0.618) * 0.999);
const ys = Array.from({ length: N }, (_, i) => Math.cos(i * 0.414));

function plainSum(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
function plainMax(a: readonly number[]): number {
  let m = -Infinity;
  for (const v of a) if (v > m) m = v;
  return m;
}
const maxX = plainMax(xs);
const expX = xs.map((v) => Math.exp(v - maxX));
const sumExpX = plainSum(expX);
const lse = maxX + Math.log(sumExpX);
const soft = expX.map((v) => v / sumExpX);

/** Relative closeness for sums of a million terms (their rounding grows with n). */
const close = (actual: number, expected: number, rtol = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
};
/** A few entries of a gradient, and its length. */
const spot = (g: readonly number[], expected: (i: number) => number): void => {
  expect(g.length).toBe(N);
  for (const i of [0, 1, 12_345, N >> 1, N - 1]) close(g[i]!, expected(i));
};

/** One n-ary primitive as a scalar function of its 10⁶-long arguments, with closed forms. */
interface Nary {
  readonly name: string;
  readonly f: (...args: Num[][]) => Num;
  readonly args: readonly number[][];
  readonly value: number;
  /** ∂f/∂(first argument)ᵢ */
  readonly grad: (i: number) => number;
  /** The tangents for jvp, and the directional derivative along them. */
  readonly tangents: readonly number[][];
  readonly jvp: number;
}

const s0 = soft[0]!;
const xDotY = plainSum(xs.map((v, i) => v * ys[i]!));
const softDotY = plainSum(soft.map((s, i) => s * ys[i]!));
const NARY: readonly Nary[] = [
  { name: "sum", f: (v) => sum(v), args: [xs], value: plainSum(xs), grad: () => 1, tangents: [ys], jvp: plainSum(ys) },
  { name: "mean", f: (v) => mean(v), args: [xs], value: plainSum(xs) / N, grad: () => 1 / N, tangents: [ys], jvp: plainSum(ys) / N },
  {
    name: "dot (10⁶ per side)",
    f: (a, b) => dot(a!, b!),
    args: [xs, ys],
    value: xDotY,
    grad: (i) => ys[i]!,
    // along (ẋ, ẏ) = (y, x): y·y + x·x
    tangents: [ys, xs],
    jvp: plainSum(ys.map((v) => v * v)) + plainSum(xs.map((v) => v * v)),
  },
  { name: "logSumExp", f: (v) => logSumExp(v), args: [xs], value: lse, grad: (i) => soft[i]!, tangents: [ys], jvp: softDotY },
  {
    // its first entry, a function of all 10⁶ inputs; ∂s₀/∂xᵢ = s₀ (δ₀ᵢ − sᵢ)
    name: "softmax",
    f: (v) => softmax(v)[0]!,
    args: [xs],
    value: s0,
    grad: (i) => s0 * ((i === 0 ? 1 : 0) - soft[i]!),
    tangents: [ys],
    jvp: s0 * (ys[0]! - softDotY),
  },
];

describe("n-ary primitives at 10⁶ inputs", () => {
  it("softmax returns all 10⁶ entries eagerly", () => {
    spot(softmax(xs) as number[], (i) => soft[i]!);
  });
  for (const p of NARY) {
    const f = p.f as (...args: unknown[]) => Num;
    it(`${p.name}: eager`, () => close(f(...p.args) as number, p.value));
    it(`${p.name}: grad`, () => spot(grad(f)(...p.args) as number[], p.grad));
    it(`${p.name}: jvp`, () => close(jvp(f, [...p.args], [...p.tangents])[1] as number, p.jvp));
    it(`${p.name}: jit`, () => close(jit(f)(...p.args) as number, p.value));
    it(`${p.name}: jit(grad)`, () => spot(jit(grad(f))(...p.args) as number[], p.grad));
  }
});

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
