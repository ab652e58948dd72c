/**
 * Small pieces every transform shares: argument positions and paths, and bringing values a
 * transform made back down to the level of its caller.
 */
import { ChainruleError, NonScalarOutputError } from "../errors.js";
import { describeValue, isTracer, leakError, type Num } from "../core/num.js";
import type { Trace } from "../core/trace.js";
import { childPath, isPlainObject } from "../tree/tree.js";

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

/**
 * Checks `argnums` against the number of arguments of a call and returns it as an array.
 * @throws {@link ChainruleError} for an index that is not an integer, negative, out of range or repeated.
 */
export function normalizeArgnums(argnums: Argnums, count: number, transform: string): number[] {
  const list = typeof argnums === "number" ? [argnums] : Array.isArray(argnums) ? [...argnums] : undefined;
  if (list === undefined) {
    throw new ChainruleError(`${transform}: argnums must be a number or an array of numbers, got ${describeValue(argnums)}`);
  }
  const seen = new Set<number>();
  for (const k of list) {
    if (typeof k !== "number" || !Number.isInteger(k)) {
      throw new ChainruleError(`${transform}: argnums must contain integer argument positions, got ${describeValue(k)}`);
    }
    if (k < 0) {
      throw new ChainruleError(`${transform}: argnums ${k} is negative; argument positions start at 0`);
    }
    if (k >= count) {
      throw new ChainruleError(
        `${transform}: argnums ${k} is out of range: the function was called with ${count} argument${count === 1 ? "" : "s"} (positions 0 to ${count - 1})`,
      );
    }
    if (seen.has(k)) throw new ChainruleError(`${transform}: argnums lists argument ${k} twice`);
    seen.add(k);
  }
  return list;
}

/** Splits the `[value, aux]` pair that a function with `hasAux: true` returns. */
export function splitAux(out: unknown, transform: string): [unknown, unknown] {
  if (!Array.isArray(out) || out.length !== 2) {
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
    const array = Array.isArray(v);
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
    if (Array.isArray(source)) {
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

/** Checks that `f` is a function. */
export function expectFunction(f: unknown, transform: string): void {
  if (typeof f !== "function") throw new ChainruleError(`${transform} expects a function, got ${describeValue(f)}`);
}
