/**
 * Staging: `StageTrace` runs a function on abstract values and records every primitive it
 * applies into a graph, without computing anything (`jit` compiles such graphs). `makeGraph`
 * returns that graph; `explain` records one with concrete values and runs the backward pass on
 * it, giving every node its forward value and gradient — the lecture notes' annotated figures.
 */
import { ConcretizationError } from "../errors.js";
import { backward, zeroCotangents } from "../core/backward.js";
import { Graph } from "../core/graph.js";
import { optimize } from "../jit/optimize.js";
import { Tracer, TRACER_KEY, type Num } from "../core/num.js";
import type { Primitive } from "../core/primitive.js";
import { flattenLive, refuseLeaks, Trace, withNewTrace } from "../core/trace.js";
import { leafPaths, unflatten } from "../tree/tree.js";
import { argRoot, argumentPositions, expectFunction, expectScalar, readBoolean, readOptions, readPositions } from "./common.js";
import { ReverseTrace, traceArgument, type ReverseTracer } from "./vjp.js";

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

  primalOf(t: Tracer): Num {
    const path = t._argumentPath();
    const what = path === undefined ? `a value inside ${this.transform}` : `${this.transform}'s argument${path === "" ? "" : ` ${path}`}`;
    throw new ConcretizationError(
      `${what} is abstract: it stands for every possible input, so it has no number yet ` +
        "(toNumber, or a JavaScript operator or if on a Num, needs one). " +
        (path !== undefined
          ? `${this.transform} traces every non-static argument: if it is data, type it Num and select with where(cond, a, b) and eq/lt instead of if/?:/===, or mark it static with staticArgnums.`
          : "Select with where(cond, a, b) instead of if/else, " +
            (this.transform === "jit" ? "or mark the argument static with staticArgnums." : "or trace with concrete values using explain().")),
    );
  }

  /** The graph operand of an output leaf: its variable, or a constant. */
  operandOf(x: Num): number {
    return typeof x !== "number" && x._trace === this ? (x as StageTracer)._id : this.graph.constRef(x);
  }
}

/**
 * Options of {@link makeGraph}.
 *
 * @example
 * ```ts
 * import { makeGraph, mul, type MakeGraphOptions, type Num } from "chainrule";
 * const options: MakeGraphOptions = { staticArgnums: 1 };
 * const g = makeGraph((x: Num, config: { scale: number }) => mul(x, config.scale), options)(1, { scale: 3 });
 * console.log(g.equations().length); // 1
 * ```
 * @category Graphs
 */
export interface MakeGraphOptions {
  /** Arguments that are not numeric trees (configuration, data): passed through, not traced. */
  readonly staticArgnums?: number | readonly number[];
  /**
   * Show the graph as `jit` runs it: constants folded, derivative code simplified (zero
   * cotangents, unit multipliers), common subexpressions shared, dead code removed.
   * Variables are renumbered. Default false: the graph exactly as traced.
   */
  readonly optimize?: boolean;
}

const MAKE_GRAPH_OPTIONS = { staticArgnums: readPositions, optimize: readBoolean };

/**
 * Stages `f` into a graph: `makeGraph(f)(...args)` runs `f` on abstract values shaped like
 * `args` and returns the equations it applied. Values are abstract, so `toNumber` and host
 * `if` on them throw `ConcretizationError`; use `where`.
 *
 * @typeParam F - the type of `f`.
 * @param f - the function; any tree of `Num` out.
 * @param options - `staticArgnums`: arguments passed through untouched; `optimize: true`: the
 *   graph after `jit`'s optimiser (folding, simplification, CSE, dead-code elimination).
 * @returns a function taking `f`'s arguments and returning the {@link Graph}.
 * @throws {@link TreeStructureError} when a non-static argument is not a tree of numbers.
 * @throws {@link ChainruleError} when `options` is not `{ staticArgnums, optimize }`: an unknown
 *   key, `staticArgnums` not distinct argument positions (or out of range), `optimize` not a boolean.
 * @example
 * ```ts
 * import { makeGraph, add, mul, sin, type Num } from "chainrule";
 * const g = makeGraph((x: Num, y: Num, z: Num) => mul(add(x, y), z))(-2, 5, -4);
 * console.log(g.equations().map((e) => e.primitive)); // ["add", "mul"]
 * // As jit runs it: mul(x, 1) is x, and the duplicate sin(x) is computed once.
 * const h = makeGraph((x: Num) => add(mul(sin(x), 1), sin(x)), { optimize: true })(0);
 * console.log(String(h)); // graph(a) { b = sin(a); c = add(b, b); return c }
 * ```
 * @category Graphs
 */
