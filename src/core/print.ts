/**
 * Printing graphs: as text (one equation a line, like JAX's `make_jaxpr`) and as Graphviz DOT,
 * with each node's forward value and backward gradient when the graph carries them (the
 * lecture notes' annotated figures).
 */
import type { Graph } from "./graph.js";
import { INPUT, SLOT, varName } from "./graph.js";
import { shownName, type Primitive } from "./primitive.js";
import { describeValue, isTracer, type Num } from "./num.js";
import { renderTree } from "../tree/tree.js";
import { ChainruleError } from "../errors.js";
import { readOptions, type OptionReader } from "../util/options.js";

/** A number for people: integers as they are, others to 6 significant digits. */
export function displayNumber(x: Num): string {
  if (isTracer(x)) return "traced";
  if (Number.isInteger(x) || !Number.isFinite(x)) return Object.is(x, -0) ? "-0" : String(x);
  return String(Number(x.toPrecision(6)));
}

function annotation(g: Graph, i: number): string {
  const parts: string[] = [];
  if (g.values !== undefined) parts.push(`value ${displayNumber(g.values[i]!)}`);
  if (g.grads !== undefined) parts.push(`grad ${displayNumber(g.grads[i]!)}`);
  return parts.join(", ");
}

/**
 * An equation's right-hand side as a call. `dot` keeps its operands as one flat list
 * (`[...xs, ...ys]`), so its two vectors are shown apart: `dot([a, b], [e, f])`.
 */
function callText(p: Primitive, names: readonly string[]): string {
  if (p.builtin && p.name === "dot") {
    const n = names.length >> 1;
    return `dot([${names.slice(0, n).join(", ")}], [${names.slice(n).join(", ")}])`;
  }
  return `${shownName(p)}(${names.join(", ")})`;
}

/** Renders the output tree with operand names at its leaves. */
function outputText(g: Graph): string {
  const names = g.outputs.map((r) => g.refName(r));
  if (g.outputDef === undefined) return names.join(", ");
  return renderTree(g.outputDef, (k) => names[k]!, (key) => JSON.stringify(key));
}

/** At most `max` names, the middle elided: long operand and output lists of loops stay one line. */
function elide(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max - 3).join(", ")}, … (${names.length} in all), ${names.slice(-2).join(", ")}`;
}

/**
 * The lines of a primitive with several outputs (a loop or a branch): `outs = name[details](operands)`
 * and, indented below, each of its bodies printed once (as `make_jaxpr` prints a scan).
 */
function multiText(g: Graph, i: number, p: Primitive): string[] {
  const width = g.widths.get(i) ?? 1;
  const outs: string[] = [];
  for (let k = 0; k < width; k++) outs.push(varName(i + k));
  const shown = p.multi!.show?.(g.params.get(i));
  const head = `${elide(outs)} = ${p.name}${shown === undefined || shown.details === "" ? "" : `[${shown.details}]`}(${elide(g.operandNames(i))})`;
  const lines = [head];
  for (const b of shown?.bodies ?? []) {
    lines.push(`  ${b.name}:`);
    for (const l of graphToString(b.graph).split("\n")) lines.push(`    ${l}`);
  }
  return lines;
}

/** Text form: a header with the inputs, one equation a line, the outputs. */
export function graphToString(g: Graph): string {
  const annotated = g.values !== undefined || g.grads !== undefined;
  const lines: string[] = [];
  const inputNames = g.inputs.map(varName);
  lines.push(`graph(${inputNames.join(", ")}) {`);
  if (!annotated) {
    const pathNote = g.inputs.map((id, k) => `${varName(id)} = ${g.inputPaths[k] ?? ""}`);
    if (g.inputPaths.some((p) => p !== "")) lines.push(`  // inputs: ${pathNote.join(", ")}`);
  }
  const body: [string, string][] = [];
  for (let i = 0; i < g.size; i++) {
    const p = g.prim(i);
    if (p === SLOT) continue; // printed with its head
    if (p.multi !== undefined) {
      for (const line of multiText(g, i, p)) body.push([line, ""]);
      continue;
    }
    if (p === INPUT) {
      const path = g.inputPaths[g.inputs.indexOf(i)] ?? "";
      if (annotated) body.push([`${varName(i)} = input`, path === "" ? annotation(g, i) : `${path}: ${annotation(g, i)}`]);
      continue;
    }
    body.push([`${varName(i)} = ${callText(p, g.operandNames(i))}`, annotated ? annotation(g, i) : ""]);
  }
  let width = 0;
  for (const [s] of body) if (s.length > width && !s.startsWith("  ")) width = s.length; // no spread: graphs can be long
  width = Math.min(48, width);
  for (const [s, note] of body) lines.push(note === "" ? `  ${s}` : `  ${s.padEnd(width)}  // ${note}`);
  lines.push(`  return ${outputText(g)}`);
  lines.push("}");
  return lines.join("\n");
}

