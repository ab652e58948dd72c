/**
 * Reverse mode. `ReverseTrace` runs the function once, computing every value one level down
 * (concrete numbers at the bottom, abstract values under `jit`) while recording each
 * primitive application in a graph — the tape. The backward pass (`core/backward.ts`) then
 * walks that graph from the output to the inputs. `vjp` exposes it directly; `grad` and
 * `valueAndGrad` build on it.
 */
import { backward, zeroCotangents } from "../core/backward.js";
import { Graph } from "../core/graph.js";
import { Tracer, TRACER_KEY, type Num } from "../core/num.js";
import type { Primitive } from "../core/primitive.js";
import { evalPrimitive, evalPrimitive1, evalPrimitive2 } from "../core/eval.js";
import { ValueStore } from "../core/values.js";
import { bind, flattenAsLive, flattenLive, Trace, withNewTrace } from "../core/trace.js";
import { accumulate } from "../core/rules.js";
import type { Primal, Tangent } from "../tree/types.js";
import type { OutputChecked } from "./grad.js";
import { unflatten, type TreeDef } from "../tree/tree.js";
import { argRoot, expectFunction, lowerValue } from "./common.js";

/** A value recorded by a {@link ReverseTrace}: variable `_id` of its graph. */
export class ReverseTracer extends Tracer {
  constructor(
    readonly _trace: ReverseTrace,
    readonly _id: number,
  ) {
    super(TRACER_KEY);
  }
}

/** The trace of one reverse-mode application: a graph (the tape) and the value of each variable. */
export class ReverseTrace extends Trace {
  readonly graph = new Graph();
  /** Value of each variable, one level down. */
  readonly vals = new ValueStore();

  /** A new input variable with value `v`. */
  input(v: Num): ReverseTracer {
    const id = this.graph.addInput();
    this.vals.push(v);
    return new ReverseTracer(this, id);
  }

  process(prim: Primitive, args: readonly Num[], params: unknown): Num {
    const n = args.length;
    const primals = new Array<Num>(n);
    let concrete = true;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      const p = typeof a !== "number" && a._trace === this ? this.vals.get((a as ReverseTracer)._id) : a;
      primals[i] = p;
      if (typeof p !== "number") concrete = false;
    }
    // One level down: plain numbers at the bottom (the common case), else the enclosing trace.
    const out = concrete ? evalPrimitive(prim, primals as number[], params) : bind(prim, primals, params);
    // Zero-gradient primitives (comparisons, rounding, stopGradient) are constants to us.
    if (prim.rule === "zero") return out;
    return this.record(prim, args, params, out);
  }

  // process1/process2: the same as `process`, without arrays, for the common arities.
  override process1(prim: Primitive, x: Num): Num {
    const px = typeof x !== "number" && x._trace === this ? this.vals.get((x as ReverseTracer)._id) : x;
    const out = typeof px === "number" ? evalPrimitive1(prim, px) : bind(prim, [px], undefined);
    if (prim.rule === "zero") return out;
    const g = this.graph;
    g.pushVar((x as ReverseTracer)._id); // x is ours: it is the only input
    this.vals.push(out);
    return new ReverseTracer(this, g.finish(prim, undefined));
  }

  override process2(prim: Primitive, x: Num, y: Num): Num {
    const xOurs = typeof x !== "number" && x._trace === this;
    const yOurs = typeof y !== "number" && y._trace === this;
    const px = xOurs ? this.vals.get((x as ReverseTracer)._id) : x;
    const py = yOurs ? this.vals.get((y as ReverseTracer)._id) : y;
    const out =
      typeof px === "number" && typeof py === "number" ? evalPrimitive2(prim, px, py) : bind(prim, [px, py], undefined);
    if (prim.rule === "zero") return out;
    const g = this.graph;
    if (xOurs) g.pushVar((x as ReverseTracer)._id);
    else g.pushConst(x);
    if (yOurs) g.pushVar((y as ReverseTracer)._id);
    else g.pushConst(y);
    this.vals.push(out);
    return new ReverseTracer(this, g.finish(prim, undefined));
  }

  /** Appends the equation `out = prim(args)` to the tape and returns its tracer. */
  private record(prim: Primitive, args: readonly Num[], params: unknown, out: Num): ReverseTracer {
    const g = this.graph;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) g.pushVar((a as ReverseTracer)._id);
      else g.pushConst(a);
    }
    const id = g.finish(prim, params);
    this.vals.push(out);
    return new ReverseTracer(this, id);
  }

  primalOf(t: Tracer): Num {
    return this.vals.get((t as ReverseTracer)._id);
  }

  /** The graph operand of an output leaf: its variable, or a constant. */
  operandOf(x: Num): number {
    return typeof x !== "number" && x._trace === this ? (x as ReverseTracer)._id : this.graph.constRef(x);
  }
}

