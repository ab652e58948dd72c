/**
 * The jit compiler's pipeline entry: an (optimised) graph → loops found again (`reroll.ts`) →
 * JavaScript generated with `new Function` (`emit.ts`), or — where the runtime forbids code
 * generation, or the graph is too large and irregular for code generation to pay off — the
 * interpreter over the same graph (`interpret.ts`). Both use the same memory layout, so they
 * give the same results.
 *
 * Memory: one `Float64Array` `m`. Variable `v` lives at `m[v]` (inputs are variables
 * `0 .. inputs - 1`, written there by the caller); numeric constant `c` at `m[size + c]`.
 * Outputs are read from `m` at `outputSlots`. The code is split into chunks (separate
 * functions) of at most `chunkSize` statements, so that each stays far below V8's limit for
 * optimising a function (~60 KB of bytecode) and compiles in reasonable time (see
 * `docs/internals.md` for the measurements behind it).
 */
import { ChainruleError, NonFiniteError } from "../errors.js";
import type { ChainProduct } from "../core/eval.js";
import { formatNumber, INPUT, type Graph } from "../core/graph.js";
import { jsHelpers } from "../core/helpers.js";
import { emitCode, type EmittedCode } from "./emit.js";
import { interpretGraph } from "./interpret.js";
import { CodeGraph, cost } from "./locality.js";
import { reroll, SMALL_LOOPS, type LoopNode } from "./reroll.js";

/** How a compiled graph runs. */
export type Strategy = "compiled" | "interpreted";

/** Tuning and debugging switches of {@link compileGraph}. */
export interface CompileOptions {
  /** Interpret instead of generating code. */
  readonly interpret?: boolean;
  /** Most statements in one generated function. */
  readonly chunkSize?: number;
  /** Find loops (default true). */
  readonly reroll?: boolean;
  /** Tests: accept loops of three repetitions of any block, so that small graphs have loops. */
  readonly smallLoops?: boolean;
  /** The error to throw when variable `v` is NaN and the graph checks NaNs. */
  readonly onNan?: (v: number) => Error;
}

/** A graph ready to run on numbers. */
export interface Executable {
  readonly strategy: Strategy;
  /** The generated JavaScript (all chunks), or undefined when interpreted. */
  readonly source: string | undefined;
  /** Number of inputs: `m[0 .. inputCount)`. */
  readonly inputCount: number;
  /** Where each output leaf is in `m` after `run`. */
  readonly outputSlots: Int32Array;
  /** What was emitted: equations, statements, loops and chunks (zero loops/chunks when interpreted). */
  readonly stats: { readonly equations: number; readonly statements: number; readonly loops: number; readonly chunks: number };
  /** A fresh memory with the constants in place. */
  newMemory(): Float64Array;
  /** Runs the graph on `m` (inputs already written). */
  run(m: Float64Array): void;
  /**
   * The generated statements of the whole graph, to inline into a function that runs it many
   * times (a loop's body: see `loops/scan.ts`), and how to make that function: `make(source)`
   * evaluates `source` — a function expression over `m` in which the statements appear — with the
   * tables the statements read. Undefined when interpreted or split into several chunks.
   */
  readonly inline?: { readonly statements: string; make(source: string): unknown };
}

/** Defaults, chosen from measurements (docs/internals.md, scripts/jit-measure.mjs). */
export const COMPILE_DEFAULTS = {
  chunkSize: 300,
  maxStatements: 50_000,
  /** Find loops (see `reroll.ts`). */
  reroll: true,
};

/** Test and debugging hook: pretend that code generation is forbidden (as under a strict CSP). */
export const codegen: { forbidden: boolean } = { forbidden: false };

let probed: boolean | undefined;

/** Whether this runtime lets us create functions from strings (a strict CSP does not). */
export function codegenAllowed(): boolean {
  if (codegen.forbidden) return false;
  if (probed === undefined) {
    try {
      probed = (new Function("return 1") as () => number)() === 1;
    } catch {
      probed = false;
    }
  }
  return probed;
}

/** The default NaN error: names the primitive and the equation of the compiled graph. */
function defaultNanError(g: Graph): (v: number) => Error {
  return (v) => {
    const text = `${g.refName(v)} = ${g.prim(v).name}(${g.operandNames(v).join(", ")})`;
    return new NonFiniteError(`${g.prim(v).name} produced NaN in equation ${text}`);
  };
}

/**
 * The default error for a chain-rule product that absorbed a non-finite factor: names the
 * primitive whose derivative rule it is a step of, the product's equation and the equation that
 * computed the non-finite factor.
 */
function defaultAbsorbError(g: Graph): (v: number, c: number, d: number) => Error {
  return (v, c, d) => {
    const rule = (g.params.get(v) as ChainProduct).rule?.name;
    const j = c === 0 ? 1 : 0; // the factor that is not finite
    const r = g.args.data[g.argStart.data[v]! + j]!;
    const source = r >= 0 && g.prim(r) !== INPUT ? `${g.refName(r)} = ${g.prim(r).name}(${g.operandNames(r).join(", ")})` : undefined;
    const text = `${g.refName(v)} = ${g.prim(v).name}(${g.operandNames(v).join(", ")})`;
    const of = rule === undefined ? "" : ` of the derivative rule of ${rule}`;
    const from = source === undefined ? "" : ` (${source})`;
    return new NonFiniteError(
      `jit: scale(${formatNumber(c)}, ${formatNumber(d)}) = 0 in equation ${text}, a step${of}: a zero factor absorbed ${formatNumber(j === 0 ? c : d)}${from}, ` +
        "so the derivative is finite but probably wrong — a value overflowed or underflowed upstream (use softplus, logSumExp, log1p or expm1 " +
        "rather than composing exp and log) (NaN checking is on for this graph)",
      { primitive: rule ?? "scale", rule },
    );
  };
}

