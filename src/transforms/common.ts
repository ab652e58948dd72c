/**
 * Small pieces every transform shares: argument positions and paths, and bringing values a
 * transform made back down to the level of its caller.
 */
import { ChainruleError, NonScalarOutputError } from "../errors.js";
import { describeValue, isTracer, leakError, type Num } from "../core/num.js";
import type { Trace } from "../core/trace.js";
import { childPath, isPlainObject, setOwn } from "../tree/tree.js";
import { isArrayValue } from "../tree/tree.js";
import { readAny, readBoolean, type OptionReader } from "../util/options.js";
export { isArrayValue };
export {
  expectFunction,
  functionName,
  readAny,
  readBoolean,
  readFunction,
  readNumber,
  readOptions,
  type OptionReader,
  type OptionSpec,
  type ReadOptions,
} from "../util/options.js";

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
        setOwn(copy, k, v);
      }
    }
  }
  return out;
}
