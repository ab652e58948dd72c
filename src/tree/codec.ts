/**
 * Parameter trees in and out: io-ts codecs that check untrusted input (JSON from a file, a
 * request, `localStorage`) against the shape of a template tree, reporting every problem with
 * its tree path, and never letting a key reach an object's prototype.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { describeValue } from "../core/num.js";
import { TreeDecodeError, type TreeDecodeProblem } from "../errors.js";
import { childPath, flatten, isPlainObject, type TreeDef } from "./tree.js";
import type { Primal } from "./types.js";
import { readBoolean, readOptions } from "../transforms/common.js";

/**
 * Options of {@link treeCodec} and {@link decodeTree}.
 *
 * @example
 * ```ts
 * import { decodeTree } from "chainrule";
 * console.log(decodeTree([0], [NaN], { allowNonFinite: true })); // { _tag: "Right", right: [NaN] }
 * ```
 * @category Codecs
 */
export interface TreeCodecOptions {
  /**
   * Accept `NaN`, `Infinity` and `-Infinity` as leaves. Off by default: a non-finite parameter
   * is almost always a diverged training run, and JSON cannot carry one anyway
   * (`JSON.stringify(NaN)` is `"null"`).
   */
  readonly allowNonFinite?: boolean | undefined;
}

/**
 * The compile-time check on a template's type: `unknown` (no constraint) when `T` is a tree of
 * numbers, otherwise `Primal<T>`, whose `never` leaves make the compiler point at the
 * offending keys. Written so that it does not change how the template's type is inferred
 * (`{ w: [0, 0] }` stays `{ w: number[] }`, not a tuple).
 *
 * @example
 * ```ts
 * import type { TreeTemplate } from "chainrule";
 * type Good = TreeTemplate<{ w: number[] }>; // unknown: no constraint on the template
 * type Bad = TreeTemplate<{ w: string }>; //   { w: never }: decodeTree({ w: "x" }, input) does not compile
 * const good: Good = "anything";
 * const bad: Bad = { w: undefined as never };
 * console.log(good, bad);
 * ```
 * @category Codecs
 */
export type TreeTemplate<T> = [T] extends [Primal<T>] ? unknown : Primal<T>;

/** One node of a compiled template: its structure, its io-ts type (for contexts), its children. */
interface Node {
  readonly def: TreeDef;
  readonly type: t.Decoder<unknown, unknown>;
  readonly children: readonly Node[];
}

/** A problem found on the way down, before it is turned into an io-ts error or a TreeDecodeProblem. */
interface RawProblem {
  readonly segs: readonly (string | number)[];
  /** io-ts context entries below the codec's own context, one per segment. */
  readonly entries: readonly t.ContextEntry[];
  readonly value: unknown;
  readonly message: string;
}

const MAX_KEYS_SHOWN = 8;
/** Up to this many template keys, a linear search beats building a Set. */
const MAX_LINEAR_KEYS = 16;

/** How a template node reads in a message: `a number`, `an array of length 2`, `an object with keys w, b`. */
function describeDef(def: TreeDef): string {
  if (def.kind === "leaf") return "a number";
  if (def.kind === "array") return `an array of length ${def.children.length}`;
  if (def.keys.length === 0) return "an empty object";
  const shown = def.keys.slice(0, MAX_KEYS_SHOWN).map((k) => JSON.stringify(k));
  const more = def.keys.length > MAX_KEYS_SHOWN ? `, … (${def.keys.length} keys)` : "";
  return `an object with keys ${shown.join(", ")}${more}`;
}

function pathOf(segs: readonly (string | number)[]): string {
  let p = "";
  for (const s of segs) p = childPath(p, s);
  return p;
}

