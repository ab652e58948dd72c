/**
 * `Num`, the traced scalar that user functions are written over, and `toNumber`.
 *
 * A `Num` is either a plain `number` (a constant, or any value outside every transform) or a
 * {@link Tracer}: a value that a transform is watching. Each tracer belongs to one trace
 * (one application of a transform, at one level); see `trace.ts`.
 */
import { ChainruleError, ConcretizationError, TracerLeakError } from "../errors.js";
import type { Trace } from "./trace.js";

/** @internal What chainrule's own tracer classes pass to `Tracer`'s constructor (see there). */
export const TRACER_KEY: unique symbol = Symbol("chainrule tracer");

/**
 * @internal Whether `t` is a trace made by chainrule: `Trace` (trace.ts) installs the test of its
 * private brand here. Traces are few (one per application of a transform), so the brand costs
 * nothing; a brand on every tracer made the eager backward pass ~10% slower.
 */
export const traceBrand: { is: (t: object) => boolean } = { is: () => false };

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

/**
 * A value being traced by a transform. User code never constructs one: transforms hand them
 * to the function being transformed, and primitives return them (a subclass made outside
 * chainrule throws at construction, and an object made with `Object.create(Tracer.prototype)`
 * is not a `Tracer`: `instanceof` is true only for chainrule's own values).
 *
 * Arithmetic operators (`x * y`, `x > 0`) do not work on tracers (they would lose the
 * derivative silently), so converting one to a primitive throws; use `mul`, `gt`, `where`, or
 * `toNumber` to read the concrete value where one exists.
 *
 * @example
 * ```ts
 * import { grad, mul, Tracer, type Num } from "chainrule";
 * grad((x: Num) => {
 *   console.log(x instanceof Tracer); // true
 *   return mul(x, x);
 * })(3);
 * ```
 * @category Values
 */
export abstract class Tracer {
  /** @internal `instanceof Tracer` is true only for values made by chainrule (see `isTracer`). */
  static [Symbol.hasInstance](x: unknown): boolean {
    return isTracer(x) && (this === Tracer || ordinaryInstanceOf.call(this, x));
  }

  /** @internal Only chainrule's tracer classes have the key: traced values are made by transforms. */
  constructor(key: typeof TRACER_KEY) {
    if (key !== TRACER_KEY) {
      throw new ChainruleError(
        "a Tracer cannot be made outside chainrule (a traced value is not a value made by chainrule unless a transform made it): pass numbers to the transforms, which hand traced values to your function",
      );
    }
  }

  /**
   * The trace this value belongs to. Not for users: it stays in the types so that only
   * chainrule's own tracers are `Num`s (a class without it would match any object).
   * @hidden
   */
  abstract readonly _trace: Trace;

  /** @internal What `console.log` shows in Node: the short form of `toString`, not the whole trace. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return isTracer(this) ? this.toString() : "Tracer<not a value made by chainrule>";
  }

  /** Readable form for logs: the transform that owns the value, and its value if concrete. */
  toString(): string {
    if (!isTracer(this)) throw notMadeByChainrule("String()", this);
    const t = this._trace;
    if (!t.active) return `Num<leaked from ${t.transform}>`;
    try {
      return `Num<${t.transform}>(${toNumber(this)})`;
    } catch {
      return `Num<${t.transform}>(abstract)`;
    }
  }

  /** @internal Arithmetic and comparison operators would silently drop derivatives. */
  [Symbol.toPrimitive](hint: string): string {
    if (!isTracer(this)) throw notMadeByChainrule("a JavaScript operator or String()", this);
    if (hint === "string") return this.toString();
    const where = `a traced Num (inside ${this._trace.transform}) was used with a JavaScript operator such as + * < or if(...)`;
    try {
      toNumber(this);
    } catch (e) {
      // Under jit/makeGraph the value is abstract: the operator (often a host `if`) cannot be honoured.
      if (e instanceof ConcretizationError) {
        throw new ConcretizationError(
          `${where}, but the value is abstract (it stands for every input). Select with where(cond, a, b) instead of if/else and ?:, and use add/mul/lt… instead of operators (toNumber(x) needs a concrete value, so it cannot help here).`,
        );
      }
      throw e;
    }
    throw new ChainruleError(
      `${where}: operators do not track derivatives. Use chainrule's primitives (add, mul, lt, where, ...), ` +
        "or toNumber(x) when you really need the concrete value.",
    );
  }
}

