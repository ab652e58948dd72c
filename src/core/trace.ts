/**
 * Levels, traces and `bind` — the dispatcher every primitive goes through.
 *
 * Each application of a transform opens a new {@link Trace} one level above the current top
 * (the Autodidax design). A primitive applied to tracers is handled by the trace with the
 * highest level among its arguments; values of lower levels (and plain numbers) are constants
 * to it. This is what keeps nested derivatives apart ("perturbation confusion"): an inner
 * `grad` never mistakes an outer tracer for its own variable.
 */
import { ChainruleError } from "../errors.js";
import { describeValue, leakError, Tracer, type Num } from "./num.js";
import type { Primitive } from "./primitive.js";
import { evalPrimitive, nanWatch } from "./eval.js";

/**
 * One application of a transform: it owns the tracers it made and interprets the primitives
 * applied to them.
 */
export abstract class Trace {
  /** False once the transform that opened this trace has returned; its tracers are leaked then. */
  active = true;

  constructor(
    /** Position in the stack of open traces; 1 is the outermost transform. */
    readonly level: number,
    /** The public name of the transform (for messages): `grad`, `jvp`, `jit`, … */
    readonly transform: string,
  ) {}

  /** Applies `prim` to `args`, at least one of which is a tracer of this trace. */
  abstract process(prim: Primitive, args: readonly Num[], params: unknown): Num;

  /** The value of `t` one level down (a number, or a lower-level tracer). Throws if abstract. */
  abstract primalOf(t: Tracer): Num;

  /** `process` for one argument; traces on the hot path override it to avoid the array. */
  process1(prim: Primitive, x: Num): Num {
    return this.process(prim, [x], undefined);
  }

  /** `process` for two arguments; traces on the hot path override it to avoid the array. */
  process2(prim: Primitive, x: Num, y: Num): Num {
    return this.process(prim, [x, y], undefined);
  }
}

const stack: Trace[] = [];

/** The number of traces currently open. */
export function currentLevel(): number {
  return stack.length;
}

/**
 * Opens a trace one level above the current top, runs `body` with it, and closes it — also
 * when `body` throws, so bad input never leaves a trace open.
 */
export function withNewTrace<T extends Trace, R>(make: (level: number) => T, body: (trace: T) => R): R {
  const trace = make(stack.length + 1);
  stack.push(trace);
  const rule = nanWatch.rule; // a rule that threw inside body must not stay "running"
  try {
    return body(trace);
  } finally {
    stack.pop();
    trace.active = false;
    nanWatch.rule = rule;
  }
}

/** The open traces, outermost first (read only; `debugNans` looks for staging traces). */
export function openTraces(): readonly Trace[] {
  return stack;
}

/**
 * Applies a primitive: picks the highest-level trace among the arguments and lets it
 * interpret the primitive; with no tracers, evaluates it on numbers.
 */
export function bind(prim: Primitive, args: readonly Num[], params?: unknown): Num {
  let top: Trace | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === "number") continue;
    if (!(a instanceof Tracer)) throw badArgument(prim, i, a);
    const t = a._trace;
    if (!t.active) throw leakError(t);
    if (top === undefined || t.level > top.level) top = t;
  }
  if (top === undefined) return evalPrimitive(prim, args as readonly number[], params);
  return top.process(prim, args, params);
}

/** `bind` for a one-input primitive applied to a tracer (the number case never gets here). */
export function bind1(prim: Primitive, x: Num): Num {
  if (!(x instanceof Tracer)) throw badArgument(prim, 0, x);
  const t = x._trace;
  if (!t.active) throw leakError(t);
  return t.process1(prim, x);
}

/** `bind` for a two-input primitive where at least one input is not a number. */
export function bind2(prim: Primitive, x: Num, y: Num): Num {
  let top: Trace;
  if (typeof x === "number") {
    if (!(y instanceof Tracer)) throw badArgument(prim, 1, y);
    top = y._trace;
  } else {
    if (!(x instanceof Tracer)) throw badArgument(prim, 0, x);
    top = x._trace;
    if (typeof y !== "number") {
      if (!(y instanceof Tracer)) throw badArgument(prim, 1, y);
      const ty = y._trace;
      if (!ty.active) throw leakError(ty);
      if (ty.level > top.level) top = ty;
    }
  }
  if (!top.active) throw leakError(top);
  return top.process2(prim, x, y);
}

function badArgument(prim: Primitive, i: number, a: unknown): Error {
  return new ChainruleError(
    `${prim.name}: argument ${i} must be a Num (a number or a traced value), got ${describeValue(a)}`,
  );
}
