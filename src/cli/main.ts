/**
 * The `chainrule` command (package `bin`):
 *
 *     chainrule explain "(x + y) * z" x=-2 y=5 z=-4 [--svg out.svg] [--dot out.dot]
 *
 * parses the expression with the safe parser of `expr.ts`, traces it with `explain`, and prints
 * every node's forward value and gradient (the lecture notes' annotated graph), then the value and the
 * gradient with respect to each variable. `--svg` also draws the graph (needs `@viz-js/viz`).
 * Options may come anywhere after `explain`, also as `--svg=out.svg`. Every mistake on the
 * command line is reported as `chainrule: …` on stderr with exit code 2 (usage) or 1
 * (expression, values, files), never as a stack trace.
 */
import type { Num } from "../core/num.js";
import { displayNumber } from "../core/print.js";
import { ChainruleError } from "../errors.js";
import { valueAndGrad } from "../transforms/grad.js";
import { explain } from "../transforms/make-graph.js";
import { evaluateExpr, ExprError, FUNCTIONS, parseExpr, printable, shorten, variablesOf } from "./expr.js";

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
An expression has at most 10000 characters and 200 levels of nesting. Give each variable a
value as name=value: a decimal number such as x=-2, x=0.5 or x=1e-3.

Options (anywhere after explain; also --svg=file.svg):
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

/** A file given with --svg or --dot could not be written. */
class WriteError extends Error {}

/** A command-line argument quoted for an error message (escaped, and cut if very long). */
function quote(arg: string): string {
  const quoted = JSON.stringify(arg.length <= 60 ? arg : arg.slice(0, 60));
  return printable(arg.length <= 60 ? quoted : `${quoted.slice(0, -1)}…"`);
}

/** A value: a decimal number as in expressions, with an optional sign. */
const VALUE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Explained {
  readonly expression: string;
  /** The variables in the order given. */
  readonly names: readonly string[];
  /** Their values, in a null-prototype object (so `__proto__` or `constructor` is just a name). */
  readonly values: Readonly<Record<string, number>>;
  readonly svg: string | undefined;
  readonly dot: string | undefined;
}

function parseArgs(args: readonly string[]): Explained {
  const [command, ...rest] = args;
  if (command !== "explain") {
    if (command === undefined) throw new UsageError("missing command");
    if (command.startsWith("-")) throw new UsageError(`unknown option ${quote(command)}: the options are --svg, --dot and --help`);
    throw new UsageError(`unknown command ${quote(command)}: the command is explain`);
  }
  // Options and name=value may come anywhere. The expression is the first other argument, even
  // if it starts with "-" or "--" (`--x` is x); after it, any other "--…" is an unknown option.
  let expression: string | undefined;
  const values: Record<string, number> = Object.create(null) as Record<string, number>;
  const names: string[] = [];
  const files: { svg?: string; dot?: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const option = /^--(svg|dot)(=|$)/.exec(a);
    if (option) {
      const key = option[1] as "svg" | "dot";
      const file = option[2] === "" ? rest[++i] : a.slice(option[0].length);
      if (file === undefined || file === "" || (option[2] === "" && file.startsWith("--"))) {
        throw new UsageError(`--${key} needs a file name: --${key} out.${key}`);
      }
      if (files[key] !== undefined) throw new UsageError(`--${key} is given twice`);
      files[key] = file;
      continue;
    }
    if (expression !== undefined && a.startsWith("--")) {
      throw new UsageError(`unknown option ${quote(a.replace(/=.*$/s, ""))}: the options are --svg, --dot and --help`);
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
    if (expression === undefined && m === null) {
      expression = a;
      continue;
    }
    if (!m) throw new UsageError(`expected name=value (like x=-2), got ${quote(a)}`);
    const [, name, text] = m as unknown as [string, string, string];
    const shown = shorten(name);
    if (text === "") throw new UsageError(`${shown}= has no value: give a number, like ${shown}=1`);
    if (!VALUE.test(text)) throw new UsageError(`${quote(a)}: the value must be a decimal number, like ${shown}=-2 or ${shown}=0.5`);
    const value = Number(text);
    if (!Number.isFinite(value)) throw new UsageError(`${shown}=${shorten(text)} is too large: numbers must be at most about 1.8e308`);
    if (Object.hasOwn(values, name)) throw new UsageError(`${shown} is given twice`);
    values[name] = value;
    names.push(name);
  }
  if (expression === undefined || expression.trim() === "") throw new UsageError('missing expression: chainrule explain "(x + y) * z" x=-2 y=5 z=-4');
  return { expression, names, values, svg: files.svg, dot: files.dot };
}

/**
 * The one-line message for a failed write: `cannot write out.dot: no such file or directory`
 * (`what` is a path or "standard output"), from the error the file system gave.
 */
export function cannotWrite(what: string, e: unknown): string {
  let reason = String(e);
  if (e instanceof Error) {
    // Node's messages are "ENOENT: no such file or directory, open '/x/y.dot'".
    const m = /^E[A-Z]+: (.*?)(?:, \w+(?: '.*')?)?$/s.exec(e.message);
    reason = m ? m[1]! : e.message;
  }
  return `cannot write ${what}: ${reason}`;
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
        const shown = shorten(name);
        throw new ExprError(`no value for ${shown}: give one, e.g. ${shown}=1`, pos + 1, name.length);
      }
    }
    const unused = request.names.filter((n) => !vars.has(n));
    if (unused.length > 0) {
      io.err(`chainrule: ${unused.map(shorten).join(", ")} ${unused.length === 1 ? "is" : "are"} not in the expression\n`);
      return 1;
    }
    // Inputs in the order the variables appear in the expression (own properties, also for a
    // variable named __proto__).
    const order = [...vars.keys()];
    const point: Record<string, number> = Object.fromEntries(order.map((n) => [n, values[n]!]));
    const f = (p: Record<string, Num>): Num => evaluateExpr(tree, p);
    const graph = explain(f)(point);
    const [value, grads] = valueAndGrad(f)(point);
    // The expression as one line (it may have been typed over several).
    const line = expression.replace(/[\t\n\r]/g, " ");
    const at = order.map((n) => `${n} = ${values[n]}`).join(", ");
    const title = `f = ${line}${at === "" ? "" : ` at ${at}`}`;
    // Files first: when one cannot be written, the command fails with nothing on stdout.
    const written: string[] = [];
    const write = (path: string, text: string) => {
      try {
        io.writeFile(path, text);
      } catch (e) {
        throw new WriteError(cannotWrite(path, e));
      }
      written.push(path);
    };
    if (request.dot !== undefined) write(request.dot, graph.toDot({ title }) + "\n");
    if (request.svg !== undefined) {
      const { toSvg } = await import("../draw/index.js");
      write(request.svg, await toSvg(graph, { title }));
    }
    io.out(`f = ${line}${at === "" ? "" : `   at ${at}`}\n\n`);
    io.out(`${String(graph)}\n\n`);
    io.out(`f = ${displayNumber(value)}\n`);
    let width = 0;
    for (const n of order) width = Math.max(width, n.length);
    for (const n of order) io.out(`df/d${n.padEnd(width)} = ${displayNumber(grads[n]!)}\n`);
    if (written.length > 0) io.out(`\n${written.map((p) => `wrote ${p}\n`).join("")}`);
    return 0;
  } catch (e) {
    if (e instanceof ExprError) {
      io.err(`chainrule: ${e.explain(expression)}\n`);
      return 1;
    }
    if (e instanceof ChainruleError || e instanceof WriteError) {
      io.err(`chainrule: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