/** The inputs that a reverse trace made for one argument tree. */
export interface TracedArgument {
  readonly def: TreeDef;
  readonly ids: readonly number[];
}

/** Makes input variables for every leaf of `tree`; returns the traced tree and its record. */
export function traceArgument(trace: ReverseTrace, tree: unknown, root: string, what: string): [unknown, TracedArgument] {
  const { leaves, def } = flattenLive(tree, root, what);
  const ids: number[] = [];
  const tracers = leaves.map((v) => {
    const t = trace.input(v);
    ids.push(t._id);
    return t;
  });
  return [unflatten(def, tracers), { def, ids }];
}

/** The gradient tree of one traced argument, read from the cotangents. */
export function gradientOf(arg: TracedArgument, ct: ValueStore): unknown {
  return unflatten(
    arg.def,
    arg.ids.map((id) => ct.get(id)),
  );
}

/**
 * The function a {@link vjp} returns: maps an output cotangent (a tree shaped like the output)
 * to one gradient tree per primal. It stays valid after `vjp` returns.
 *
 * @example
 * ```ts
 * import { vjp, mul, type Num, type Pullback } from "chainrule";
 * const [, pullback]: [number, Pullback<Num, [Num, Num]>] = vjp((x: Num, y: Num) => mul(x, y), 2, 3);
 * console.log(pullback(1)); // [3, 2]
 * ```
 * @category Transforms
 */
export type Pullback<Out, Args extends readonly unknown[]> = (cotangent: Tangent<Out>) => { -readonly [K in keyof Args]: Primal<Args[K]> };

/**
 * Runs `f` at `primals` and returns its output with a pullback: a function from an output
 * cotangent (a tree shaped like the output) to one gradient tree per primal. The pullback
 * stays valid after `vjp` returns and may be called any number of times.
 *
 * @typeParam F - the type of `f`; the output's and the gradients' types follow from it.
 * @param f - the function; its output may be any tree of `Num`.
 * @param primals - the arguments, each a tree of numbers.
 * @returns `[out, pullback]`, with `out` as plain numbers.
 * @throws {@link TreeStructureError} for a primal or cotangent of the wrong shape.
 * @example
 * ```ts
 * import { vjp, mul, sin, type Num } from "chainrule";
 * const [out, pullback] = vjp((x: Num, y: Num) => [mul(x, y), sin(x)], 2, 3);
 * console.log(out); // [6, sin 2]
 * console.log(pullback([1, 0])); // [3, 2]: gradient of x·y
 * ```
 * @category Transforms
 */
export function vjp<F extends (...args: any[]) => unknown>(
  f: OutputChecked<F, false, "vjp">,
  ...primals: Parameters<F>
): [Primal<ReturnType<F>>, Pullback<ReturnType<F>, Parameters<F>>];
export function vjp<F extends (...args: any[]) => unknown>(
  f: F,
  ...primals: Parameters<F>
): [Primal<ReturnType<F>>, Pullback<ReturnType<F>, Parameters<F>>] {
  expectFunction(f, "vjp");
  const count = primals.length;
  const { trace, args, outDef, outRefs, outValues } = withNewTrace(
    (level) => new ReverseTrace(level, "vjp"),
    (trace) => {
      const traced = primals.map((p, i) => traceArgument(trace, p, argRoot(i, count), "vjp: primal"));
      const out = f(...traced.map(([t]) => t));
      const { leaves, def } = flattenLive(out, "", "vjp: output");
      return {
        trace,
        args: traced.map(([, a]) => a),
        outDef: def,
        outRefs: leaves.map((x) => trace.operandOf(x)),
        outValues: leaves.map((x) => lowerValue(x, trace)),
      };
    },
  );
  const pullback = (cotangent: unknown): unknown[] => {
    const cts = flattenAsLive(outDef, cotangent, "", "vjp pullback: cotangent");
    const ct = zeroCotangents(trace.graph);
    outRefs.forEach((r, k) => {
      if (r >= 0) ct.set(r, accumulate(ct.get(r), cts[k]!));
    });
    backward(trace.graph, trace.vals, ct);
    return args.map((a) => gradientOf(a, ct));
  };
  return [unflatten(outDef, outValues), pullback] as never;
}
