/**
 * Working with trees directly: map over leaves, list them, compare structures.
 */
import { describeValue, type Num } from "../core/num.js";
import { ChainruleError } from "../errors.js";
import { flatten, flattenAs, unflatten, type TreeDef } from "./tree.js";
import { expectFunction } from "../util/options.js";

/**
 * The type of a tree's leaves: `number` for a tree of numbers, `Num` inside a transform.
 * @example
 * ```ts
 * import type { LeafOf, Num } from "chainrule";
 * const leaf: LeafOf<{ w: number[]; b: number }> = 1; // number
 * const traced: LeafOf<{ w: Num[] }> = leaf; // Num
 * console.log(traced); // 1
 * ```
 * @category Trees
 */
export type LeafOf<T> = T extends Num
  ? T
  : T extends readonly (infer E)[]
    ? LeafOf<E>
    : T extends object
      ? LeafOf<T[keyof T]>
      : never;

/**
 * The tree type `T` with every leaf replaced by `R`: what {@link treeMap} returns.
 * @example
 * ```ts
 * import type { ReplaceLeaves } from "chainrule";
 * const mask: ReplaceLeaves<{ w: number[]; b: number }, 0 | 1> = { w: [1, 0], b: 1 };
 * console.log(mask.w); // [1, 0]
 * ```
 * @category Trees
 */
export type ReplaceLeaves<T, R> = T extends Num
  ? R
  : T extends readonly unknown[]
    ? { [K in keyof T]: ReplaceLeaves<T[K], R> }
    : T extends object
      ? { [K in keyof T]: ReplaceLeaves<T[K], R> }
      : never;

/**
 * Applies `f` to every leaf of `tree` (and the leaves at the same place in `rest`, which must
 * have the same structure), returning a new tree of the same shape. Nothing is mutated.
 *
 * @param f - called with the leaf of `tree` and the leaves at the same place in `rest`.
 * @param tree - the tree that gives the structure.
 * @param rest - more trees of the same structure.
 * @returns a new tree shaped like `tree` with `f`'s results as leaves.
 * @throws {@link TreeStructureError} when a tree in `rest` has another structure, and
 *   {@link ChainruleError} when `f` is not a function.
 * @example
 * ```ts
 * import { treeMap } from "chainrule";
 * const params = { w: [1, 2], b: 3 };
 * const grads = { w: [0.5, -1], b: 2 };
 * console.log(treeMap((p, g) => p - 0.1 * g, params, grads)); // { w: [0.95, 2.1], b: 2.8 }
 * ```
 * @category Trees
 */
export function treeMap<T, R extends Num>(
  f: (leaf: LeafOf<NoInfer<T>>, ...rest: LeafOf<NoInfer<T>>[]) => R,
  tree: T,
  ...rest: readonly T[]
): ReplaceLeaves<T, R> {
  expectFunction(f, "treeMap", "a function as its first argument");
  const { leaves, def } = flatten(tree, "", "treeMap: tree");
  const others = rest.map((t, i) => flattenAs(def, t, `rest[${i}]`, "treeMap"));
  const out = leaves.map((x, k) => f(x as LeafOf<T>, ...others.map((o) => o[k]! as LeafOf<T>)));
  return unflatten(def, out) as ReplaceLeaves<T, R>;
}

/**
 * The leaves of a tree, depth first, object keys in their order.
 *
 * @param tree - a number, an array or a plain object of trees.
 * @returns the leaves in order (the order `treeMap` and the transforms use).
 * @throws {@link TreeStructureError} when a leaf is not a number or `Num`.
 * @example
 * ```ts
 * import { treeLeaves } from "chainrule";
 * console.log(treeLeaves({ w: [1, 2], b: 3 })); // [1, 2, 3]
 * ```
 * @category Trees
 */
export function treeLeaves<T>(tree: T): LeafOf<T>[] {
  return flatten(tree, "", "treeLeaves").leaves as LeafOf<T>[];
}

/**
 * The structure of a tree (its shape without the leaves), comparable with `equals` and
 * printable.
 *
 * @param tree - a number, an array or a plain object of trees.
 * @returns its {@link TreeDef}.
 * @throws {@link TreeStructureError} when a leaf is not a number or `Num`.
 * @example
 * ```ts
 * import { treeStructure } from "chainrule";
 * console.log(String(treeStructure([1, { a: 2 }]))); // [*, { a: * }]
 * ```
 * @category Trees
 */
export function treeStructure(tree: unknown): TreeDef {
  return flatten(tree, "", "treeStructure").def;
}
