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
  /** @internal An array whose elements are all leaves (a parameter vector): jit's fast paths. */
  readonly leafArray: boolean;

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
  ) {
    let leafArray = kind === "array";
    for (let i = 0; i < children.length && leafArray; i++) leafArray = children[i]!.kind === "leaf";
    this.leafArray = leafArray;
  }

  /** Whether `other` has the same structure (kinds, lengths, keys in the same order); false for anything but a TreeDef. */
  equals(other: TreeDef): boolean {
    // Pairs still to compare, walked with an explicit stack: trees may be arbitrarily deep.
    const as: TreeDef[] = [this];
    const bs: unknown[] = [other];
    while (as.length > 0) {
      const a = as.pop()!;
      const b = bs.pop();
      if (a === b) continue;
      if (!isTreeDef(b)) return false;
      if (a.kind !== b.kind || a.numLeaves !== b.numLeaves || a.children.length !== b.children.length) return false;
      for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i]) return false;
      for (let i = 0; i < a.children.length; i++) {
        as.push(a.children[i]!);
        bs.push(b.children[i]!);
      }
    }
    return true;
  }

  /** `*` for a leaf, `[…]` for arrays, `{ key: … }` for objects. */
  toString(): string {
    return renderTree(this, () => "*", formatKey);
  }
}

/**
 * The text of a structure: `leaf(k)` for the k-th leaf, `[a, b]` for arrays, `{ key: a }` for
 * objects (keys written by `key`). Walks with an explicit stack: any depth works.
 */
