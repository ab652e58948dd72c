/**
 * Turning an (optimised) graph into something that runs on numbers: JavaScript generated with
 * `new Function`, or — where the runtime forbids code generation, or the graph is too large and
 * irregular for code generation to pay off — an interpreter over the same graph. Both use the
 * same memory layout, so they give the same results.
 *
 * Memory: one `Float64Array` `m`. Variable `v` lives at `m[v]` (inputs are variables
 * `0 .. inputs - 1`, written there by the caller); numeric constant `c` at `m[size + c]`.
 * Outputs are read from `m` at `outputSlots`.
 *
 * Generated code (see `docs/internals.md` for the measurements behind it):
 * - Runs of repeated blocks that `reroll` finds become `for` loops over `m`; everything else is
 *   straight-line code in which each value is a `const` local, stored to `m` only when another
 *   chunk, a loop or the output needs it.
 * - The code is split into chunks (separate functions) of at most `chunkSize` statements, so
 *   that each stays far below V8's limit for optimising a function (~60 KB of bytecode) and
 *   compiles in reasonable time.
 * - Safety: the source contains only identifiers made here (`m`, `k`, `v12`, `t3`, `u3_1`,
 *   `$h`, `$p`, `$g`, `$t`, `$f`, `$z`), the JavaScript of built-in primitives (their `emit`), and
 *   numbers printed by {@link jsNumber}. User primitives are called through the table `$p`
 *   by index, never by name; nothing a user supplies (names, tree keys, constants) is pasted.
 */
import { ChainruleError, NonFiniteError } from "../errors.js";
import { absorbs, applyImpl, ChainProduct } from "../core/eval.js";
import { formatNumber, INPUT, type Graph } from "../core/graph.js";
import { jsHelpers } from "../core/helpers.js";
import type { Primitive } from "../core/primitive.js";
import { reroll, type Loop, type Node, type RerollOptions } from "./reroll.js";
import { SCALE } from "../primitives/arithmetic.js";
import { DOT, SUM } from "../primitives/reductions.js";

/** How a compiled graph runs. */
export type Strategy = "compiled" | "interpreted";

/** Tuning and debugging switches of {@link compile}. */
export interface CompileOptions {
  /** Interpret instead of generating code. */
  readonly interpret?: boolean;
  /** Most statements in one generated function. */
  readonly chunkSize?: number;
  /** Above this many statements (after re-rolling), interpret: generating code would not pay off. */
  readonly maxStatements?: number;
  /** Find loops (default true). */
  readonly reroll?: boolean;
  /** Tuning of the loop search (tests force small loops with it). */
  readonly rerollOptions?: RerollOptions;
  /** The error to throw when variable `v` is NaN and the graph checks NaNs. */
  readonly onNan?: (v: number) => Error;
  /**
   * The error to throw when, in a graph that checks NaNs, the product `scale(c, d)` of variable
   * `v` gave 0 because a zero factor absorbed one that is ±Infinity or NaN.
   */
  readonly onAbsorb?: (v: number, c: number, d: number) => Error;
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
}