/**
 * Prepares `g` to run on numbers. Every constant of `g` must be a number (a graph that closed
 * over an enclosing transform's value is evaluated by re-binding instead).
 */
export function compileGraph(g: Graph, options: CompileOptions = {}): Executable {
  for (const c of g.consts.toArray()) {
    if (typeof c !== "number") throw new ChainruleError("jit: internal error: a graph with traced constants cannot be compiled");
  }
  const onNan = options.onNan ?? defaultNanError(g);
  const onAbsorb = defaultAbsorbError(g);
  const { equations, ...layout } = memoryLayout(g);
  const interpreted = (): Executable => ({
    ...layout,
    strategy: "interpreted",
    source: undefined,
    stats: { equations, statements: equations, loops: 0, chunks: 0 },
    run: interpretGraph(g, onNan, onAbsorb),
  });

  if (options.interpret === true || !codegenAllowed()) return interpreted();
  const first = layout.inputCount;
  for (let i = 0; i < first; i++) {
    if (g.inputs[i] !== i) throw new ChainruleError("jit: internal error: inputs must be the first variables");
  }
  const nodes = (options.reroll ?? COMPILE_DEFAULTS.reroll) ? reroll(g, options.smallLoops === true ? SMALL_LOOPS : undefined) : straightLine(first, g.size);
  let statements = 0;
  for (const x of nodes) statements += cost(x);
  // Above this many statements (after re-rolling) generating code would not pay off.
  if (statements > COMPILE_DEFAULTS.maxStatements) return interpreted();

  const emitted = emitCode(new CodeGraph(g, nodes), options.chunkSize ?? COMPILE_DEFAULTS.chunkSize);
  const run = functionsOf(emitted, onNan, onAbsorb);
  // Code generation refused at run time (a Content-Security-Policy without 'unsafe-eval').
  if (run === undefined) return interpreted();
  const only = emitted.chunks.length === 1 ? emitted.chunks[0]! : undefined;
  return {
    ...layout,
    strategy: "compiled",
    source: [...emitted.chunks.map((c, i) => `// chunk ${i + 1} of ${emitted.chunks.length}\n${c}`), ...emitted.subprograms].join("\n"),
    stats: { equations, statements, loops: emitted.loops, chunks: emitted.chunks.length },
    run,
    ...(only === undefined
      ? {}
      : {
          inline: {
            statements: only.slice(only.indexOf("{\n") + 2, only.lastIndexOf("\n};")),
            make: (source: string): unknown =>
              new Function("$h", "$p", "$g", "$t", "$f", "$z", `"use strict";\nreturn ${source};`)(
                jsHelpers,
                emitted.prims,
                emitted.gathers,
                emitted.tables,
                (v: number): never => {
                  throw onNan(v);
                },
                (v: number, c: number, d: number): never => {
                  throw onAbsorb(v, c, d);
                },
              ),
          },
        }),
  };
}

/** The memory of `g`'s compiled form: its size, the constants' template, where the outputs are. */
function memoryLayout(g: Graph): { inputCount: number; equations: number; outputSlots: Int32Array; newMemory: () => Float64Array } {
  const n = g.size;
  const outputSlots = Int32Array.from(g.outputs, (r) => (r >= 0 ? r : n + ~r));
  const template = new Float64Array(n + g.consts.length);
  g.consts.toArray().forEach((c, i) => {
    template[n + i] = c as number;
  });
  return { inputCount: g.inputs.length, equations: n - g.inputs.length, outputSlots, newMemory: () => template.slice() };
}

/** The generated chunks as one function of the memory; undefined when the runtime refuses `new Function`. */
function functionsOf(
  emitted: EmittedCode,
  onNan: (v: number) => Error,
  onAbsorb: (v: number, c: number, d: number) => Error,
): ((m: Float64Array) => void) | undefined {
  const fail = (v: number): never => {
    throw onNan(v);
  };
  const failAbsorb = (v: number, c: number, d: number): never => {
    throw onAbsorb(v, c, d);
  };
  let fns: ((m: Float64Array) => void)[];
  try {
    fns = emitted.chunks.map(
      (body) =>
        new Function("$h", "$p", "$g", "$t", "$f", "$z", body)(jsHelpers, emitted.prims, emitted.gathers, emitted.tables, fail, failAbsorb) as (
          m: Float64Array,
        ) => void,
    );
  } catch (e) {
    if (e instanceof EvalError) return undefined;
    throw e;
  }
  return fns.length === 1
    ? fns[0]!
    : (m: Float64Array): void => {
        for (let i = 0; i < fns.length; i++) fns[i]!(m);
      };
}

function straightLine(first: number, n: number): LoopNode[] {
  const nodes: LoopNode[] = [];
  for (let i = first; i < n; i++) nodes.push(i);
  return nodes;
}
