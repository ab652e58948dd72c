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

  /** @internal The argument path this value stands for, when it is an input of jit/makeGraph (for error messages). */
  _argumentPath(): string | undefined {
    return undefined;
  }

  /** @internal Arithmetic and comparison operators would silently drop derivatives. */
  [Symbol.toPrimitive](hint: string): string {
    if (!isTracer(this)) throw notMadeByChainrule("a JavaScript operator or String()", this);
    if (hint === "string") return this.toString();
    const transform = this._trace.transform;
    const math = mathFunctionCalling();
    const what =
      math === undefined
        ? `a traced Num (inside ${transform}) was used with a JavaScript operator such as + * < or if (x > 0)`
        : `Math.${math} was called on a traced Num (inside ${transform}): Math functions only take numbers`;
    const use =
      math !== undefined && CHAINRULE_MATH.has(math)
        ? `Use chainrule's ${math} instead (import { ${math} } from "chainrule")`
        : "Use chainrule's primitives (add, mul, lt, where, …) instead";
    try {
      toNumber(this);
    } catch (e) {
      // Under jit/makeGraph the value is abstract: the operator (often a host `if`) cannot be honoured.
      if (e instanceof ConcretizationError) {
        const path = this._argumentPath();
        throw new ConcretizationError(
          path === undefined
            ? `${what}, but the value is abstract (it stands for every input), so there is no number to give it. ${use}, ` +
                "and where(cond, a, b) instead of if/else and ?: (toNumber(x) cannot help here)."
            : `${what}, but it is ${transform}'s argument${path === "" ? "" : ` ${path}`}, and ${transform} traces every non-static ` +
                `argument: it stands for every input, so there is no number to give it. ${use}; if it is data, type it Num and ` +
                "select with where(cond, a, b) and eq/lt instead of if/?:/===, or mark it static with staticArgnums.",
        );
      }
      throw e;
    }
    throw new ChainruleError(`${what}: that would not track derivatives. ${use}, or toNumber(x) when you really need the concrete value.`);
  }
}

/** The `Math` functions chainrule exports under the same name. */
const CHAINRULE_MATH: ReadonlySet<string> = new Set(
  "abs acos asin atan atan2 cbrt ceil cos cosh exp expm1 floor hypot log log10 log1p log2 max min pow round sign sin sinh sqrt tan tanh".split(" "),
);

/**
 * The name of the `Math` function whose argument conversion called `Symbol.toPrimitive`, if
 * any: V8 lists built-ins as stack frames, `at Math.sin (<anonymous>)` (or `at sin (<anonymous>)`
 * when called without its receiver). Only called when about to throw.
 */
function mathFunctionCalling(): string | undefined {
  const lines = (new Error().stack ?? "").split("\n");
  const i = lines.findIndex((l) => l.includes("Symbol.toPrimitive"));
  const m = i < 0 ? null : /^\s*at (?:Math\.)?(\w+) \(<anonymous>\)$/.exec(lines[i + 1] ?? "");
  const name = m?.[1];
  return name !== undefined && Object.prototype.hasOwnProperty.call(Math, name) && typeof (Math as unknown as Record<string, unknown>)[name] === "function"
    ? name
    : undefined;
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
  if (typeof x !== "object" || x === null) return false;
  try {
    if (!ordinaryInstanceOf.call(Tracer, x)) return false;
  } catch {
    return false; // a revoked Proxy (its prototype cannot be read): not a Num
  }
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

/**
 * A short description of a JavaScript value for error messages. Never throws, whatever the
 * value: a revoked Proxy, an object whose getters throw, a hostile `Symbol.toPrimitive` (which
 * is never called) or a null-prototype object all get a description.
 */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  switch (typeof v) {
    case "string":
      return `a string (${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)})`;
    case "number":
      return `the number ${v}`;
    case "boolean":
      return `a boolean (${v})`;
    case "bigint": {
      const digits = v.toString();
      return `a bigint (${digits.length > 20 ? digits.slice(0, 20) + "…" : digits}n)`;
    }
    case "symbol": {
      const d = v.description;
      return d === undefined ? "a symbol" : `a symbol (${JSON.stringify(d.length > 20 ? d.slice(0, 20) + "…" : d)})`;
    }
    default:
      break;
  }
  // An object or a function: inspecting it can run user code (Proxy traps, getters) or fail
  // (a revoked Proxy), so every step is guarded.
  try {
    if (typeof v === "function") return "a function";
    if (Array.isArray(v)) return `an array of length ${v.length}`;
    if (isTracer(v)) return "a traced Num";
    if (posesAsTracer(v)) return "an object posing as a traced Num (not a value made by chainrule)";
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === null) return "an object (with a null prototype)";
    if (proto === Object.prototype) return "an object";
    const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as { name?: unknown } | undefined;
    const nameDesc = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name") : undefined;
    const name: unknown = nameDesc?.value;
    if (typeof name !== "string" || name === "") return "a class instance";
    const short = name.length > 40 ? name.slice(0, 40) + "…" : name;
    return ArrayBuffer.isView(v) ? `a ${short}` : `an instance of ${short}`;
  } catch {
    return typeof v === "function" ? "a function" : "an object that cannot be inspected (a revoked Proxy?)";
  }
}
