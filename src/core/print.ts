/**
 * Printing graphs: as text (one equation a line, like JAX's `make_jaxpr`) and as Graphviz DOT,
 * with each node's forward value and backward gradient when the graph carries them (the
 * seed's annotated figures).
 */
import type { Graph } from "./graph.js";
import { INPUT, varName } from "./graph.js";
import { isTracer, type Num } from "./num.js";
import type { TreeDef } from "../tree/tree.js";

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

/** Renders the output tree with operand names at its leaves. */
function outputText(g: Graph): string {
  const names = g.outputs.map((r) => g.refName(r));
  if (g.outputDef === undefined) return names.join(", ");
  let k = 0;
  const render = (d: TreeDef): string => {
    if (d.kind === "leaf") return names[k++]!;
    if (d.kind === "array") return `[${d.children.map(render).join(", ")}]`;
    const keys = d.keys;
    return `{ ${d.children.map((c, j) => `${JSON.stringify(keys[j])}: ${render(c)}`).join(", ")} }`;
  };
  return render(g.outputDef);
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
    if (p === INPUT) {
      const path = g.inputPaths[g.inputs.indexOf(i)] ?? "";
      if (annotated) body.push([`${varName(i)} = input`, path === "" ? annotation(g, i) : `${path}: ${annotation(g, i)}`]);
      continue;
    }
    body.push([`${varName(i)} = ${p.name}(${g.operandNames(i).join(", ")})`, annotated ? annotation(g, i) : ""]);
  }
  const width = Math.min(48, Math.max(0, ...body.map(([s]) => s.length)));
  for (const [s, note] of body) lines.push(note === "" ? `  ${s}` : `  ${s.padEnd(width)}  // ${note}`);
  lines.push(`  return ${outputText(g)}`);
  lines.push("}");
  return lines.join("\n");
}

/** Escapes text for a double-quoted DOT string. */
function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Graphviz DOT: one node per variable (labelled with its operation, value and gradient). */
export function graphToDot(g: Graph): string {
  const out: string[] = [];
  out.push("digraph chainrule {");
  out.push("  rankdir=LR;");
  out.push('  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];');
  out.push('  edge [fontname="Helvetica", fontsize=9];');
  let constId = 0;
  for (let i = 0; i < g.size; i++) {
    const p = g.prim(i);
    const name = varName(i);
    const k = g.inputs.indexOf(i);
    const title = p === INPUT ? `${name} = ${g.inputPaths[k] || "input"}` : `${name} = ${p.name}`;
    const note = annotation(g, i);
    const label = note === "" ? title : `${title}\n${note.replace(", ", "\n")}`;
    const shape = p === INPUT ? ', shape=ellipse' : "";
    out.push(`  ${name} [label=${dotString(label)}${shape}];`);
    if (p === INPUT) continue;
    for (let j = g.argStart.data[i]!; j < g.argStart.data[i + 1]!; j++) {
      const r = g.args.data[j]!;
      if (r >= 0) {
        out.push(`  ${varName(r)} -> ${name};`);
      } else {
        const c = `const${constId++}`;
        out.push(`  ${c} [label=${dotString(g.refName(r))}, shape=plaintext];`);
        out.push(`  ${c} -> ${name};`);
      }
    }
  }
  g.outputs.forEach((r, k) => {
    out.push(`  out${k} [label=${dotString(g.outputs.length === 1 ? "output" : `output ${k}`)}, shape=plaintext];`);
    if (r >= 0) out.push(`  ${varName(r)} -> out${k};`);
  });
  out.push("}");
  return out.join("\n");
}
