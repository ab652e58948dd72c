/**
 * The `chainrule` command (package `bin`):
 *
 *     chainrule explain "(x + y) * z" x=-2 y=5 z=-4 [--svg out.svg] [--dot out.dot]
 *
 * parses the expression with the safe parser of `expr.ts`, traces it with `explain`, and prints
 * every node's forward value and gradient (the seed's annotated graph), then the value and the
 * gradient with respect to each variable. `--svg` also draws the graph (needs `@viz-js/viz`).
 */
import type { Num } from "../core/num.js";
import { displayNumber } from "../core/print.js";
import { ChainruleError } from "../errors.js";
import { valueAndGrad } from "../transforms/grad.js";
import { explain } from "../transforms/make-graph.js";
import { evaluateExpr, ExprError, FUNCTIONS, parseExpr, variablesOf } from "./expr.js";

/** Where the command writes (process.stdout/stderr and the file system, or buffers in tests). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  writeFile(path: string, text: string): void;
}

export const USAGE = `Usage:
  chainrule explain "<expression>" name=value ... [--svg file.svg] [--dot file.dot]

Prints the computation graph of the expression at the given values: every node with its
forward value and the gradient of the output with respect to it (backpropagation), then the
gradient with respect to each variable.

Expressions: numbers, variable names, + - * / ^ (or **), unary minus, parentheses, and calls of
${wrap(Object.keys(FUNCTIONS).join(", "), 70, "  ")}

Options:
  --svg file.svg   also draw the annotated graph as SVG (needs the package @viz-js/viz)
  --dot file.dot   also write the graph as Graphviz DOT
  -h, --help       this text

Examples (the lecture notes' two worked examples):
  chainrule explain "(x + y) * z" x=-2 y=5 z=-4
  chainrule explain "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))" w0=2 w1=-3 w2=-3 x0=-1 x1=-2 --svg neuron.svg
`;

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => indent + l).join("\n");
}

class UsageError extends Error {}

interface Explained {
  readonly expression: string;
  readonly names: readonly string[];
  readonly values: Readonly<Record<string, number>>;
  readonly svg: string | undefined;
  readonly dot: string | undefined;
}

function parseArgs(args: readonly string[]): Explained {
  const [command, expression, ...rest] = args;
  if (command !== "explain") {
    throw new UsageError(command === undefined ? "missing command" : `unknown command ${JSON.stringify(command)}: the command is explain`);
  }
  if (expression === undefined || expression.trim() === "") throw new UsageError('missing expression: chainrule explain "(x + y) * z" x=-2 y=5 z=-4');
  const values: Record<string, number> = Object.create(null) as Record<string, number>;
  const names: string[] = [];
  let svg: string | undefined;
  let dot: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--svg" || a === "--dot") {
      const file = rest[++i];
      if (file === undefined || file.startsWith("--")) throw new UsageError(`${a} needs a file name: ${a} out.${a.slice(2)}`);
      if (a === "--svg") svg = file;
      else dot = file;
      continue;
    }
    if (a.startsWith("--svg=")) {
      svg = a.slice(6);
      continue;
    }
    if (a.startsWith("--dot=")) {
      dot = a.slice(6);
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(a);
    if (!m) throw new UsageError(`expected name=value (like x=-2), got ${JSON.stringify(a)}`);
    const [, name, text] = m as unknown as [string, string, string];
    const value = text.trim() === "" ? NaN : Number(text);
    if (!Number.isFinite(value)) throw new UsageError(`${name}=${text}: the value must be a finite number`);
    if (Object.hasOwn(values, name)) throw new UsageError(`${name} is given twice`);
    values[name] = value;
    names.push(name);
  }
  return { expression, names, values, svg, dot };
}

/** Runs the command; returns the exit code (0 success, 1 bad expression or values, 2 usage). */
export async function main(args: readonly string[], io: Output): Promise<number> {
  if (args.length === 0 || args.includes("-h") || args.includes("--help")) {
    (args.length === 0 ? io.err : io.out)(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  let request: Explained;
  try {
    request = parseArgs(args);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`chainrule: ${e.message}\nRun chainrule --help for the usage.\n`);
      return 2;
    }
    throw e;
  }
  const { expression, values } = request;
  try {
    const tree = parseExpr(expression);
    const vars = variablesOf(tree);
    for (const [name, pos] of vars) {
      if (!Object.hasOwn(values, name)) {
        throw new ExprError(`no value for ${name}: give one, e.g. ${name}=1`, pos + 1, name.length);
      }
    }
    const unused = request.names.filter((n) => !vars.has(n));
    if (unused.length > 0) {
      io.err(`chainrule: ${unused.join(", ")} ${unused.length === 1 ? "is" : "are"} not in the expression\n`);
      return 1;
    }
    // Inputs in the order the variables appear in the expression.
    const order = [...vars.keys()];
    const point: Record<string, number> = {};
    for (const n of order) point[n] = values[n]!;
    const f = (p: Record<string, Num>): Num => evaluateExpr(tree, p);
    const graph = explain(f)(point);
    const [value, grads] = valueAndGrad(f)(point);
    const at = order.map((n) => `${n} = ${values[n]}`).join(", ");
    io.out(`f = ${expression}${at === "" ? "" : `   at ${at}`}\n\n`);
    io.out(`${String(graph)}\n\n`);
    io.out(`f = ${displayNumber(value)}\n`);
    const width = Math.max(0, ...order.map((n) => n.length));
    for (const n of order) io.out(`df/d${n.padEnd(width)} = ${displayNumber(grads[n]!)}\n`);
    const title = `f = ${expression}${at === "" ? "" : ` at ${at}`}`;
    if (request.dot !== undefined) {
      io.writeFile(request.dot, graph.toDot({ title }) + "\n");
      io.out(`\nwrote ${request.dot}\n`);
    }
    if (request.svg !== undefined) {
      const { toSvg } = await import("../draw/index.js");
      io.writeFile(request.svg, await toSvg(graph, { title }));
      io.out(`${request.dot === undefined ? "\n" : ""}wrote ${request.svg}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ExprError) {
      io.err(`chainrule: ${e.explain(expression)}\n`);
      return 1;
    }
    if (e instanceof ChainruleError) {
      io.err(`chainrule: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