/** Defines `obj[key] = value` as an own, enumerable data property, whatever the key (`__proto__` included). */
function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Checks `input` against `node`, collecting every problem into `problems`, and returns a fresh
 * copy of it (plain arrays and objects with own properties only, keys in the template's order).
 * The walk follows the template, so its depth is the template's, whatever the input is.
 */
function walk(
  node: Node,
  input: unknown,
  allowNonFinite: boolean,
  segs: (string | number)[],
  entries: t.ContextEntry[],
  problems: RawProblem[],
): unknown {
  const problem = (value: unknown, message: string): void => {
    problems.push({ segs: segs.slice(), entries: entries.slice(), value, message });
  };
  const def = node.def;
  if (def.kind === "leaf") {
    if (typeof input !== "number") {
      problem(input, `expected a number, got ${describeValue(input)}`);
    } else if (!allowNonFinite && !Number.isFinite(input)) {
      problem(input, `expected a finite number, got ${input} (decode with { allowNonFinite: true } to accept NaN and ±Infinity)`);
    }
    return input;
  }
  if (def.kind === "array") {
    const n = def.children.length;
    if (!Array.isArray(input)) {
      problem(input, `expected ${describeDef(def)}, got ${describeValue(input)}`);
      return undefined;
    }
    if (input.length !== n) problem(input, `expected ${describeDef(def)}, got ${describeValue(input)}`);
    // Check the elements both have, so one call reports as much as it can.
    const common = Math.min(n, input.length);
    const out = new Array<unknown>(n);
    for (let i = 0; i < common; i++) {
      const child = node.children[i]!;
      const x: unknown = input[i];
      segs.push(i);
      entries.push({ key: String(i), type: child.type, actual: x });
      out[i] = walk(child, x, allowNonFinite, segs, entries, problems);
      segs.pop();
      entries.pop();
    }
    return out;
  }
  if (!isPlainObject(input)) {
    problem(input, `expected ${describeDef(def)}, got ${describeValue(input)}`);
    return undefined;
  }
  // Only own properties count: inherited ones (`constructor`, `toString`) are never read.
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(input, k);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < def.keys.length; i++) {
    const key = def.keys[i]!;
    const child = node.children[i]!;
    segs.push(key);
    if (!has(key)) {
      entries.push({ key, type: child.type, actual: undefined });
      problem(undefined, `missing key (expected ${describeDef(child.def)})`);
    } else {
      const x = input[key];
      entries.push({ key, type: child.type, actual: x });
      defineOwn(out, key, walk(child, x, allowNonFinite, segs, entries, problems));
    }
    segs.pop();
    entries.pop();
  }
  const known = def.keys.length > MAX_LINEAR_KEYS ? new Set(def.keys) : def.keys;
  for (const key of Object.keys(input)) {
    if (known instanceof Set ? known.has(key) : known.includes(key)) continue;
    const x = input[key];
    segs.push(key);
    entries.push({ key, type: t.never, actual: x });
    problem(x, "unexpected key (not in the template)");
    segs.pop();
    entries.pop();
  }
  return out;
}

/** Compiles a template into nodes, each with an io-ts type of its own (named after its shape). */
function compile(def: TreeDef, allowNonFinite: boolean, name: string): Node {
  const children = def.children.map((c) => compile(c, allowNonFinite, String(c) === "*" ? "number" : String(c)));
  const node: Node = { def, children, type: undefined as unknown as t.Decoder<unknown, unknown> };
  const validate = (u: unknown, c: t.Context): t.Validation<unknown> => {
    const problems: RawProblem[] = [];
    const value = walk(node, u, allowNonFinite, [], [], problems);
    if (problems.length === 0) return t.success(value);
    return t.failures(
      problems.map((p) => ({
        value: p.value,
        context: [...c, ...p.entries],
        message: `${p.segs.length === 0 ? "<root>" : pathOf(p.segs)}: ${p.message}`,
      })),
    );
  };
  const is = (u: unknown): u is unknown => {
    const problems: RawProblem[] = [];
    walk(node, u, allowNonFinite, [], [], problems);
    return problems.length === 0;
  };
  (node as { type: t.Decoder<unknown, unknown> }).type = new t.Type<unknown, unknown, unknown>(name, is, validate, t.identity);
  return node;
}

function compileTemplate(template: unknown, options: TreeCodecOptions | undefined, what: string): Node {
  const { def } = flatten(template, "", `${what}: template`);
  const allowNonFinite = readOptions(options, { allowNonFinite: readBoolean }, what).allowNonFinite === true;
  return compile(def, allowNonFinite, `Tree<${String(def) === "*" ? "number" : String(def)}>`);
}

