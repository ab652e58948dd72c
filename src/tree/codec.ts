/**
 * Parameter trees in and out: io-ts codecs that check untrusted input (JSON from a file, a
 * request, `localStorage`) against the shape of a template tree, reporting every problem with
 * its tree path, and never letting a key reach an object's prototype.
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { describeValue } from "../core/num.js";
import { TreeDecodeError, type TreeDecodeProblem } from "../errors.js";
import { childPath, flatten, kindOf, setOwn, type TreeDef } from "./tree.js";
import type { Primal } from "./types.js";
import { readBoolean, readOptions } from "../util/options.js";

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

/** A place on the way down: the key, the template there (undefined: not in the template), the input there. */
interface Step {
  readonly seg: string | number;
  readonly def: TreeDef | undefined;
  readonly actual: unknown;
}

/** A problem found on the way down, before it is turned into an io-ts error or a TreeDecodeProblem. */
interface RawProblem {
  /** Where: the steps from the root. */
  readonly steps: readonly Step[];
  readonly value: unknown;
  readonly message: string;
}

/** The io-ts type of a template node, made when an error context needs it. */
type TypeOf = (def: TreeDef) => t.Decoder<unknown, unknown>;

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

/** How an input value reads in a message (also one that cannot be inspected, such as a revoked Proxy). */
function describeInput(x: unknown): string {
  return kindOf(x) === "unreadable" ? "a value that cannot be read (a revoked Proxy?)" : describeValue(x);
}

function pathOf(steps: readonly Step[]): string {
  let p = "";
  for (const s of steps) p = childPath(p, s.seg);
  return p;
}

/** io-ts context entries below the codec's own context, one per step. */
function entriesOf(steps: readonly Step[], typeOf: TypeOf): t.ContextEntry[] {
  return steps.map((s) => ({ key: String(s.seg), type: s.def === undefined ? t.never : typeOf(s.def), actual: s.actual }));
}

/** An array or object of the input being checked, with its fresh copy and the next child to check. */
interface Frame {
  readonly def: TreeDef;
  readonly input: Record<string | number, unknown>;
  readonly out: Record<string | number, unknown>;
  /** Children to check: for an array, those both the template and the input have. */
  readonly count: number;
  next: number;
}

/**
 * Checks `input` against `root`, collecting every problem, and returns a fresh copy of it (plain
 * arrays and objects with own properties only, keys in the template's order). The walk follows
 * the template, so its depth is the template's, whatever the input is; it keeps its own stack,
 * so any depth works.
 */