/** Escapes text for a double-quoted DOT string. */
function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Escapes text for a Graphviz HTML-like label. */
function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Options of {@link Graph.toDot} (and of `toSvg` in `chainrule/draw`).
 *
 * @example
 * ```ts
 * import { explain, mul, type DotOptions, type Num } from "chainrule";
 * const options: DotOptions = { title: "f(x) = x\u00b7x at x = 3", direction: "TB" };
 * console.log(explain((x: Num) => mul(x, x))(3).toDot(options).includes("rankdir=TB")); // true
 * ```
 * @category Graphs
 */
export interface DotOptions {
  /** A caption drawn above the legend, e.g. the function and where it was evaluated. */
  readonly title?: string;
  /** Layout direction: `"LR"` (left to right, the default, as the lecture notes' figures) or `"TB"`. */
  readonly direction?: "LR" | "TB";
}

/** The options of `toDot`: `direction` goes into the DOT source as it is, so only the two layouts pass. */
const DOT_OPTIONS = {
  title: ((value, where) => {
    if (typeof value !== "string") throw new ChainruleError(`${where} must be a string, got ${describeValue(value)}`);
    return value;
  }) as OptionReader<string>,
  direction: ((value, where) => {
    if (value !== "LR" && value !== "TB") throw new ChainruleError(`${where} must be "LR" or "TB", got ${describeValue(value)}`);
    return value;
  }) as OptionReader<"LR" | "TB">,
};

/** The colours of the lecture notes' figures: forward values in green above, gradients in red below. */
const VALUE_COLOR = "#1a7f37";
const GRAD_COLOR = "#c62828";

/**
 * How an operation is written inside its node: infix symbols for arithmetic. Maps, not objects:
 * a user primitive may be called `constructor` or `toString`.
 */
const INFIX = new Map([["add", "+"], ["sub", "\u2212"], ["mul", "\u00d7"], ["div", "\u00f7"], ["pow", "^"]]);
const PREFIX = new Map([["neg", "\u2212x"], ["square", "x\u00b2"], ["reciprocal", "1/x"]]);

/**
 * The text inside an equation's node. Numeric constants are folded into it, as in the lecture notes'
 * figures (`+ 1`, `1 ÷`, `max(·, 0)`), rather than drawn as nodes of their own. Returns the
 * text and whether the constants were folded.
 */
function opText(g: Graph, i: number, p: Primitive): { text: string; folded: boolean } {
  const name = shownName(p);
  const refs: number[] = [];
  for (let j = g.argStart.data[i]!; j < g.argStart.data[i + 1]!; j++) refs.push(g.args.data[j]!);
  const consts = refs.filter((r) => r < 0);
  const infix = INFIX.get(name);
  if (consts.length === 0 || consts.length === refs.length) return { text: infix ?? PREFIX.get(name) ?? name, folded: false };
  const shown = refs.map((r) => (r >= 0 ? "\u00b7" : g.refName(r)));
  if (infix !== undefined && refs.length === 2) {
    return { text: refs[0]! < 0 ? `${shown[0]} ${infix}` : `${infix} ${shown[1]}`, folded: true };
  }
  return { text: callText(p, shown), folded: true };
}