export function renderTree(def: TreeDef, leaf: (k: number) => string, key: (k: string) => string): string {
  const out: string[] = [];
  let k = 0;
  // Structures still to print, or text to emit as it is: an explicit stack, in reverse order.
  const todo: (TreeDef | string)[] = [def];
  while (todo.length > 0) {
    const d = todo.pop()!;
    if (typeof d === "string") out.push(d);
    else if (d.kind === "leaf") out.push(leaf(k++));
    else if (d.kind === "object" && d.children.length === 0) out.push("{}");
    else {
      const array = d.kind === "array";
      todo.push(array ? "]" : " }");
      for (let i = d.children.length - 1; i >= 0; i--) {
        todo.push(d.children[i]!);
        const sep = i === 0 ? "" : ", ";
        if (!array) todo.push(`${sep}${key(d.keys[i]!)}: `);
        else if (sep !== "") todo.push(sep);
      }
      out.push(array ? "[" : "{ ");
    }
  }
  return out.join("");
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

/** Whether `x` is a plain object (a record, also with a null prototype), as opposed to a class instance or a special object. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  let proto: unknown;
  try {
    proto = Object.getPrototypeOf(x);
  } catch {
    return false; // a revoked Proxy
  }
  return proto === Object.prototype || proto === null;
}

/**
 * `obj[key] = value` as an own, enumerable data property, whatever the key: plain assignment
 * of `__proto__` would set the object's prototype instead of creating the key.
 */
export function setOwn(obj: object, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else (obj as Record<string, unknown>)[key] = value;
}

/** `x instanceof TreeDef`, false (not a TypeError) for a revoked Proxy. */
function isTreeDef(x: unknown): x is TreeDef {
  try {
    return x instanceof TreeDef;
  } catch {
    return false;
  }
}

/** `Array.isArray`, false for a value that cannot be inspected (a revoked Proxy) instead of a TypeError. */
export function isArrayValue(x: unknown): x is unknown[] {
  try {
    return Array.isArray(x);
  } catch {
    return false;
  }
}

/**
 * What `x` is as a node of a tree. `unreadable` is a value that cannot even be inspected
 * (a revoked Proxy, on which `Array.isArray` throws): callers report it with its path.
 */
export function kindOf(x: unknown): "leaf" | "array" | "object" | "other" | "unreadable" {
  if (typeof x === "number") return "leaf";
  if (typeof x !== "object" || x === null) return "other";
  try {
    if (Array.isArray(x)) return "array";
    if (isPlainObject(x)) return "object";
  } catch {
    return "unreadable";
  }
  // Outside the try: an object posing as a tracer whose getter throws passes the user's own error through.
  return x instanceof Tracer ? "leaf" : "other";
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
  if (kindOf(x) === "unreadable") {
    return new TreeStructureError(`${what}: the value at ${showPath(path)} cannot be read (a revoked Proxy?); pass a plain array or object`, path);
  }
  const hint = ArrayBuffer.isView(x)
    ? " Typed arrays are not trees in this version: pass Array.from(x)."
    : " A tree is a number/Num, an array of trees, or a plain object of trees.";
  return new TreeStructureError(`${what}: expected a number or Num at ${showPath(path)}, got ${describeValue(x)}.${hint}`, path);
}

/**
 * Flattens a tree into its leaves (depth first, keys in order) and its structure. Any depth
 * works: the walk keeps its own stack.
 *
 * @param root - path of the tree itself in messages (e.g. `args[1]`), `""` for none.
 * @param what - what the tree is, for messages (e.g. `grad: argument`).
 * @throws {@link TreeStructureError} naming the path of a leaf that is not a number or `Num`,
 * of an array or object that contains itself, or of a value that cannot be read (a revoked Proxy).
 */
export function flatten(tree: unknown, root = "", what = "tree"): { leaves: Num[]; def: TreeDef } {
  const leaves: Num[] = [];
  // The arrays and objects on the way down, as parallel stacks (no object per level: a deep
  // walk keeps every level alive, which the garbage collector would copy again and again).
  const nodes: (Record<string, unknown> | unknown[])[] = [];
  const nodeKeys: (string[] | undefined)[] = []; // the keys of an object, undefined for an array
  const starts: number[] = []; // where a node's leaves start
  const firstChild: number[] = []; // where a node's children start in `done`
  // Structures of the finished children of the nodes on the way down, in order.
  const done: TreeDef[] = [];
  // The path of the value being looked at; segs[i] is the key of nodes[i]'s current child.
  const segs: Segments = [];
  // The arrays and objects on the way down: meeting one again is a cycle, not a deeper tree.
  const ancestors = new Set<object>();
  let x: unknown = tree;
  for (;;) {
    // Look at `x` (the root, or the child at `segs`); `def` is its structure once known.
    let def: TreeDef | undefined;
    const kind = kindOf(x);
    if (kind === "leaf") {
      leaves.push(x as Num);
      def = LEAF;
    } else if (kind === "array" || kind === "object") {
      const node = x as Record<string, unknown> | unknown[];
      if (ancestors.has(node)) {
        const path = joinPath(root, segs);
        throw new TreeStructureError(
          `${what}: the tree contains itself at ${showPath(path)} (a cycle); a tree must be finite: pass the numeric part only`,
          path,
        );
      }
      ancestors.add(node);
      nodes.push(node);
      nodeKeys.push(kind === "array" ? undefined : Object.keys(node));
      starts.push(leaves.length);
      firstChild.push(done.length);
    } else {
      throw badLeaf(root, segs, x, what);
    }
    // Finish every node whose children are all done, then move to the next child.
    for (;;) {
      const top = nodes.length - 1;
      if (top < 0) return { leaves, def: def! };
      if (def !== undefined) {
        done.push(def);
        segs.pop();
        def = undefined;
      }
      const node = nodes[top]!;
      const keys = nodeKeys[top];
      const i = done.length - firstChild[top]!;
      if (i < (keys === undefined ? (node as unknown[]).length : keys.length)) {
        const key = keys === undefined ? i : keys[i]!;
        // Two load sites, so that each stays monomorphic (indexing arrays, keying objects).
        const child = keys === undefined ? (node as unknown[])[i] : (node as Record<string, unknown>)[key];
        if (typeof child === "number") {
          // The common case, without a round through the outer loop.
          leaves.push(child);
          done.push(LEAF);
          continue;
        }
        segs.push(key);
        x = child;
        break;
      }
      const base = firstChild[top]!;
      const children = done.slice(base);
      done.length = base;
      const count = leaves.length - starts[top]!;
      def = keys === undefined ? new TreeDef("array", children, [], count) : new TreeDef("object", children, keys, count);
      nodes.pop();
      nodeKeys.pop();
      starts.pop();
      firstChild.pop();
      ancestors.delete(node);
    }
  }
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
    if (kindOf(x) === "unreadable") return badLeaf(root, segs, x, what);
    return new TreeStructureError(
      `${what}: expected ${expected} at ${showPath(path)}, got ${describeValue(x)}; it must have the same structure as the tree it mirrors`,
      path,
    );
  };
  // The arrays and objects on the way down with their structure and the next child to visit.
  const defs: TreeDef[] = [];
  const nodes: Record<string | number, unknown>[] = [];
  const next: number[] = [];
  let d = def;
  let x: unknown = tree;
  for (;;) {
    if (d.kind === "leaf") {
      if (kindOf(x) === "leaf") leaves.push(x as Num);
      else throw badLeaf(root, segs, x, what);
    } else if (d.kind === "array") {
      if (kindOf(x) !== "array" || (x as unknown[]).length !== d.children.length) throw mismatch(`an array of length ${d.children.length}`, x);
      defs.push(d);
      nodes.push(x as Record<string | number, unknown>);
      next.push(0);
    } else {
      if (kindOf(x) !== "object") throw mismatch(`an object with keys ${JSON.stringify(d.keys)}`, x);
      const obj = x as Record<string, unknown>;
      const keys = Object.keys(obj);
      const missing = d.keys.find((k) => !Object.prototype.hasOwnProperty.call(obj, k));
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
      defs.push(d);
      nodes.push(obj);
      next.push(0);
    }
    // Move to the next child to visit, leaving the nodes that are done.
    for (;;) {
      const top = defs.length - 1;
      if (top < 0) return leaves;
      if (segs.length > top) segs.pop(); // the child just visited
      const p = defs[top]!;
      const i = next[top]!;
      if (i < p.children.length) {
        next[top] = i + 1;
        const key = p.kind === "array" ? i : p.keys[i]!;
        segs.push(key);
        d = p.children[i]!;
        x = nodes[top]![key];
        break;
      }
      defs.pop();
      nodes.pop();
      next.pop();
    }
  }
}

