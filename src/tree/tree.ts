/**
 * Trees ("pytrees"): a `Num` leaf, an array or tuple of trees, or a plain object of trees.
 * Every transform flattens its arguments to leaves plus a structure here and rebuilds its
 * results from them, so shapes, paths in messages and types agree everywhere.
 */
import { TreeStructureError } from "../errors.js";
import { describeValue, Tracer, type Num } from "../core/num.js";

/**
 * The structure of a tree without its leaves. Equal structures print the same and compare
 * equal with `equals`.
 *
 * @example
 * ```ts
 * import { treeStructure } from "chainrule";
 * const s = treeStructure({ w: [1, 2], b: 3 });
 * console.log(String(s)); // { w: [*, *], b: * }
 * console.log(s.equals(treeStructure({ w: [5, 6], b: 7 }))); // true
 * ```
 * @category Trees
 */
export class TreeDef {
  /** Not for users: a structure comes from {@link treeStructure} or a transform. */
  constructor(
    /** `leaf`, `array` or `object`. */
    readonly kind: "leaf" | "array" | "object",
    /** The subtrees, in order. */
    readonly children: readonly TreeDef[],
    /** The keys of an object, in order (empty otherwise). */
    readonly keys: readonly string[],
    /** Number of leaves. */
    readonly numLeaves: number,
  ) {}

  /** Whether `other` has the same structure (kinds, lengths, keys in the same order). */
  equals(other: TreeDef): boolean {
    if (this === other) return true;
    if (this.kind !== other.kind || this.numLeaves !== other.numLeaves) return false;
    if (this.children.length !== other.children.length) return false;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== other.keys[i]) return false;
    for (let i = 0; i < this.children.length; i++) if (!this.children[i]!.equals(other.children[i]!)) return false;
    return true;
  }

  /** `*` for a leaf, `[…]` for arrays, `{ key: … }` for objects. */
  toString(): string {
    if (this.kind === "leaf") return "*";
    if (this.kind === "array") return `[${this.children.map(String).join(", ")}]`;
    if (this.children.length === 0) return "{}";
    return `{ ${this.children.map((c, i) => `${formatKey(this.keys[i]!)}: ${String(c)}`).join(", ")} }`;
  }
}