function walk(root: TreeDef, input: unknown, allowNonFinite: boolean): { value: unknown; problems: RawProblem[] } {
  const problems: RawProblem[] = [];
  const steps: Step[] = [];
  const frames: Frame[] = [];
  const problem = (value: unknown, message: string): void => {
    problems.push({ steps: steps.slice(), value, message });
  };
  /** Checks a leaf, or starts checking an array or object (pushing its frame); returns the copy. */
  const visit = (def: TreeDef, x: unknown): unknown => {
    if (def.kind === "leaf") {
      if (typeof x !== "number") {
        problem(x, `expected a number, got ${describeInput(x)}`);
      } else if (!allowNonFinite && !Number.isFinite(x)) {
        problem(x, `expected a finite number, got ${x} (decode with { allowNonFinite: true } to accept NaN and ±Infinity)`);
      }
      return x;
    }
    const kind = kindOf(x);
    if (def.kind === "array") {
      const n = def.children.length;
      if (kind !== "array") {
        problem(x, `expected ${describeDef(def)}, got ${describeInput(x)}`);
        return undefined;
      }
      const arr = x as unknown[];
      if (arr.length !== n) problem(x, `expected ${describeDef(def)}, got ${describeInput(x)}`);
      // Check the elements both have, so one call reports as much as it can.
      const out = new Array<unknown>(n);
      frames.push({ def, input: arr as Record<number, unknown>, out: out as Record<number, unknown>, count: Math.min(n, arr.length), next: 0 });
      return out;
    }
    if (kind !== "object") {
      problem(x, `expected ${describeDef(def)}, got ${describeInput(x)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    frames.push({ def, input: x as Record<string, unknown>, out, count: def.keys.length, next: 0 });
    return out;
  };
  const value = visit(root, input);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    const depth = frames.length;
    if (f.next < f.count) {
      const i = f.next++;
      const child = f.def.children[i]!;
      if (f.def.kind === "array") {
        const x = f.input[i];
        steps.push({ seg: i, def: child, actual: x });
        f.out[i] = visit(child, x);
      } else {
        const key = f.def.keys[i]!;
        // Only own properties count: inherited ones (`constructor`, `toString`) are never read.
        if (!Object.prototype.hasOwnProperty.call(f.input, key)) {
          steps.push({ seg: key, def: child, actual: undefined });
          problem(undefined, `missing key (expected ${describeDef(child)})`);
          steps.pop();
          continue;
        }
        const x = f.input[key];
        steps.push({ seg: key, def: child, actual: x });
        setOwn(f.out, key, visit(child, x));
      }
      // A child array or object keeps its step until its frame is done.
      if (frames.length === depth) steps.pop();
      continue;
    }
    if (f.def.kind === "object") {
      const keys = f.def.keys;
      const known = keys.length > MAX_LINEAR_KEYS ? new Set(keys) : keys;
      for (const key of Object.keys(f.input)) {
        if (known instanceof Set ? known.has(key) : known.includes(key)) continue;
        const x = f.input[key];
        steps.push({ seg: key, def: undefined, actual: x });
        problem(x, "unexpected key (not in the template)");
        steps.pop();
      }
    }
    frames.pop();
    if (frames.length > 0) steps.pop();
  }
  return { value, problems };
}

/**
 * The io-ts type of a template: validation walks the input once; the types of the nodes below
 * (named after their shape, for error contexts) are made only when a problem needs them.
 */
function compile(root: TreeDef, allowNonFinite: boolean): t.Type<unknown, unknown, unknown> {
  const types = new Map<TreeDef, t.Type<unknown, unknown, unknown>>();
  const make = (def: TreeDef, name: string): t.Type<unknown, unknown, unknown> => {
    const validate = (u: unknown, c: t.Context): t.Validation<unknown> => {
      const { value, problems } = walk(def, u, allowNonFinite);
      if (problems.length === 0) return t.success(value);
      return t.failures(
        problems.map((p) => ({
          value: p.value,
          context: c.concat(entriesOf(p.steps, typeOf)),
          message: `${p.steps.length === 0 ? "<root>" : pathOf(p.steps)}: ${p.message}`,
        })),
      );
    };
    const is = (u: unknown): u is unknown => walk(def, u, allowNonFinite).problems.length === 0;
    const type = new t.Type<unknown, unknown, unknown>(name, is, validate, t.identity);
    types.set(def, type);
    return type;
  };
  const typeOf: TypeOf = (def) => types.get(def) ?? make(def, def.kind === "leaf" ? "number" : String(def));
  return make(root, `Tree<${root.kind === "leaf" ? "number" : String(root)}>`);
}

function compileTemplate(template: unknown, options: TreeCodecOptions | undefined, what: string): { def: TreeDef; type: t.Type<unknown, unknown, unknown> } {
  const { def } = flatten(template, "", `${what}: template`);
  const allowNonFinite = readOptions(options, { allowNonFinite: readBoolean }, what).allowNonFinite === true;
  return { def, type: compile(def, allowNonFinite) };
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
  const { def } = flatten(template, "", "decodeTree: template");
  const allowNonFinite = readOptions(options, { allowNonFinite: readBoolean }, "decodeTree").allowNonFinite === true;
  const { value, problems } = walk(def, input, allowNonFinite);
  if (problems.length === 0) return E.right(value as Primal<T>);
  return E.left(new TreeDecodeError(problems.map((p): TreeDecodeProblem => ({ path: pathOf(p.steps), message: p.message }))));
}