/**
 * Graphviz DOT in the style of the lecture notes' figures: one node per variable, labelled with its
 * operation (inputs with their tree path), its forward value above in green and the gradient
 * of the output with respect to it below in red, when the graph carries them (`explain`).
 * Constants are folded into their operation's label. Each node's tooltip repeats everything
 * as text.
 */
export function graphToDot(g: Graph, options?: DotOptions): string {
  const { title, direction = "LR" } = readOptions(options, DOT_OPTIONS, "toDot");
  const annotated = g.values !== undefined || g.grads !== undefined;
  const out: string[] = [];
  out.push("digraph chainrule {");
  const caption: string[] = [];
  if (title !== undefined && title !== "") caption.push(`<tr><td colspan="3"><b>${html(title)}</b></td></tr>`);
  if (annotated) {
    caption.push(
      `<tr><td align="right"><font color="${VALUE_COLOR}">green, above: forward value</font></td><td width="28"></td>` +
        `<td align="left"><font color="${GRAD_COLOR}">red, below: gradient of the output</font></td></tr>`,
    );
  }
  const label =
    caption.length > 0 ? `, label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="6">${caption.join("")}</table>>, labelloc=b, fontsize=11` : "";
  out.push(`  graph [rankdir=${direction}, nodesep=0.3, ranksep=0.45, fontname="Helvetica", bgcolor="white", pad=0.3${label}];`);
  out.push('  node [shape=plaintext, fontname="Helvetica", fontsize=12];');
  out.push('  edge [color="#5f6b7a", arrowsize=0.6, penwidth=1.1];');
  let constId = 0;
  for (let i = 0; i < g.size; i++) {
    const p = g.prim(i);
    const name = varName(i);
    const isInput = p === INPUT;
    const path = isInput ? g.inputPaths[g.inputs.indexOf(i)] || "input" : "";
    const op = isInput ? { text: path, folded: false } : opText(g, i, p);
    const box =
      `<table border="1" style="rounded" cellborder="0" cellspacing="0" cellpadding="4" color="${isInput ? "#8c6d1f" : "#3b5b92"}" bgcolor="${isInput ? "#fff6dc" : "#e8eefb"}">` +
      `<tr><td>${isInput ? `<i>${html(op.text)}</i>` : `<font point-size="13">${html(op.text)}</font>`}</td>` +
      `<td width="10" align="right" valign="bottom"><font point-size="8" color="#7a7a7a">${name}</font></td></tr></table>`;
    const rows: string[] = [];
    if (g.values !== undefined) rows.push(`<tr><td><font point-size="11" color="${VALUE_COLOR}">${html(displayNumber(g.values[i]!))}</font></td></tr>`);
    rows.push(`<tr><td port="box">${box}</td></tr>`);
    if (g.grads !== undefined) rows.push(`<tr><td><font point-size="11" color="${GRAD_COLOR}">${html(displayNumber(g.grads[i]!))}</font></td></tr>`);
    const tip = `${name} = ${isInput ? path : callText(p, g.operandNames(i))}${annotated ? `: ${annotation(g, i)}` : ""}`;
    out.push(`  ${name} [label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">${rows.join("")}</table>>, tooltip=${dotString(tip)}];`);
    if (isInput) continue;
    for (let j = g.argStart.data[i]!; j < g.argStart.data[i + 1]!; j++) {
      const r = g.args.data[j]!;
      if (r >= 0) {
        out.push(`  ${varName(r)}:box -> ${name}:box;`);
      } else if (!op.folded) {
        const c = `const${constId++}`;
        out.push(`  ${c} [label=${dotString(g.refName(r))}, fontsize=10, fontcolor="#7a7a7a"];`);
        out.push(`  ${c} -> ${name}:box [color="#b0b0b0", style=dashed];`);
      }
    }
  }
  g.outputs.forEach((r, k) => {
    out.push(`  out${k} [label=${dotString(g.outputs.length === 1 ? "output" : `output ${k}`)}, fontsize=10, fontcolor="#555555"];`);
    if (r >= 0) out.push(`  ${varName(r)}:box -> out${k};`);
  });
  out.push("}");
  return out.join("\n");
}
