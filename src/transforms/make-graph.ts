/**
 * Graphs for people to read. `makeGraph` stages a function (`core/stage.ts`) and returns its
 * graph; `explain` records one with concrete values in reverse mode (`core/reverse.ts`) and runs
 * the backward pass on it, giving every node its forward value and gradient — the lecture
 * notes' annotated figures.
 */
import type { Graph } from "../core/graph.js";
import type { TreeDef } from "../tree/tree.js";
import type { Num } from "../core/num.js";
import { optimize } from "../jit/optimize.js";
import { vjpFlat } from "../core/reverse.js";
import { stageFlat } from "../core/stage.js";
import { refuseLeaks } from "../core/trace.js";
import {
  argRoot,
  argumentPositions,
  leafPathsOf,
  stage,
  expectFunction,
  expectScalar,
  flattenArgs,
  readBoolean,
  readOptions,
  readPositions,
  rebuildArgs,
} from "./common.js";

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
    const fa = flattenArgs(args, args.map((_, i) => i), "explain: argument");
    const lin = vjpFlat(
      (inputs) => {
        const output = expectScalar(f(...rebuildArgs(fa, inputs)), "explain");
        refuseLeaks([output], undefined, "", "explain: output");
        return { outputs: [output] };
      },
      fa.leaves,
      "explain",
      leafPathsOf(fa),
    );
    const g = lin.tape;
    const grads = lin.cotangentsOfAll([1]);
    g.outputs = [lin.outputIds[0]! >= 0 ? lin.outputIds[0]! : g.constRef(lin.outputs[0]!)];
    g.values = lin.values.toArray();
    g.grads = grads;
    return g;
  };
}
