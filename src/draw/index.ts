/**
 * Drawing computation graphs: the lecture notes' annotated figures as SVG, rendered in-process by
 * Graphviz compiled to WebAssembly (`@viz-js/viz`, an optional peer dependency that only this
 * entry point loads — `import "chainrule"` never does). And line plots (`plotSvg`, loss curves
 * and the like), drawn without any dependency.
 *
 * ```sh
 * npm install chainrule @viz-js/viz
 * ```
 *
 * @packageDocumentation
 * @module chainrule/draw
 */
import type { Graph } from "../core/graph.js";
import type { DotOptions } from "../core/print.js";
import { ChainruleError } from "../errors.js";
export { plotSvg, type PlotOptions, type PlotSeries } from "./plot.js";
// For the links in the comments below.
import type { explain, makeGraph } from "../transforms/make-graph.js";

/** What this module uses of `@viz-js/viz` (typed here so that our types do not need it). */
interface VizInstance {
  renderString(src: string, options?: { format?: string; engine?: string }): string;
}

let viz: Promise<VizInstance> | undefined;

/** Loads Graphviz (WebAssembly) once; later calls share it. */
function loadViz(): Promise<VizInstance> {
  viz ??= import("@viz-js/viz").then(
    (m: { instance: () => Promise<VizInstance> }) => m.instance(),
    (e: unknown) => {
      viz = undefined;
      throw new ChainruleError(
        "drawing needs the optional peer dependency @viz-js/viz (Graphviz compiled to WebAssembly): " +
          `install it with \`npm install @viz-js/viz\` (${e instanceof Error ? e.message : String(e)})`,
      );
    },
  );
  return viz;
}

/**
 * Renders Graphviz DOT source to SVG, in-process (no `dot` binary needed; works in browsers).
 *
 * @param dot - DOT source, such as `graph.toDot()`.
 * @returns the SVG document as a string.
 * @throws `ChainruleError` (exported by `chainrule`) when `@viz-js/viz` is not installed, or the DOT does not parse.
 * @example
 * ```ts
 * import { renderDot } from "chainrule/draw";
 * const svg = await renderDot("digraph { x -> y }");
 * console.log(svg.includes("<svg")); // true
 * ```
 * @category Drawing
 */
export async function renderDot(dot: string): Promise<string> {
  const instance = await loadViz();
  try {
    return instance.renderString(dot, { format: "svg", engine: "dot" });
  } catch (e) {
    throw new ChainruleError(`Graphviz could not render the graph: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Draws a computation graph as SVG, as the lecture notes' figures: each node labelled with its
 * operation and, for a graph from {@link explain}, its forward value above in green and the
 * gradient of the output with respect to it below in red. A graph from {@link makeGraph}
 * (no values) is drawn with its operations only.
 *
 * @param graph - the graph, from `explain(f)(...args)` or `makeGraph(f)(...args)`.
 * @param options - an optional `title` (drawn under the graph) and the layout `direction`.
 * @returns the SVG document as a string.
 * @throws `ChainruleError` (exported by `chainrule`) when `@viz-js/viz` is not installed.
 * @example
 * ```ts
 * import { explain, add, mul, type Num } from "chainrule";
 * import { toSvg } from "chainrule/draw";
 * // The lecture notes' first figure: f(x, y, z) = (x + y)·z at x = -2, y = 5, z = -4.
 * const f = (p: { x: Num; y: Num; z: Num }) => mul(add(p.x, p.y), p.z);
 * const svg = await toSvg(explain(f)({ x: -2, y: 5, z: -4 }), { title: "f = (x + y) z" });
 * console.log(svg.includes("-12")); // true
 * // writeFileSync("f.svg", svg) in Node, or element.innerHTML = svg in a page
 * ```
 * @category Drawing
 */
export async function toSvg(graph: Graph, options: DotOptions = {}): Promise<string> {
  return renderDot(graph.toDot(options));
}