/** Defaults, chosen from measurements (docs/internals.md, scripts/jit-measure.mjs). */
export const COMPILE_DEFAULTS = {
  chunkSize: 300,
  maxStatements: 50_000,
  /** Variadic operations with more operands than this read them from memory in a loop. */
  maxInlineOperands: 32,
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

/**
 * A JavaScript literal for `x`, exact and safe: finite numbers as `String(x)` (which
 * round-trips), negative ones parenthesised; `NaN`, `±Infinity` and `-0` as arithmetic on
 * literals, so that no global name is involved.
 */
export function jsNumber(x: number): string {
  if (typeof x !== "number") throw new ChainruleError(`jit: internal error: expected a number constant, got ${typeof x}`);
  if (x !== x) return "(0 / 0)";
  if (x === Infinity) return "(1 / 0)";
  if (x === -Infinity) return "(-1 / 0)";
  if (Object.is(x, -0)) return "(-0)";
  const s = String(x);
  if (!/^-?\d+(\.\d+)?(e[+-]\d+)?$/.test(s)) throw new ChainruleError(`jit: internal error: cannot print ${s}`);
  return x < 0 ? `(${s})` : s;
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
export function compile(g: Graph, options: CompileOptions = {}): Executable {
  for (const c of g.consts.toArray()) {
    if (typeof c !== "number") throw new ChainruleError("jit: internal error: a graph with traced constants cannot be compiled");
  }
  const onNan = options.onNan ?? defaultNanError(g);
  const onAbsorb = options.onAbsorb ?? defaultAbsorbError(g);
  const n = g.size;
  const first = g.inputs.length;
  const outputSlots = Int32Array.from(g.outputs, (r) => (r >= 0 ? r : n + ~r));
  const template = new Float64Array(n + g.consts.length);
  g.consts.toArray().forEach((c, i) => {
    template[n + i] = c as number;
  });
  const newMemory = (): Float64Array => template.slice();
  const equations = n - first;

  const interpreted = (statements: number): Executable => ({
    strategy: "interpreted",
    source: undefined,
    inputCount: first,
    outputSlots,
    stats: { equations, statements, loops: 0, chunks: 0 },
    newMemory,
    run: interpreter(g, onNan, onAbsorb),
  });

  if (options.interpret === true || !codegenAllowed()) return interpreted(equations);
  for (let i = 0; i < first; i++) {
    if (g.inputs[i] !== i) throw new ChainruleError("jit: internal error: inputs must be the first variables");
  }
  const nodes = (options.reroll ?? COMPILE_DEFAULTS.reroll) ? reroll(g, options.rerollOptions) : straightLine(first, n);
  let statements = 0;
  for (const x of nodes) statements += cost(x);
  if (statements > (options.maxStatements ?? COMPILE_DEFAULTS.maxStatements)) return interpreted(equations);

  const emitted = emit(g, nodes, options.chunkSize ?? COMPILE_DEFAULTS.chunkSize);
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
    // Code generation refused at run time (a Content-Security-Policy without 'unsafe-eval').
    if (e instanceof EvalError) return interpreted(equations);
    throw e;
  }
  const run =
    fns.length === 1
      ? fns[0]!
      : (m: Float64Array): void => {
          for (let i = 0; i < fns.length; i++) fns[i]!(m);
        };
  return {
    strategy: "compiled",
    source: emitted.chunks.map((c, i) => `// chunk ${i + 1} of ${emitted.chunks.length}\n${c}`).join("\n"),
    inputCount: first,
    outputSlots,
    stats: { equations, statements, loops: emitted.loops, chunks: emitted.chunks.length },
    newMemory,
    run,
  };
}

function straightLine(first: number, n: number): Node[] {
  const nodes: Node[] = [];
  for (let i = first; i < n; i++) nodes.push(i);
  return nodes;
}

/** Statements a node emits (about). */
function cost(x: Node): number {
  if (typeof x === "number") return 1;
  let c = 2;
  for (const y of x.body) c += cost(y);
  return c;
}

interface Emitted {
  readonly chunks: string[];
  readonly prims: ((...xs: number[]) => number)[];
  readonly gathers: ((m: Float64Array) => number)[];
  readonly tables: Int32Array[];
  readonly loops: number;
}

/** An enclosing loop while emitting: its span and its index variable. */
interface Level {
  readonly loop: Loop;
  readonly k: string;
}

/**
 * Generates the source of every chunk.
 *
 * Each equation of a loop body is emitted once, for its first iteration (its *template*), as
 * `const v<template> = …`. An operand is read from that local when, in every iteration, it was
 * computed in the same scope (the same iteration of the same loop, or the same chunk for
 * straight-line code) or an enclosing one; otherwise it is read from memory at an address
 * affine in the loop indices, and its defining equation stores it there.
 */
function emit(g: Graph, nodes: readonly Node[], chunkSize: number): Emitted {
  const n = g.size;
  const first = g.inputs.length;
  const prims = g.primitives();
  const start = g.argStart.data;
  const args = g.args.data;
  const consts = g.consts.toArray() as readonly number[];
  const maxInline = COMPILE_DEFAULTS.maxInlineOperands;

  const gathered = (v: number): boolean => start[v + 1]! - start[v]! > maxInline;

  // ---- chunks: runs of top-level nodes of at most chunkSize statements
  const chunkOf: number[] = [];
  {
    let chunk = 0;
    let used = 0;
    for (const x of nodes) {
      const c = cost(x);
      if (used > 0 && used + c > chunkSize) {
        chunk++;
        used = 0;
      }
      used += c;
      chunkOf.push(chunk);
    }
  }

  /** The stride of operand j of template e over a loop of the given span (index of constants). */
  const strideOf = (e: number, j: number, span: number): number => {
    const ra = args[start[e]! + j]!;
    const rb = args[start[e + span]! + j]!;
    return ra >= 0 ? rb - ra : ra === rb ? 0 : ~rb - ~ra;
  };

  // ---- loop-carried operands: in iteration k, the value of a body equation in iteration k - 1
  // (an accumulator, the state of a chain). They live in a `let` register (see `carry`).
  const carriedPos = new Uint8Array(args.length);
  {
    // (Recursion over the loop nest, two levels deep at most.)
    const mark = (xs: readonly Node[], enclosing: readonly Loop[]): void => {
      for (const x of xs) {
        if (typeof x === "number") continue;
        const singles = new Set<number>();
        for (const y of x.body) if (typeof y === "number") singles.add(y);
        for (const y of singles) {
          if (gathered(y)) continue;
          for (let j = 0; j < start[y + 1]! - start[y]!; j++) {
            const r = args[start[y]! + j]!;
            if (r < first || strideOf(y, j, x.span) !== x.span) continue;
            // In every iteration of the enclosing loops too, the operand must be this loop's own
            // previous iteration: it moves with them as the body does (by their span).
            if (enclosing.some((lv) => strideOf(y, j, lv.span) !== lv.span)) continue;
            const d = r + x.span;
            if (d >= x.start && d < x.start + x.span && singles.has(d)) carriedPos[start[y]! + j] = 1;
          }
        }
        mark(x.body, [...enclosing, x]);
      }
    };
    mark(nodes, []);
  }

  // ---- locality: walk every equation instance in order, with the stack of scopes around it
  const templateOf = new Int32Array(n);
  const scopeOf = new Int32Array(n).fill(-1);
  const viaMemory = new Uint8Array(args.length); // per operand position of a template
  const store = new Uint8Array(n); // per template: some instance is read from memory
  const initViaMemory = new Uint8Array(args.length); // carried operands whose value before the loop is in memory
  {
    const scopes: number[] = [];
    let nextScope = 0;
    // Pass 1: an operand position reads memory if any of its instances is not in scope.
    // Pass 2: every value read from memory by some instance is stored by its equation.
    let pass = 1;
    /** u: an equation instance of template t, in iteration `iter` of its innermost loop (-1: none). */
    const visit = (u: number, t: number, iter: number): void => {
      const s = start[u]!;
      const ts = start[t]!;
      const arity = start[u + 1]! - s;
      if (pass === 2) {
        for (let j = 0; j < arity; j++) {
          const r = args[s + j]!;
          if (r < first) continue;
          if (carriedPos[ts + j] === 1 ? iter === 0 && initViaMemory[ts + j] === 1 : viaMemory[ts + j] === 1) {
            store[templateOf[r]!] = 1;
          }
        }
        return;
      }
      templateOf[u] = t;
      scopeOf[u] = scopes[scopes.length - 1]!;
      const gather = gathered(t);
      for (let j = 0; j < arity; j++) {
        const r = args[s + j]!;
        if (r < first) {
          // Inputs and constants are always in memory; so must the position be read when its
          // template reads a computed local (a stride that walks from results into the inputs).
          if (args[ts + j]! >= first) viaMemory[ts + j] = 1;
          continue;
        }
        // A local is read by its name, v<template>: it must be in scope and be that template's instance.
        const named = templateOf[r] === args[ts + j];
        if (carriedPos[ts + j] === 1) {
          // Read from the register; its initial value is read before the loop, in the enclosing scope.
          if (iter === 0 && !(named && scopes.slice(0, -1).includes(scopeOf[r]!))) initViaMemory[ts + j] = 1;
          continue;
        }
        if (gather || !named || !scopes.includes(scopeOf[r]!)) viaMemory[ts + j] = 1;
      }
    };
    const walk = (xs: readonly Node[], offset: number, iter: number): void => {
      for (const x of xs) {
        if (typeof x === "number") {
          visit(x + offset, x, iter);
          continue;
        }
        for (let k = 0; k < x.reps; k++) {
          scopes.push(nextScope++);
          walk(x.body, offset + k * x.span, k);
          scopes.pop();
        }
      }
    };
    for (pass = 1; pass <= 2; pass++) {
      let chunk = -1;
      nodes.forEach((x, i) => {
        if (chunkOf[i] !== chunk) {
          chunk = chunkOf[i]!;
          scopes.length = 0;
          scopes.push(nextScope++);
        }
        walk([x], 0, -1);
      });
    }
    for (const r of g.outputs) if (r >= first) store[templateOf[r]!] = 1;
  }

  // ---- tables: user primitives, gathers, index lists
  const primIndex = new Map<Primitive, number>();
  const primTable: ((...xs: number[]) => number)[] = [];
  const gathers: ((m: Float64Array) => number)[] = [];
  const tables: Int32Array[] = [];
  const callOf = (p: Primitive, atoms: readonly string[]): string => {
    if (p.builtin && p.emit !== undefined) return p.emit(atoms);
    let q = primIndex.get(p);
    if (q === undefined) {
      q = primTable.length;
      primTable.push(p.impl);
      primIndex.set(p, q);
    }
    return `$p[${q}](${atoms.join(", ")})`;
  };

  /** An address `base + Σ stride·k` as JavaScript. */
  const address = (base: number, terms: readonly (readonly [number, string])[]): string => {
    let s = `${base}`;
    for (const [st, k] of terms) {
      if (st === 0) continue;
      s += st === 1 ? ` + ${k}` : st === -1 ? ` - ${k}` : st > 0 ? ` + ${st} * ${k}` : ` - ${-st} * ${k}`;
    }
    return s;
  };

  // ---- emission
  const chunks: string[] = [];
  let loops = 0;
  const checkNans = g.checkNans;
  /** Loads already emitted, per open scope: address → local name. */
  const loaded: Map<string, string>[] = [];
  let lines: string[] = [];
  let indent = "  ";

  const line = (s: string): void => {
    lines.push(indent + s);
  };
  let loads = 0;
  /** A local holding m[addr], loaded in the current scope unless an open scope has it. */
  const load = (addr: string): string => {
    for (let d = loaded.length - 1; d >= 0; d--) {
      const have = loaded[d]!.get(addr);
      if (have !== undefined) return have;
    }
    const name = `a${loads++}`;
    line(`const ${name} = m[${addr}];`);
    loaded[loaded.length - 1]!.set(addr, name);
    return name;
  };

  /** Address terms of operand j of template e under the enclosing levels. */
  const operandTerms = (e: number, j: number, levels: readonly Level[]): [number, string][] =>
    levels.map((lv) => [strideOf(e, j, lv.loop.span), lv.k]);

  /** Loop-carried values of the loops being emitted: operand position → register name. */
  const carried = new Map<number, string>();

  /** The atom for operand j of template e. */
  const atom = (e: number, j: number, levels: readonly Level[]): string => {
    const c = carried.get(start[e]! + j);
    if (c !== undefined) return c;
    const r = args[start[e]! + j]!;
    if (r < 0) {
      const terms = operandTerms(e, j, levels);
      if (terms.every(([st]) => st === 0)) return jsNumber(consts[~r]!);
      return load(address(n + ~r, terms));
    }
    if (r >= first && viaMemory[start[e]! + j] === 0) return `v${r}`;
    return load(address(r, operandTerms(e, j, levels)));
  };

  const emitEquation = (e: number, levels: readonly Level[]): void => {
    const p = prims[e]!;
    const atoms: string[] = [];
    if (gathered(e) && levels.length === 0) {
      emitGathered(e, p);
    } else {
      for (let j = 0; j < start[e + 1]! - start[e]!; j++) atoms.push(atom(e, j, levels));
      line(`const v${e} = ${callOf(p, atoms)};`);
    }
    const self = address(
      e,
      levels.map((lv) => [lv.loop.span, lv.k]),
    );
    if (checkNans) line(`if (v${e} !== v${e}) $f(${self});`);
    if (checkNans && p === SCALE && g.params.get(e) instanceof ChainProduct) {
      // 0 from a zero factor against ±Infinity or NaN (x - x is 0 exactly for finite x)
      const [c, d] = atoms as [string, string];
      line(`if (v${e} === 0 && (${c} - ${c} !== 0 || ${d} - ${d} !== 0)) $z(${self}, ${c}, ${d});`);
    }
    if (store[e] === 1) line(`m[${self}] = v${e};`);
  };

  /**
   * Loads, before a loop, the memory operands of its body that do not move with it (nor with
   * loops inside it) and are computed before it starts.
   */
  const hoist = (x: Loop, levels: readonly Level[]): void => {
    // Only the loop's own equations (those of loops inside it are hoisted before those loops).
    for (const y of x.body) {
      if (typeof y !== "number" || gathered(y)) continue;
      for (let j = 0; j < start[y + 1]! - start[y]!; j++) {
        const r = args[start[y]! + j]!;
        if (r >= first && viaMemory[start[y]! + j] === 0) continue;
        if (strideOf(y, j, x.span) !== 0) continue;
        const terms = operandTerms(y, j, levels);
        if (r < 0) {
          if (!terms.every(([st]) => st === 0)) load(address(n + ~r, terms)); // (otherwise a literal)
          continue;
        }
        // computed before the loop starts, in the first and the last outer iteration
        if (r >= first && !definedBefore(r, y, j, x, levels)) continue;
        load(address(r, terms));
      }
    }
  };

  /**
   * Values one iteration of loop x hands to the next (an accumulator, the state of a chain):
   * an operand of a body equation that is, in iteration k, the value of a body equation in
   * iteration k - 1. It is kept in a `let` register, set before the loop from the value before
   * it (iteration 0's operand) and updated at the end of each iteration, instead of a store and
   * a load through memory. Returns the registers: template → name.
   */
  const carry = (x: Loop, levels: readonly Level[]): Map<number, string> => {
    const regs = new Map<number, string>();
    for (const y of x.body) {
      if (typeof y !== "number") continue;
      for (let j = 0; j < start[y + 1]! - start[y]!; j++) {
        const pos = start[y]! + j;
        if (carriedPos[pos] === 0) continue;
        const r = args[pos]!;
        const d = r + x.span; // the body equation whose previous iteration this operand reads
        let name = regs.get(d);
        if (name === undefined) {
          name = `c${d}`;
          // Before the loop: iteration 0's operand, computed before the loop.
          const init = initViaMemory[pos] === 1 ? load(address(r, operandTerms(y, j, levels))) : `v${r}`;
          line(`let ${name} = ${init};`);
          regs.set(d, name);
        }
        carried.set(pos, name);
      }
    }
    return regs;
  };

  /** Whether operand r (of template y, position j) is computed before loop x starts, in every enclosing iteration. */
  const definedBefore = (r: number, y: number, j: number, x: Loop, levels: readonly Level[]): boolean => {
    let rLast = r;
    let startLast = x.start;
    for (const lv of levels) {
      rLast += strideOf(y, j, lv.loop.span) * (lv.loop.reps - 1);
      startLast += lv.loop.span * (lv.loop.reps - 1);
    }
    return r < x.start && rLast < startLast;
  };

  const emitNodes = (xs: readonly Node[], levels: Level[]): void => {
    for (const x of xs) {
      if (typeof x === "number") {
        emitEquation(x, levels);
        continue;
      }
      loops++;
      hoist(x, levels);
      const regs = carry(x, levels);
      const k = `k${levels.length}`;
      line(`for (let ${k} = 0; ${k} < ${x.reps}; ${k}++) {`);
      const saved = indent;
      indent += "  ";
      loaded.push(new Map());
      emitNodes(x.body, [...levels, { loop: x, k }]);
      for (const [d, name] of regs) line(`${name} = v${d};`);
      loaded.pop();
      indent = saved;
      line("}");
    }
  };

  let chunk = -1;
  const flush = (): void => {
    chunks.push(`"use strict";\nreturn function chunk(m) {\n${lines.join("\n")}\n};`);
    lines = [];
  };
  nodes.forEach((x, i) => {
    if (chunkOf[i] !== chunk) {
      if (chunk >= 0) flush();
      chunk = chunkOf[i]!;
      loaded.length = 0;
      loaded.push(new Map());
    }
    emitNodes([x], []);
  });
  if (chunk >= 0 || chunks.length === 0) flush();

  /** A variadic equation with many operands: read them from memory in a loop. */
  function emitGathered(v: number, p: Primitive): void {
    const ops: number[] = [];
    for (let j = start[v]!; j < start[v + 1]!; j++) ops.push(args[j]! >= 0 ? args[j]! : n + ~args[j]!);
    if (p === SUM) {
      const t = tables.push(Int32Array.from(ops)) - 1;
      line(`let v${v} = 0;`);
      line(`for (let i = 0, ix = $t[${t}]; i < ${ops.length}; i++) v${v} += m[ix[i]];`);
      return;
    }
    if (p === DOT) {
      const h = ops.length >> 1;
      const tx = tables.push(Int32Array.from(ops.slice(0, h))) - 1;
      const ty = tables.push(Int32Array.from(ops.slice(h))) - 1;
      line(`let v${v} = 0;`);
      line(`for (let i = 0, ix = $t[${tx}], iy = $t[${ty}]; i < ${h}; i++) v${v} += m[ix[i]] * m[iy[i]];`);
      return;
    }
    const idx = Int32Array.from(ops);
    const xs = new Float64Array(idx.length);
    const q =
      gathers.push((m) => {
        for (let i = 0; i < idx.length; i++) xs[i] = m[idx[i]!]!;
        return applyImpl(p, xs);
      }) - 1;
    line(`const v${v} = $g[${q}](m);`);
  }

  return { chunks, prims: primTable, gathers, tables, loops };
}

/** Runs `g` on `m` one equation at a time (no code generation). */
function interpreter(
  g: Graph,
  onNan: (v: number) => Error,
  onAbsorb: (v: number, c: number, d: number) => Error,
): (m: Float64Array) => void {
  const n = g.size;
  const first = g.inputs.length;
  const prims = g.primitives();
  const impls = prims.map((p) => (p === INPUT ? undefined : p.impl));
  const st = g.argStart.toInt32Array().subarray(0, n + 1);
  const sl = g.args.toInt32Array().map((r) => (r >= 0 ? r : n + ~r));
  const check = g.checkNans;
  // The chain-rule products that a checked graph checks for an absorbed ±Infinity or NaN.
  const products = new Set<number>();
  if (check) for (let v = first; v < n; v++) if (prims[v] === SCALE && g.params.get(v) instanceof ChainProduct) products.add(v);
  return (m) => {
    for (let v = first; v < n; v++) {
      const f = impls[v]!;
      const s = st[v]!;
      let x: number;
      switch (st[v + 1]! - s) {
        case 0:
          x = f();
          break;
        case 1:
          x = f(m[sl[s]!]!);
          break;
        case 2:
          x = f(m[sl[s]!]!, m[sl[s + 1]!]!);
          break;
        case 3:
          x = f(m[sl[s]!]!, m[sl[s + 1]!]!, m[sl[s + 2]!]!);
          break;
        default: {
          const xs = new Array<number>(st[v + 1]! - s);
          for (let j = 0; j < xs.length; j++) xs[j] = m[sl[s + j]!]!;
          x = applyImpl(prims[v]!, xs);
        }
      }
      if (check && (x !== x || x === 0)) {
        if (x !== x) throw onNan(v);
        if (products.has(v) && absorbs(m[sl[s]!]!, m[sl[s + 1]!]!)) throw onAbsorb(v, m[sl[s]!]!, m[sl[s + 1]!]!);
      }
      m[v] = x;
    }
  };
}
