/**
 * jit's cache keys: the tree structure of each non-static argument, the values of static ones
 * (`Object.is` for primitives, structural for plain data, identity otherwise) and whether NaN
 * debugging is on; and the options that shape the cache.
 */
import { ChainruleError } from "../errors.js";
import { describeValue } from "../core/num.js";
import { kindOf, type TreeDef } from "../tree/tree.js";
import { argumentPositions } from "../transforms/common.js";
/** The default of jit's `cacheSize` option. */
const DEFAULT_CACHE_SIZE = 128;

export function normalizeCacheSize(n: unknown): number {
  if (n === undefined) return DEFAULT_CACHE_SIZE;
  if (n === Infinity || (typeof n === "number" && Number.isInteger(n) && n >= 1)) return n;
  throw new ChainruleError(`jit: cacheSize must be a positive integer or Infinity, got ${describeValue(n)}`);
}

export function checkStaticRange(statics: ReadonlySet<number>, count: number): void {
  argumentPositions([...statics], count, "jit: staticArgnums");
}


/**
 * Structural equality of static values: `Object.is` for primitives (and anything but arrays and
 * plain objects), keys in any order for objects. Walks with an explicit stack; `a` is a value
 * that already went through {@link staticKey}, so it is finite and the walk ends.
 */
export function sameStatic(a: unknown, b: unknown): boolean {
  const as: unknown[] = [a];
  const bs: unknown[] = [b];
  while (as.length > 0) {
    const x = as.pop();
    const y = bs.pop();
    if (Object.is(x, y)) continue;
    const kind = kindOf(x);
    if (kind === "array") {
      const xa = x as unknown[];
      if (kindOf(y) !== "array" || xa.length !== (y as unknown[]).length) return false;
      for (let i = 0; i < xa.length; i++) {
        as.push(xa[i]);
        bs.push((y as unknown[])[i]);
      }
    } else if (kind === "object") {
      if (kindOf(y) !== "object") return false;
      const xo = x as Record<string, unknown>;
      const yo = y as Record<string, unknown>;
      const ka = Object.keys(xo);
      if (ka.length !== Object.keys(yo).length) return false;
      for (const k of ka) {
        if (!Object.prototype.hasOwnProperty.call(yo, k)) return false;
        as.push(xo[k]);
        bs.push(yo[k]);
      }
    } else return false;
  }
  return true;
}

const identities = new WeakMap<object, number>();
const symbolIds = new Map<symbol, number>();
let nextIdentity = 0;

/** The key of a value that is not walked into (anything but an array or a plain object). */
function atomKey(v: unknown): string {
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "n-0" : `n${String(v)}`;
    case "string":
      return `s${JSON.stringify(v)}`;
    case "boolean":
      return v ? "T" : "F";
    case "undefined":
      return "u";
    case "bigint":
      return `b${String(v)}`;
    case "symbol": {
      let id = symbolIds.get(v);
      if (id === undefined) symbolIds.set(v, (id = nextIdentity++));
      return `y${id}`;
    }
    default:
      break;
  }
  if (v === null) return "z";
  let id = identities.get(v as object);
  if (id === undefined) identities.set(v as object, (id = nextIdentity++));
  return `o${id}`;
}

const VALUE = 0;
const TEXT = 1;
const LEAVE = 2;

/**
 * A string that is equal for equal static values (in the sense of `sameStatic`), built with an
 * explicit stack (any depth works).
 *
 * @throws {@link ChainruleError} when the value contains itself.
 */
function staticKey(v: unknown, where: string): string {
  const out: string[] = [];
  const onPath = new Set<object>();
  // Work still to do, last first: a value to encode, text to emit, or an array or object to leave.
  const todo: unknown[] = [v];
  const tags: number[] = [VALUE];
  while (todo.length > 0) {
    const x = todo.pop();
    const tag = tags.pop();
    if (tag === TEXT) {
      out.push(x as string);
      continue;
    }
    if (tag === LEAVE) {
      onPath.delete(x as object);
      continue;
    }
    const kind = kindOf(x);
    if (kind !== "array" && kind !== "object") {
      out.push(atomKey(x));
      continue;
    }
    const node = x as Record<string, unknown> | unknown[];
    if (onPath.has(node)) {
      throw new ChainruleError(
        `jit: the static argument ${where} contains itself (a cycle); static arrays and plain objects are compared by value, so they must be finite: pass a class instance to compare by identity`,
      );
    }
    onPath.add(node);
    todo.push(node, kind === "array" ? "]" : "}");
    tags.push(LEAVE, TEXT);
    if (kind === "array") {
      const arr = node as unknown[];
      for (let i = arr.length - 1; i >= 0; i--) {
        todo.push(arr[i], ",");
        tags.push(VALUE, TEXT);
      }
      out.push("[");
    } else {
      const obj = node as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      for (let i = keys.length - 1; i >= 0; i--) {
        todo.push(obj[keys[i]!], `,${JSON.stringify(keys[i])}:`);
        tags.push(VALUE, TEXT);
      }
      out.push("{");
    }
  }
  return out.join("");
}

export function cacheKey(args: readonly unknown[], defs: readonly (TreeDef | undefined)[], statics: ReadonlySet<number>, debug: boolean): string {
  const parts = [debug ? "debug" : "plain", String(args.length)];
  // String(def) is unambiguous: keys are printed as identifiers or JSON strings.
  for (let i = 0; i < args.length; i++) parts.push(statics.has(i) ? `s${staticKey(args[i], `args[${i}]`)}` : `t${String(defs[i]!)}`);
  return parts.join("|");
}