/** The structure of a single leaf. */
export const LEAF = new TreeDef("leaf", [], [], 1);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatKey(k: string): string {
  return IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

/** Appends a key or index to a path: `w` + 3 → `w[3]`, `layers[1]` + `b` → `layers[1].b`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** How a path reads in a message: the root is `<root>`. */
export function showPath(path: string): string {
  return path === "" ? "<root>" : path;
}

/** Whether `x` is a plain object (a record), as opposed to a class instance or a special object. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Path segments collected on the way down; joined only when a message needs them. */
type Segments = (string | number)[];

function joinPath(root: string, segs: Segments): string {
  let p = root;
  for (const s of segs) p = childPath(p, s);
  return p;
}

function badLeaf(root: string, segs: Segments, x: unknown, what: string): TreeStructureError {
  const path = joinPath(root, segs);
  const hint = ArrayBuffer.isView(x)
    ? " Typed arrays are not trees in this version: pass Array.from(x)."
    : " A tree is a number/Num, an array of trees, or a plain object of trees.";
  return new TreeStructureError(`${what}: expected a number or Num at ${showPath(path)}, got ${describeValue(x)}.${hint}`, path);
}

/**
 * Flattens a tree into its leaves (depth first, keys in order) and its structure.
 *
 * @param root - path of the tree itself in messages (e.g. `args[1]`), `""` for none.
 * @param what - what the tree is, for messages (e.g. `grad: argument`).
 * @throws {@link TreeStructureError} naming the path of a leaf that is not a number or `Num`,
 * or of an array or object that contains itself.
 */
export function flatten(tree: unknown, root = "", what = "tree"): { leaves: Num[]; def: TreeDef } {
  const leaves: Num[] = [];
  const segs: Segments = [];
  // The arrays and objects on the way down: meeting one again is a cycle, not a deeper tree.
  const ancestors = new Set<object>();
  const enter = (x: object): void => {
    if (ancestors.has(x)) {
      const path = joinPath(root, segs);
      throw new TreeStructureError(
        `${what}: the tree contains itself at ${showPath(path)} (a cycle); a tree must be finite: pass the numeric part only`,
        path,
      );
    }
    ancestors.add(x);
  };
  const walk = (x: unknown): TreeDef => {
    if (typeof x === "number" || x instanceof Tracer) {
      leaves.push(x);
      return LEAF;
    }
    if (Array.isArray(x)) {
      enter(x);
      const children = new Array<TreeDef>(x.length);
      const start = leaves.length;
      for (let i = 0; i < x.length; i++) {
        segs.push(i);
        children[i] = walk(x[i]);
        segs.pop();
      }
      ancestors.delete(x);
      return new TreeDef("array", children, [], leaves.length - start);
    }
    if (isPlainObject(x)) {
      enter(x);
      const keys = Object.keys(x);
      const children = new Array<TreeDef>(keys.length);
      const start = leaves.length;
      for (let i = 0; i < keys.length; i++) {
        segs.push(keys[i]!);
        children[i] = walk(x[keys[i]!]);
        segs.pop();
      }
      ancestors.delete(x);
      return new TreeDef("object", children, keys, leaves.length - start);
    }
    throw badLeaf(root, segs, x, what);
  };
  const def = walk(tree);
  return { leaves, def };
}

/**
 * Flattens `tree`, which must have the structure `def` (tangents, cotangents: trees that mirror
 * another one). Leaves must be `Num`s.
 *
 * @throws {@link TreeStructureError} naming the first path where the structures differ.
 */
export function flattenAs(def: TreeDef, tree: unknown, root: string, what: string): Num[] {
  const leaves: Num[] = [];
  const segs: Segments = [];
  const mismatch = (expected: string, x: unknown): TreeStructureError => {
    const path = joinPath(root, segs);
    return new TreeStructureError(
      `${what}: expected ${expected} at ${showPath(path)}, got ${describeValue(x)}; it must have the same structure as the tree it mirrors`,
      path,
    );
  };
  const walk = (d: TreeDef, x: unknown): void => {
    if (d.kind === "leaf") {
      if (typeof x === "number" || x instanceof Tracer) leaves.push(x);
      else throw badLeaf(root, segs, x, what);
      return;
    }
    if (d.kind === "array") {
      if (!Array.isArray(x) || x.length !== d.children.length) throw mismatch(`an array of length ${d.children.length}`, x);
      for (let i = 0; i < x.length; i++) {
        segs.push(i);
        walk(d.children[i]!, x[i]);
        segs.pop();
      }
      return;
    }
    if (!isPlainObject(x)) throw mismatch(`an object with keys ${JSON.stringify(d.keys)}`, x);
    const keys = Object.keys(x);
    const missing = d.keys.find((k) => !Object.prototype.hasOwnProperty.call(x, k));
    if (missing !== undefined) {
      segs.push(missing);
      const path = joinPath(root, segs);
      throw new TreeStructureError(`${what}: missing key at ${showPath(path)}; it must have the same structure as the tree it mirrors`, path);
    }
    if (keys.length !== d.keys.length) {
      const extra = keys.find((k) => !d.keys.includes(k))!;
      segs.push(extra);
      const path = joinPath(root, segs);
      throw new TreeStructureError(`${what}: unexpected key at ${showPath(path)}; it must have the same structure as the tree it mirrors`, path);
    }
    for (let i = 0; i < d.keys.length; i++) {
      const k = d.keys[i]!;
      segs.push(k);
      walk(d.children[i]!, x[k]);
      segs.pop();
    }
  };
  walk(def, tree);
  return leaves;
}

/** Rebuilds a tree of structure `def` from its leaves. Objects are created as plain records. */
export function unflatten<L>(def: TreeDef, leaves: readonly L[]): unknown {
  let k = 0;
  const build = (d: TreeDef): unknown => {
    if (d.kind === "leaf") return leaves[k++];
    if (d.kind === "array") {
      const arr = new Array<unknown>(d.children.length);
      for (let i = 0; i < arr.length; i++) arr[i] = build(d.children[i]!);
      return arr;
    }
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < d.keys.length; i++) {
      const key = d.keys[i]!;
      const v = build(d.children[i]!);
      // A key named __proto__ must stay an own property, never reach the prototype.
      if (key === "__proto__") Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      else obj[key] = v;
    }
    return obj;
  };
  return build(def);
}

/** The paths of every leaf of `def`, in leaf order. */
export function leafPaths(def: TreeDef, root = ""): string[] {
  const out: string[] = [];
  const walk = (d: TreeDef, path: string): void => {
    if (d.kind === "leaf") out.push(path);
    else d.children.forEach((c, i) => walk(c, d.kind === "array" ? childPath(path, i) : childPath(path, d.keys[i]!)));
  };
  walk(def, root);
  return out;
}
