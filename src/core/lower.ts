/**
 * Values leaving a transform: what a transform hands back to its caller is one level down —
 * a tracer of its own trace becomes that tracer's value (its primal), anything else (a
 * number, a value of an enclosing transform) is already at the caller's level.
 */
import { isTracer, leakError, type Num } from "./num.js";
import type { Trace } from "./trace.js";
import { childPath, isArrayValue, isPlainObject, setOwn } from "../tree/tree.js";

/**
 * The value of `x` at the caller's level: a tracer of `trace` becomes its primal; anything
 * else is already a value of an enclosing level (or a constant).
 */
export function primalBelow(x: Num, trace: Trace): Num {
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
export function auxBelow(aux: unknown, trace: Trace, what: string): unknown {
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
        setOwn(copy as Record<string, unknown>, k, v); // a key named __proto__ stays an own property
      }
    }
  }
  return out;
}

