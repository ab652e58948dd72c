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
import { describeValue, isTracer, leakError, traceBrand, type Num, type Tracer } from "./num.js";
import type { Primitive } from "./primitive.js";
import { evalPrimitive, nanWatch } from "./eval.js";
import { flatten, flattenAs, leafPaths, showPath, type TreeDef } from "../tree/tree.js";

/**
 * One application of a transform: it owns the tracers it made and interprets the primitives
 * applied to them.
 */
export abstract class Trace {
  // What tells chainrule's traces (and so its tracers: see `isTracer`) from look-alikes.
  #chainrule = true;

  /** Whether `t` is a trace made by chainrule. */
  static is(t: unknown): t is Trace {
    return typeof t === "object" && t !== null && #chainrule in t;
  }

  static {
    traceBrand.is = Trace.is;
  }

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

  /** Applies a primitive with several outputs (see `Primitive.multi`) to `args`. */
  abstract processMulti(prim: Primitive, args: readonly Num[], params: unknown): Num[];

  /** `process` for one argument; traces on the hot path override it to avoid the array. */
  processUnary(prim: Primitive, x: Num): Num {
    return this.process(prim, [x], undefined);
  }

  /** `process` for two arguments; traces on the hot path override it to avoid the array. */
  processBinary(prim: Primitive, x: Num, y: Num): Num {
    return this.process(prim, [x, y], undefined);
  }
}

const stack: Trace[] = [];

/**
 * The open trace, and the prototype, of the last tracer `traceOf` checked in full: the common
 * case costs two comparisons. Cleared when that trace closes, so it never keeps a finished tape alive.
 */
let checked: Trace | undefined;
let checkedProto: object | undefined;
// The one checked before: nested transforms alternate between two traces (a reverse trace
// binding its primals on the staging trace below it, under jit of a gradient).
let checked2: Trace | undefined;
let checkedProto2: object | undefined;

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
    if (checked === trace) checked = checkedProto = undefined;
    if (checked2 === trace) checked2 = checkedProto2 = undefined;
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
  const top = topTrace(prim, args);
  if (top === undefined) return evalPrimitive(prim, args as readonly number[], params);
  return top.process(prim, args, params);
}

/** The highest-level trace among the tracers of `args` (undefined: all numbers); refuses non-Nums and leaked tracers. */
function topTrace(prim: Primitive, args: readonly Num[]): Trace | undefined {
  let top: Trace | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === "number") continue;
    const t = traceOf(a);
    if (t === undefined) throw badArgument(prim, i, a);
    if (!t.active) throw leakError(t);
    if (top === undefined || t.level > top.level) top = t;
  }
  return top;
}

/**
 * `bind` for a primitive with several outputs (`prim.multi`): the highest-level trace among the
 * arguments interprets it; with no tracers, it is evaluated on numbers.
 */
export function bindMulti(prim: Primitive, args: readonly Num[], params: unknown): Num[] {
  const top = topTrace(prim, args);
  if (top === undefined) return prim.multi!.evaluate(args as readonly number[], params);
  return top.processMulti(prim, args, params);
}

/** `bind` for a one-input primitive applied to a tracer (the number case never gets here). */
export function bindUnary(prim: Primitive, x: Num): Num {
  const t = traceOf(x);
  if (t === undefined) throw badArgument(prim, 0, x);
  if (!t.active) throw leakError(t);
  return t.processUnary(prim, x);
}

/** `bind` for a two-input primitive where at least one input is not a number. */
export function bindBinary(prim: Primitive, x: Num, y: Num): Num {
  let top: Trace | undefined;
  if (typeof x === "number") {
    top = traceOf(y);
    if (top === undefined) throw badArgument(prim, 1, y);
  } else {
    top = traceOf(x);
    if (top === undefined) throw badArgument(prim, 0, x);
    if (typeof y !== "number") {
      const ty = traceOf(y);
      if (ty === undefined) throw badArgument(prim, 1, y);
      if (!ty.active) throw leakError(ty);
      if (ty.level > top.level) top = ty;
    }
  }
  if (!top.active) throw leakError(top);
  return top.processBinary(prim, x, y);
}

/**
 * The trace of `x` when it is a tracer made by chainrule (`isTracer`), else undefined. `bind`
 * runs it on every traced argument, so the full test (a prototype walk and the trace's private
 * brand: ~8% of an eager backward pass) runs only when the trace or the prototype differs from
 * the last tracer checked. (An object made with a tracer class's prototype and a real tracer's
 * own trace passes the short test: that takes copying chainrule's internal fields, and it
 * then stands for a value of that trace.)
 */
function traceOf(x: unknown): Trace | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  let t: unknown;
  try {
    t = (x as { _trace?: unknown })._trace;
  } catch (e) {
    if (unreadable(x)) return undefined; // a revoked Proxy: not a Num (bind says so)
    throw e; // the user's own getter: its error passes through
  }
  if (t !== undefined) {
    if (t === checked && Object.getPrototypeOf(x) === checkedProto) return t as Trace;
    if (t === checked2 && Object.getPrototypeOf(x) === checkedProto2) return t as Trace;
  }
  if (!isTracer(x)) return undefined;
  if (x._trace.active) {
    checked2 = checked;
    checkedProto2 = checkedProto;
    checked = x._trace;
    checkedProto = Object.getPrototypeOf(x) as object;
  }
  return x._trace;
}

/** Whether `x` cannot even be inspected (a revoked Proxy). */
function unreadable(x: object): boolean {
  try {
    Object.getPrototypeOf(x);
    return false;
  } catch {
    return true;
  }
}

function badArgument(prim: Primitive, i: number, a: unknown): Error {
  return new ChainruleError(
    `${prim.name}: argument ${i} must be a Num (a number or a traced value), got ${describeValue(a)}`,
  );
}

// ---- The edge of a transform -------------------------------------------------------------------

/**
 * The one check every value entering a transform from the user passes (arguments, primals,
 * tangents, cotangents, aux, a staged graph's outputs) and every output leaf: a tracer of a
 * closed trace — it escaped from a transform that has returned — is refused with
 * `TracerLeakError`. Inside the transform it could only come back as a result, or be mistaken
 * for a constant. `def` and `root` give the leaf's path for the message (computed on error only).
 */
export function refuseLeaks(leaves: readonly Num[], def: TreeDef | undefined, root: string, what: string): void {
  for (let i = 0; i < leaves.length; i++) {
    const x = leaves[i]!;
    if (typeof x !== "number" && !x._trace.active) {
      const path = def === undefined ? root : leafPaths(def, root)[i]!;
      throw leakError(x._trace, def === undefined && root === "" ? what : `${what} at ${showPath(path)}`);
    }
  }
}

/** `flatten` for a tree that enters a transform: its leaves must not be leaked tracers. */
export function flattenLive(tree: unknown, root: string, what: string): { leaves: Num[]; def: TreeDef } {
  const r = flatten(tree, root, what);
  refuseLeaks(r.leaves, r.def, root, what);
  return r;
}

/** `flattenAs` for a tree that enters a transform: its leaves must not be leaked tracers. */
export function flattenAsLive(def: TreeDef, tree: unknown, root: string, what: string): Num[] {
  const leaves = flattenAs(def, tree, root, what);
  refuseLeaks(leaves, def, root, what);
  return leaves;
}
