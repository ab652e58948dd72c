/**
 * Staging, the whole interpreter: `StageTrace` runs a function on abstract values and records
 * every primitive it applies into a graph, computing nothing. `stageFlat` is the flat worker of
 * `makeGraph`, `jit` and anything else that needs a function as a graph.
 */
import { ConcretizationError } from "../errors.js";
import { Graph } from "./graph.js";
import { Tracer, TRACER_KEY, type Num } from "./num.js";
import type { Primitive } from "./primitive.js";
import { Trace, withNewTrace } from "./trace.js";
import type { FlatOutput } from "./reverse.js";

/**
 * Stages `f` over flat lists of leaves: runs it on one abstract input per entry of `inputPaths`
 * (each the input's argument path, for messages and printing; `""` for none) and returns the
 * graph with its outputs set, plus `f`'s aux untouched (it may hold abstract values: the
 * caller decides what to do with them).
 */
export function stageFlat(
  f: (inputs: Num[]) => FlatOutput,
  inputPaths: readonly string[],
  transform: string,
): { graph: Graph; aux: unknown } {
  return withNewTrace(
    (level) => new StageTrace(level, transform),
    (trace) => {
      const inputs = new Array<Num>(inputPaths.length);
      for (let i = 0; i < inputPaths.length; i++) inputs[i] = trace.input(inputPaths[i]!);
      const r = f(inputs);
      const outs = r.outputs;
      const refs = new Array<number>(outs.length);
      for (let k = 0; k < outs.length; k++) refs[k] = trace.operandOf(outs[k]!);
      trace.graph.outputs = refs;
      return { graph: trace.graph, aux: r.aux };
    },
  );
}

/** The transforms names under which loop and branch bodies are staged (see `src/loops/`). */
const LOOP_BODIES: ReadonlySet<string> = new Set(["scan", "foriLoop", "whileLoop", "cond", "switchCase", "checkpoint"]);

/** An abstract value of a {@link StageTrace}: variable `_id` of its graph. */
export class StageTracer extends Tracer {
  constructor(
    readonly _trace: StageTrace,
    readonly _id: number,
    /** The argument path of an input (undefined for computed values). */
    readonly _path?: string,
  ) {
    super(TRACER_KEY);
  }

  override _argumentPath(): string | undefined {
    return this._path;
  }
}

/** The trace that stages a function into a graph. Its values are abstract. */
export class StageTrace extends Trace {
  readonly graph = new Graph();

  /** A new abstract input. */
  input(path: string): StageTracer {
    return new StageTracer(this, this.graph.addInput(path), path);
  }

  process(prim: Primitive, args: readonly Num[], params: unknown): Num {
    const g = this.graph;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) g.pushVar((a as StageTracer)._id);
      else g.pushConst(a);
    }
    return new StageTracer(this, g.finish(prim, params));
  }

  // processUnary/processBinary: the same as `process`, without arrays (jit of a gradient stages
  // every operation of both passes through here).
  override processUnary(prim: Primitive, x: Num): Num {
    const g = this.graph;
    if (typeof x !== "number" && x._trace === this) g.pushVar((x as StageTracer)._id);
    else g.pushConst(x);
    return new StageTracer(this, g.finish(prim, undefined));
  }

  override processBinary(prim: Primitive, x: Num, y: Num): Num {
    const g = this.graph;
    if (typeof x !== "number" && x._trace === this) g.pushVar((x as StageTracer)._id);
    else g.pushConst(x);
    if (typeof y !== "number" && y._trace === this) g.pushVar((y as StageTracer)._id);
    else g.pushConst(y);
    return new StageTracer(this, g.finish(prim, undefined));
  }

  processMulti(prim: Primitive, args: readonly Num[], params: unknown): Num[] {
    const g = this.graph;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) g.pushVar((a as StageTracer)._id);
      else g.pushConst(a);
    }
    const width = prim.multi!.outputCount(params, args.length);
    const head = g.finishMulti(prim, params, width);
    const out = new Array<Num>(width);
    for (let k = 0; k < width; k++) out[k] = new StageTracer(this, head + k);
    return out;
  }

  primalOf(t: Tracer): Num {
    const path = t._argumentPath();
    const what = path === undefined ? `a value inside ${this.transform}` : `${this.transform}'s argument${path === "" ? "" : ` ${path}`}`;
    throw new ConcretizationError(
      `${what} is abstract: it stands for every possible input, so it has no number yet ` +
        "(toNumber, or a JavaScript operator or if on a Num, needs one). " +
        (path !== undefined
          ? `${this.transform} traces every non-static argument: if it is data, type it Num and select with where(cond, a, b) and eq/lt instead of if/?:/===, or mark it static with staticArgnums.`
          : LOOP_BODIES.has(this.transform)
            ? `The body of a ${this.transform} is traced once for every step, so its values are abstract: select with where(cond, a, b), ` +
              "branch with cond(pred, onTrue, onFalse, …operands), and compute step counts outside the loop (or use whileLoop)."
            : "Select with where(cond, a, b) instead of if/else, " +
              (this.transform === "jit" ? "or mark the argument static with staticArgnums." : "or trace with concrete values using explain().")),
    );
  }

  /** The graph operand of an output leaf: its variable, or a constant. */
  operandOf(x: Num): number {
    return typeof x !== "number" && x._trace === this ? (x as StageTracer)._id : this.graph.constRef(x);
  }
}

/** Whether some open trace is staging (for `debugNans`, which then asks compiled code to check). */
export function isStaging(t: Trace): t is StageTrace {
  return t instanceof StageTrace;
}