/**
 * The traced scalar. User functions are written over `Num`; a plain `number` is a `Num` too.
 *
 * @example
 * ```ts
 * import { grad, mul, sin, type Num } from "chainrule";
 * const f = (x: Num): Num => mul(x, sin(x));
 * console.log(grad(f)(1)); // sin(1) + cos(1)
 * ```
 * @category Values
 */
export type Num = number | Tracer;

/**
 * Whether `x` is a traced value made by chainrule (rather than a plain number, or an object
 * posing as a tracer: `Object.create(Tracer.prototype)`, a `{ _trace }` record, a subclass
 * instance made without its constructor). The one test for tracers: `instanceof Tracer` calls it.
 * A tracer is an instance of a `Tracer` class whose `_trace` is a trace made by chainrule; a
 * user's `_trace` getter that throws is left to throw.
 */
export function isTracer(x: unknown): x is Tracer {
  if (typeof x !== "object" || x === null || !ordinaryInstanceOf.call(Tracer, x)) return false;
  const t = (x as { _trace?: unknown })._trace;
  return typeof t === "object" && t !== null && traceBrand.is(t);
}

/** Whether `v` looks like a tracer without being one: an object with Tracer.prototype or a `_trace` field. */
export function posesAsTracer(v: unknown): boolean {
  if (typeof v !== "object" || v === null || isTracer(v)) return false;
  try {
    return Object.prototype.isPrototypeOf.call(Tracer.prototype, v) || Object.prototype.hasOwnProperty.call(v, "_trace");
  } catch {
    return false; // a revoked Proxy: not a tracer either
  }
}

/** The error for an object posing as a tracer, used where a `Num` was expected. */
function notMadeByChainrule(where: string, v: unknown): ChainruleError {
  return new ChainruleError(`${where}: got ${describeValue(v)}; only numbers and the traced values that chainrule's transforms hand to your function are Nums`);
}

/**
 * The concrete value of a `Num`. Inside `grad`, `vjp` and `jvp` values are concrete, so
 * data-dependent control flow works (`if (toNumber(x) > 0) …`). Inside `jit` and `makeGraph`
 * values are abstract and this throws `ConcretizationError`: select with `where` instead.
 *
 * @param x - a number, or a traced value.
 * @returns the number `x` stands for at this point of the computation.
 * @throws {@link ConcretizationError} on an abstract (staged) value.
 * @throws {@link TracerLeakError} on a value whose transform has already returned.
 * @example
 * ```ts
 * import { grad, toNumber, mul, neg, type Num } from "chainrule";
 * const absLike = (x: Num): Num => (toNumber(x) > 0 ? mul(x, 1) : neg(x));
 * console.log(grad(absLike)(-2)); // -1
 * ```
 * @category Values
 */
export function toNumber(x: Num): number {
  let v: Num = x;
  while (typeof v !== "number") {
    if (!isTracer(v)) {
      throw new ChainruleError(`toNumber expects a Num (a number or a traced value), got ${describeValue(v)}`);
    }
    const t = v._trace;
    if (!t.active) throw leakError(t);
    v = t.primalOf(v);
  }
  return v;
}

/** The error for a tracer used after its transform returned; `where` says where it was found. */
export function leakError(t: Trace, where?: string): TracerLeakError {
  return new TracerLeakError(
    `a traced value created by ${t.transform} (level ${t.level}) was used after ${t.transform} returned` +
      (where === undefined ? ": " : ` (found in ${where}): `) +
      "it escaped through a closure, a global or a returned object. Return values from the transformed " +
      "function instead of storing them outside it (the pullback from vjp stays valid and is the way to reuse a trace).",
  );
}

/** A short description of a JavaScript value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)})`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return `a boolean (${v})`;
  if (typeof v === "bigint") return `a bigint (${v}n)`;
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (isTracer(v)) return "a traced Num";
  if (posesAsTracer(v)) return "an object posing as a traced Num (not a value made by chainrule)";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === null || proto === Object.prototype) return "an object";
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? `an instance of ${name}` : "a class instance";
}