export function makeGraph<F extends (...args: any[]) => unknown>(
  f: F,
  options: MakeGraphOptions = {},
): (...args: Parameters<F>) => Graph {
  expectFunction(f, "makeGraph");
  const { staticArgnums = [], optimize: optimized = false } = readOptions(options, MAKE_GRAPH_OPTIONS, "makeGraph");
  return (...args: Parameters<F>) => {
    const statics = argumentPositions(staticArgnums, args.length, "makeGraph: staticArgnums");
    const g = stage(f, args, statics, "makeGraph").graph;
    return optimized ? optimize(g).graph : g;
  };
}

/** Stages `f` at the structure of `args`; the shared core of `makeGraph` and `jit`. */
export function stage(
  f: (...args: any[]) => unknown,
  args: readonly unknown[],
  staticArgnums: number | readonly number[] | undefined,
  transform: string,
): { graph: Graph } {
  const statics = new Set(staticArgnums === undefined ? [] : typeof staticArgnums === "number" ? [staticArgnums] : staticArgnums);
  return withNewTrace(
    (level) => new StageTrace(level, transform),
    (trace) => {
      const callArgs = args.map((a, i) => {
        if (statics.has(i)) return a;
        const root = argRoot(i, args.length);
        const { leaves, def } = flattenLive(a, root, `${transform}: argument (mark non-numeric arguments with staticArgnums)`);
        const paths = leafPaths(def, root);
        return unflatten(def, leaves.map((_, k) => trace.input(paths[k]!)));
      });
      const out = f(...callArgs);
      const { leaves, def } = flattenLive(out, "", `${transform}: output`);
      trace.graph.outputs = leaves.map((x) => trace.operandOf(x));
      trace.graph.outputDef = def;
      return { graph: trace.graph };
    },
  );
}

/**
 * The lecture notes' annotated computation graph for a scalar function at concrete arguments: every
 * node with its forward value and the gradient of the output with respect to it, computed by
 * one forward and one backward pass. Print it with `String(graph)` or draw it with
 * `graph.toDot()`.
 *
 * @typeParam F - the type of `f`.
 * @param f - a function returning a scalar `Num`; every argument must be a tree of numbers.
 * @returns a function taking `f`'s arguments and returning the annotated {@link Graph}.
 * @throws {@link NonScalarOutputError} when `f` returns an array or object.
 * @example
 * ```ts
 * import { explain, add, mul, type Num } from "chainrule";
 * const g = explain((p: { x: Num; y: Num; z: Num }) => mul(add(p.x, p.y), p.z))({ x: -2, y: 5, z: -4 });
 * console.log(String(g));
 * // graph(a, b, c) {
 * //   a = input      // x: value -2, grad -4
 * //   b = input      // y: value 5, grad -4
 * //   c = input      // z: value -4, grad 3
 * //   d = add(a, b)  // value 3, grad -4
 * //   e = mul(d, c)  // value -12, grad 1
 * //   return e
 * // }
 * ```
 * @category Graphs
 */
export function explain<F extends (...args: any[]) => Num>(f: F): (...args: Parameters<F>) => Graph {
  expectFunction(f, "explain");
  return (...args: Parameters<F>) => {
    const { trace, output } = withNewTrace(
      (level) => new ReverseTrace(level, "explain"),
      (trace) => {
        const callArgs = args.map((a, i) => {
          const root = argRoot(i, args.length);
          const first = trace.graph.inputs.length;
          const [tree, record] = traceArgument(trace, a, root, "explain: argument");
          leafPaths(record.def, root).forEach((path, k) => {
            trace.graph.inputPaths[first + k] = path;
          });
          return tree;
        });
        const output = expectScalar(f(...callArgs), "explain");
        refuseLeaks([output], undefined, "", "explain: output");
        return { trace, output };
      },
    );
    const g = trace.graph;
    const ct = zeroCotangents(g);
    if (typeof output !== "number" && output._trace === trace) ct.set((output as ReverseTracer)._id, 1);
    backward(g, trace.vals, ct);
    g.outputs = [trace.operandOf(output)];
    g.values = trace.vals.toArray();
    g.grads = ct.toArray();
    return g;
  };
}