/**
 * Splits the flat leaves of several trees (argument after argument) into one piece per tree,
 * by the leaf counts of their structures `defs`; `unflatten(defs[i], pieces[i])` rebuilds tree i.
 */
export function splitLeaves<L>(defs: readonly TreeDef[], leaves: readonly L[]): L[][] {
  const pieces: L[][] = [];
  let k = 0;
  for (const d of defs) {
    pieces.push(leaves.slice(k, k + d.numLeaves));
    k += d.numLeaves;
  }
  return pieces;
}

/** Rebuilds a tree of structure `def` from its leaves. Objects are created as plain records. */
export function unflatten<L>(def: TreeDef, leaves: readonly L[]): unknown {
  if (def.kind === "leaf") return leaves[0];
  const make = (d: TreeDef): unknown[] | Record<string, unknown> => (d.kind === "array" ? new Array<unknown>(d.children.length) : {});
  const root = make(def);
  // Containers made but not filled yet, with their structure and the index of their first leaf
  // (an explicit stack: trees may be arbitrarily deep).
  const defs: TreeDef[] = [def];
  const outs: (unknown[] | Record<string, unknown>)[] = [root];
  const firsts: number[] = [0];
  while (defs.length > 0) {
    const d = defs.pop()!;
    const out = outs.pop()!;
    let k = firsts.pop()!;
    for (let i = 0; i < d.children.length; i++) {
      const c = d.children[i]!;
      let v: unknown;
      if (c.kind === "leaf") v = leaves[k++];
      else {
        v = make(c);
        defs.push(c);
        outs.push(v as unknown[] | Record<string, unknown>);
        firsts.push(k);
        k += c.numLeaves;
      }
      if (d.kind === "array") (out as unknown[])[i] = v;
      else setOwn(out, d.keys[i]!, v);
    }
  }
  return root;
}

/** The paths of every leaf of `def`, in leaf order. */
export function leafPaths(def: TreeDef, root = ""): string[] {
  const out: string[] = [];
  // Subtrees still to visit with their paths, in reverse order (an explicit stack).
  const defs: TreeDef[] = [def];
  const paths: string[] = [root];
  while (defs.length > 0) {
    const d = defs.pop()!;
    const path = paths.pop()!;
    if (d.kind === "leaf") out.push(path);
    for (let i = d.children.length - 1; i >= 0; i--) {
      defs.push(d.children[i]!);
      paths.push(childPath(path, d.kind === "array" ? i : d.keys[i]!));
    }
  }
  return out;
}