/**
 * An io-ts codec for trees shaped like `template`: same arrays with the same lengths, same
 * object keys, finite numbers at the leaves.
 *
 * Decoding returns a fresh copy (plain arrays, plain objects with own properties only and keys
 * in the template's order); the input is never returned or mutated. Every problem is reported,
 * each as an io-ts `ValidationError` whose context has one entry per tree level and whose
 * message starts with the tree path relative to the tree
 * (`w[3]: expected a number, got a string ("x")`), so `PathReporter` prints readable lines. Keys such as `__proto__`,
 * `constructor` or `prototype` are only ever own properties, and only when the template has
 * them (otherwise they are "unexpected key" problems). Encoding is the identity.
 *
 * @param template - a tree of numbers; only its shape matters (its values are ignored).
 * @param options - `allowNonFinite: true` accepts `NaN` and `±Infinity` leaves.
 * @returns a codec `t.Type<Primal<T>, Primal<T>, unknown>`, usable inside other io-ts codecs.
 * @throws {@link TreeStructureError} when `template` itself is not a tree of numbers.
 * @example
 * ```ts
 * import { treeCodec } from "chainrule";
 * import { isRight } from "fp-ts/lib/Either.js";
 * import { PathReporter } from "io-ts/lib/PathReporter.js";
 * const Params = treeCodec({ w: [0, 0], b: 0 });
 * console.log(isRight(Params.decode({ w: [1, 2], b: 3 }))); // true
 * console.log(PathReporter.report(Params.decode({ w: [1, "2"] })));
 * // ['w[1]: expected a number, got a string ("2")', 'b: missing key (expected a number)']
 * ```
 * @category Codecs
 */
export function treeCodec<T>(template: T & NoInfer<TreeTemplate<T>>, options?: TreeCodecOptions): t.Type<Primal<T>, Primal<T>, unknown> {
  return compileTemplate(template, options, "treeCodec").type as t.Type<Primal<T>, Primal<T>, unknown>;
}

/**
 * Decodes untrusted input (for example `JSON.parse` of a saved model) as a tree shaped like
 * `template`, as an fp-ts `Either`: `Right` with a fresh tree of numbers, or `Left` with a
 * {@link TreeDecodeError} listing every problem with its path (`w[3]`, `layers[1].b`,
 * `["a b"]`; `""` for the root): wrong shapes (array vs object, array length), leaves that are
 * not numbers, non-finite numbers (unless `allowNonFinite`), missing keys and extra keys.
 *
 * Decoded objects are plain objects with own properties only, keys in the template's order: a
 * key such as `__proto__` never reaches a prototype.
 *
 * @param template - a tree of numbers; only its shape matters (its values are ignored).
 * @param input - anything.
 * @param options - `allowNonFinite: true` accepts `NaN` and `±Infinity` leaves.
 * @returns `Either<TreeDecodeError, Primal<T>>`.
 * @throws {@link TreeStructureError} when `template` itself is not a tree of numbers (input
 * problems never throw).
 * @example
 * ```ts
 * import { decodeTree } from "chainrule";
 * import * as E from "fp-ts/lib/Either.js";
 * import { pipe } from "fp-ts/lib/function.js";
 * const template = { layers: [{ w: [0, 0], b: 0 }] };
 * pipe(
 *   decodeTree(template, JSON.parse('{ "layers": [{ "w": [1, "x"] }] }')),
 *   E.match(
 *     (e) => console.log(e.problems), // [{ path: "layers[0].w[1]", … }, { path: "layers[0].b", … }]
 *     (params) => console.log(params.layers[0]?.b),
 *   ),
 * );
 * ```
 * @category Codecs
 */
export function decodeTree<T>(
  template: T & NoInfer<TreeTemplate<T>>,
  input: unknown,
  options?: TreeCodecOptions,
): E.Either<TreeDecodeError, Primal<T>> {
  const node = compileTemplate(template, options, "decodeTree");
  const problems: RawProblem[] = [];
  const value = walk(node, input, options?.allowNonFinite === true, [], [], problems);
  if (problems.length === 0) return E.right(value as Primal<T>);
  return E.left(new TreeDecodeError(problems.map((p): TreeDecodeProblem => ({ path: pathOf(p.segs), message: p.message }))));
}
