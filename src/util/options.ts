/**
 * Checking what users pass: options objects (every transform, optimizer, codec and printer reads
 * its options through {@link readOptions}) and functions. Below `core/`, `tree/` and
 * `transforms/`, so that each of them can use it.
 */
import { ChainruleError } from "../errors.js";
import { describeValue } from "../core/num.js";
import { isPlainObject } from "../tree/tree.js";

// ---- options -------------------------------------------------------------------------------------

/**
 * Checks the value of one option and returns it (possibly normalised), or throws a
 * `ChainruleError`. `where` names the function and the option, e.g. `grad: argnums`. It is
 * never called with `undefined`, which means "the default".
 */
export type OptionReader<T> = (value: unknown, where: string) => T;

/** The options a function knows, each with its reader. */
export type OptionSpec = Readonly<Record<string, OptionReader<unknown>>>;

/** What {@link readOptions} returns: each known option, checked, or undefined for the default. */
export type ReadOptions<S extends OptionSpec> = { -readonly [K in keyof S]: ReturnType<S[K]> | undefined };

/** What every option left out reads as (shared: the usual case, `grad(f)`, allocates nothing). */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * The one place where options are checked, for every transform and optimizer: `options` must be
 * `undefined` (all defaults) or a plain object whose own keys are all known to `spec`; each
 * value that is not `undefined` goes through its reader. An unknown key is refused with a
 * suggestion (`argnum` → `argnums`), since in plain JavaScript it would otherwise be ignored.
 * Only own properties are read (an inherited one, e.g. from a polluted `Object.prototype`, is not
 * an option). Options left out are absent from the result (read as undefined).
 */
export function readOptions<S extends OptionSpec>(options: unknown, spec: S, fn: string, what = "options"): ReadOptions<S> {
  if (options === undefined) return NO_OPTIONS as ReadOptions<S>;
  // No prototype: destructuring a default from the result must not find a polluted Object.prototype's property.
  const out = Object.create(null) as Record<string, unknown>;
  const listed = (): string => `${what === "options" ? "Options are" : `The keys of ${what} are`}: ${Object.keys(spec).join(", ")}`;
  let keys: string[];
  try {
    if (!isPlainObject(options)) {
      throw new ChainruleError(`${fn}: ${what} must be a plain object such as { ${Object.keys(spec)[0]}: … }, got ${describeValue(options)}. ${listed()}`);
    }
    keys = Object.keys(options);
  } catch (e) {
    if (e instanceof ChainruleError) throw e;
    throw new ChainruleError(`${fn}: ${what} must be a plain object, got ${describeValue(options)} that cannot be read. ${listed()}`);
  }
  // Only the object's own keys are read: an inherited property (a polluted prototype) is not an option.
  for (const key of keys) {
    const read = Object.prototype.hasOwnProperty.call(spec, key) ? spec[key] : undefined;
    if (read === undefined) {
      const near = closestName(key, Object.keys(spec));
      const shown = key.length > 40 ? key.slice(0, 40) + "…" : key;
      const kind = what === "options" ? "option" : `key in ${what}`;
      throw new ChainruleError(`${fn}: unknown ${kind} '${shown}'${near === undefined ? "" : `; did you mean '${near}'?`} ${listed()}`);
    }
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = read(v, `${fn}: ${key}`);
  }
  return out as ReadOptions<S>;
}

/** The known name a mistyped one most likely meant: same letters ignoring case and `_`, one containing the other, or a few edits away. */
function closestName(key: string, names: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, "");
  const k = norm(key);
  if (k.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const n = norm(name);
    if (n === k) return name;
    const d = k.length >= 3 && (n.includes(k) || k.includes(n)) ? 1 : editDistance(k, n);
    if (d < bestDistance && d <= Math.max(1, Math.floor(n.length / 3))) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance counting a swap of neighbours as one edit (`ordre` → `order`); short strings only. */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        d[0]![j] = j;
        continue;
      }
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** An option that must be `true` or `false`. */
export const readBoolean: OptionReader<boolean> = (value, where) => {
  if (typeof value !== "boolean") throw new ChainruleError(`${where} must be true or false, got ${describeValue(value)}`);
  return value;
};


/** An option passed through as it is: its value is checked where it is used. */
export const readAny: OptionReader<unknown> = (value) => value;

/**
 * An option that must be a finite number in a range, e.g. `readNumber("in [0, 1)", (x) => x >= 0 && x < 1)`.
 * `range` is said in the message.
 */
export function readNumber(range: string, inRange: (x: number) => boolean): OptionReader<number> {
  return (value, where) => {
    if (typeof value !== "number" || !Number.isFinite(value) || !inRange(value)) {
      throw new ChainruleError(`${where} must be a finite number ${range}, got ${describeValue(value)}`);
    }
    return value;
  };
}

// ---- functions -----------------------------------------------------------------------------------

/**
 * Checks that `f` is a function that can be called: a class (which throws "cannot be invoked
 * without new" when called) is refused up front. `what` names the parameter in the message.
 */
export function expectFunction(f: unknown, transform: string, what = "a function"): void {
  const problem = functionProblem(f);
  if (problem !== undefined) throw new ChainruleError(`${transform} expects ${what}, ${problem}`);
}

/** An option or spec key that must be a function (not a class). */
export const readFunction: OptionReader<(...args: never[]) => unknown> = (value, where) => {
  const problem = functionProblem(value);
  if (problem !== undefined) throw new ChainruleError(`${where} must be a function, ${problem}`);
  return value as (...args: never[]) => unknown;
};

/** What is wrong with `f` as a function to call ("got …"), or undefined when nothing is. */
function functionProblem(f: unknown): string | undefined {
  if (typeof f !== "function") return `got ${describeValue(f)}`;
  let isClass: boolean;
  try {
    // A class's `prototype` is read-only (so ordinary functions need no source text) and its source starts with `class`.
    const d = Object.getOwnPropertyDescriptor(f, "prototype");
    isClass = d !== undefined && d.writable === false && /^class\b/.test(Function.prototype.toString.call(f));
  } catch {
    return "got a function that cannot be inspected (a revoked Proxy?)";
  }
  if (isClass) return `got the class ${functionName(f)}, which cannot be called without new: pass a function (an arrow function or a method) instead`;
  return undefined;
}

/**
 * The name of a user function for messages: its `name` when that is a non-empty string
 * (shortened), else `anonymous`. Never throws, whatever `name` is (a Symbol, an object, a getter
 * that throws).
 */
export function functionName(f: Function): string {
  try {
    const n = (f as { name?: unknown }).name;
    return typeof n === "string" && n !== "" ? (n.length > 40 ? n.slice(0, 40) + "…" : n) : "anonymous";
  } catch {
    return "anonymous";
  }
}
