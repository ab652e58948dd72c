/**
 * Small pieces every transform shares: argument positions and paths, and bringing values a
 * transform made back down to the level of its caller.
 */
import { ChainruleError, NonScalarOutputError } from "../errors.js";
import { describeValue, isTracer, leakError, type Num } from "../core/num.js";
import type { Trace } from "../core/trace.js";
import { childPath, isPlainObject } from "../tree/tree.js";
import { isArrayValue } from "../tree/tree.js";
export { isArrayValue };

/**
 * `number` or an array of them: which arguments a transform differentiates (the `argnums`
 * option of {@link grad} and {@link valueAndGrad}).
 *
 * @example
 * ```ts
 * import { grad, mul, type Argnums, type Num } from "chainrule";
 * const which: Argnums = [0, 1];
 * console.log(grad((x: Num, y: Num) => mul(x, y), { argnums: which })(2, 3)); // [3, 2]
 * ```
 * @category Transforms
 */
export type Argnums = number | readonly number[];

/** The path prefix of argument `i` in messages: `args[i]` when there are several, else none. */
export function argRoot(i: number, count: number): string {
  return count > 1 ? `args[${i}]` : "";
}

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

// ---- argument positions (argnums, staticArgnums) -------------------------------------------------

/**
 * Checks a list of argument positions — `argnums`, `staticArgnums` — as far as it can be checked
 * without a call: a position (an integer ≥ 0), or an array of distinct ones. Returns a copy (so
 * a later change to the user's array changes nothing). The range is checked at each call by
 * {@link argumentPositions}.
 */
export const readPositions: OptionReader<Argnums> = (value, where) => {
  if (typeof value === "number") {
    checkPosition(value, where);
    return value;
  }
  const list = isArrayValue(value) ? Array.from(value) : undefined;
  if (list === undefined) {
    throw new ChainruleError(`${where} must be an argument position (an integer ≥ 0) or an array of them, got ${describeValue(value)}`);
  }
  const seen = new Set<number>();
  for (const k of list) {
    checkPosition(k, where);
    if (seen.has(k)) throw new ChainruleError(`${where} lists argument ${k} twice`);
    seen.add(k);
  }
  return list as number[];
};

function checkPosition(k: unknown, where: string): asserts k is number {
  if (typeof k !== "number" || !Number.isInteger(k)) {
    throw new ChainruleError(`${where} must contain argument positions (integers ≥ 0), got ${describeValue(k)}`);
  }
  if (k < 0) throw new ChainruleError(`${where} ${k} is negative; argument positions start at 0`);
}

/** The positions in `argnums`/`staticArgnums` (checked by {@link readPositions}) as an array; none for undefined. */
export function positionList(positions: Argnums | undefined): number[] {
  return positions === undefined ? [] : typeof positions === "number" ? [positions] : positions.slice();
}

/**
 * The options of `jit`. `cacheSize` and `verify` are checked by `jit` itself (`readAny`);
 * `verify` is a boolean.
 */
export const JIT_OPTIONS = { staticArgnums: readPositions, cacheSize: readAny, verify: readBoolean };

/**
 * The argument positions of a call with `count` arguments, as an array: `positions` (checked by
 * {@link readPositions}) must all be below `count`.
 * @throws {@link ChainruleError} for a position out of range, saying how many arguments there were.
 */
export function argumentPositions(positions: Argnums, count: number, where: string): number[] {
  const list = positionList(positions);
  for (const k of list) {
    if (k >= count) {
      throw new ChainruleError(
        `${where} ${k} is out of range: the function was called with ${count} argument${count === 1 ? "" : "s"}` +
          (count === 0 ? "" : ` (positions 0 to ${count - 1})`),
      );
    }
  }
  return list;
}

/** Splits the `[value, aux]` pair that a function with `hasAux: true` returns. */
export function splitAux(out: unknown, transform: string): [unknown, unknown] {
  if (!isArrayValue(out) || out.length !== 2) {
    throw new ChainruleError(
      `${transform} with hasAux: true expects the function to return [value, aux], got ${describeValue(out)}`,
    );
  }
  return [out[0], out[1]];
}

/** Checks that a function's output is a scalar `Num`. */
export function expectScalar(out: unknown, transform: string): Num {
  if (typeof out === "number" || isTracer(out)) return out;
  throw new NonScalarOutputError(
    `${transform} needs a function that returns a scalar Num, but it returned ${describeValue(out)}. ` +
      "For array or object outputs use vjp or jacrev, or reduce the output to a scalar (sum, mean, dot).",
  );
}

/**
 * The value of `x` at the caller's level: a tracer of `trace` becomes its primal; anything
 * else is already a value of an enclosing level (or a constant).
 */
export function lowerValue(x: Num, trace: Trace): Num {
  if (typeof x === "number") return x;
  if (x._trace === trace) return trace.primalOf(x);
  if (!x._trace.active) throw leakError(x._trace);
  return x;
}

/**
 * Auxiliary data at the caller's level: `Num` leaves of `trace` become their values; plain
 * arrays and objects are copied (each once: shared parts stay shared, cycles stay cycles);
 * anything else comes back untouched. A tracer whose transform has returned is refused
 * (`TracerLeakError` naming its path under `aux`). Iterative: aux may be nested to any depth.
 */
export function lowerAux(aux: unknown, trace: Trace, what: string): unknown {
  // A copied container still to fill, with the link to its parent's frame (for the path of an error).
  interface Frame {
    readonly source: unknown[] | Record<string, unknown>;
    readonly copy: unknown[] | Record<string, unknown>;
    readonly parent: Frame | undefined;
    readonly key: string | number;
  }
  const copies = new Map<object, unknown>();
  const pending: Frame[] = [];
  const pathOf = (frame: Frame | undefined, key: string | number | undefined): string => {
    const keys: (string | number)[] = key === undefined ? [] : [key];
    for (let f = frame; f !== undefined && f.parent !== undefined; f = f.parent) keys.push(f.key);
    let path = "aux";
    for (let i = keys.length - 1; i >= 0; i--) path = childPath(path, keys[i]!);
    return path;
  };
  // The lowered form of `v`, found at `key` of `frame`'s container (a new container is filled later).
  const lower = (v: unknown, frame: Frame | undefined, key: string | number | undefined): unknown => {
    if (isTracer(v)) {
      if (v._trace === trace) return trace.primalOf(v);
      if (!v._trace.active) throw leakError(v._trace, `${what} at ${pathOf(frame, key)}`);
      return v;
    }
    const array = isArrayValue(v);
    if (!array && !isPlainObject(v)) return v;
    const done = copies.get(v);
    if (done !== undefined) return done;
    const copy: unknown[] | Record<string, unknown> = array ? new Array<unknown>(v.length) : {};
    copies.set(v, copy);
    pending.push({ source: v, copy, parent: frame, key: key ?? "" }); // the root's frame has no parent
    return copy;
  };
  const out = lower(aux, undefined, undefined);
  for (let frame = pending.pop(); frame !== undefined; frame = pending.pop()) {
    const { source, copy } = frame;
    if (isArrayValue(source)) {
      for (let i = 0; i < source.length; i++) (copy as unknown[])[i] = lower(source[i], frame, i);
    } else {
      for (const k of Object.keys(source)) {
        const v = lower(source[k], frame, k);
        // A key named __proto__ stays an own property; it never reaches the prototype.
        if (k === "__proto__") Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
        else (copy as Record<string, unknown>)[k] = v;
      }
    }
  }
  return out;
}

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
