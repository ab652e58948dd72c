/**
 * Code generation: the JavaScript source of each chunk (generated function) of a compiled graph.
 *
 * Memory: one `Float64Array` `m`. Variable `v` lives at `m[v]`; numeric constant `c` at
 * `m[size + c]`. Runs of repeated blocks that `reroll` found become `for` loops over `m`;
 * everything else is straight-line code in which each value is a `const` local, stored to `m`
 * only when another chunk, a loop or the output needs it (`locality.ts` decides which).
 *
 * Safety: the source contains only identifiers made here (`m`, `k`, `v12`, `a3`, `c7`, `$h`,
 * `$p`, `$g`, `$t`, `$f`, `$z`), the JavaScript of built-in primitives (their `emit`), and numbers
 * printed by {@link jsNumber}. User primitives are called through the table `$p` by index, never
 * by name; nothing a user supplies (names, tree keys, constants) is pasted.
 */
import { ChainruleError } from "../errors.js";
import { applyImpl, ChainProduct } from "../core/eval.js";
import type { Primitive } from "../core/primitive.js";
import { SLOT } from "../core/graph.js";
import { SCALE } from "../primitives/arithmetic.js";
import { DOT, SUM } from "../primitives/reductions.js";
import { chunkOfNodes, CodeGraph, planOperands, type OperandPlan } from "./locality.js";
import type { Loop, LoopNode } from "./reroll.js";

/** The generated source of every chunk, and the tables its code reads. */
export interface EmittedCode {
  readonly chunks: string[];
  /** `$p`: the implementations of user primitives, called by index. */
  readonly prims: ((...xs: number[]) => number)[];
  /** `$g`: functions computing a many-operand equation other than sum and dot from memory. */
  readonly gathers: ((m: Float64Array) => number)[];
  /** `$t`: index tables of many-operand sums and dot products. */
  readonly tables: Int32Array[];
  readonly loops: number;
  /** The generated code of the loops that run as one call (`$g`), to show with the chunks. */
  readonly subprograms: string[];
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

/** Generates the source of every chunk of `cg` (its graph with the loops found in it). */
export function emitCode(cg: CodeGraph, chunkSize: number): EmittedCode {
  return new ChunkWriter(cg, chunkSize).emitChunks();
}

/** An enclosing loop while emitting: its span and its index variable. */
interface OpenLoop {
  readonly loop: Loop;
  readonly k: string;
}

/** An address `base + Σ stride·k` as JavaScript. */
function address(base: number, terms: readonly (readonly [number, string])[]): string {
  let s = `${base}`;
  for (const [st, k] of terms) {
    if (st === 0) continue;
    s += st === 1 ? ` + ${k}` : st === -1 ? ` - ${k}` : st > 0 ? ` + ${st} * ${k}` : ` - ${-st} * ${k}`;
  }
  return s;
}

/** The state of code generation: the chunk being written, its open scopes, and the tables. */
class ChunkWriter {
  private readonly chunkOf: number[];
  private readonly plan: OperandPlan;
  private readonly chunks: string[] = [];
  private loops = 0;
  private lines: string[] = [];
  private indent = "  ";
  /** Loads already emitted, per open scope: address → local name. */
  private readonly loaded: Map<string, string>[] = [];
  private loads = 0;
  /** Loop-carried values of the loops being emitted: operand position → register name. */
  private readonly carried = new Map<number, string>();
  private readonly primIndex = new Map<Primitive, number>();
  private readonly primTable: ((...xs: number[]) => number)[] = [];
  private readonly gathers: ((m: Float64Array) => number)[] = [];
  private readonly tables: Int32Array[] = [];
  private readonly subprograms: string[] = [];

  constructor(
    private readonly cg: CodeGraph,
    chunkSize: number,
  ) {
    this.chunkOf = chunkOfNodes(cg.nodes, chunkSize);
    this.plan = planOperands(cg, this.chunkOf);
  }

  emitChunks(): EmittedCode {
    let chunk = -1;
    this.cg.nodes.forEach((x, i) => {
      if (this.chunkOf[i] !== chunk) {
        if (chunk >= 0) this.flush();
        chunk = this.chunkOf[i]!;
        this.loaded.length = 0;
        this.loaded.push(new Map());
      }
      this.emitNodes([x], []);
    });
    if (chunk >= 0 || this.chunks.length === 0) this.flush();
    return { chunks: this.chunks, prims: this.primTable, gathers: this.gathers, tables: this.tables, loops: this.loops, subprograms: this.subprograms };
  }

  /** Closes the chunk being written. */
  private flush(): void {
    this.chunks.push(`"use strict";\nreturn function chunk(m) {\n${this.lines.join("\n")}\n};`);
    this.lines = [];
  }

  private line(s: string): void {
    this.lines.push(this.indent + s);
  }

  private emitNodes(xs: readonly LoopNode[], levels: OpenLoop[]): void {
    for (const x of xs) {
      if (typeof x === "number") this.emitEquation(x, levels);
      else this.emitLoop(x, levels);
    }
  }

  /** A `for` loop over the iterations of `x`, its invariant loads hoisted and its carried values in registers. */
  private emitLoop(x: Loop, levels: OpenLoop[]): void {
    this.loops++;
    this.hoist(x, levels);
    const regs = this.carry(x, levels);
    const k = `k${levels.length}`;
    this.line(`for (let ${k} = 0; ${k} < ${x.reps}; ${k}++) {`);
    const saved = this.indent;
    this.indent += "  ";
    this.loaded.push(new Map());
    this.emitNodes(x.body, [...levels, { loop: x, k }]);
    for (const [d, name] of regs) this.line(`${name} = v${d};`);
    this.loaded.pop();
    this.indent = saved;
    this.line("}");
  }

  /** `const v<e> = …` for template `e`, with its NaN checks and its store when it is read from memory. */
  private emitEquation(e: number, levels: readonly OpenLoop[]): void {
    const p = this.cg.graph.prim(e);
    const atoms: string[] = [];
    if (p === SLOT) {
      this.line(`const v${e} = m[${e}];`); // written by its loop's call, just before
    } else if (this.cg.gathered(e) && levels.length === 0) {
      this.emitGathered(e, p);
    } else {
      for (let j = 0; j < this.cg.arity(e); j++) atoms.push(this.atom(e, j, levels));
      this.line(`const v${e} = ${this.callOf(p, atoms)};`);
    }
    const self = address(
      e,
      levels.map((lv) => [lv.loop.span, lv.k]),
    );
    if (this.cg.graph.checkNans) this.emitNanChecks(e, p, self, atoms);
    if (this.plan.store[e] === 1) this.line(`m[${self}] = v${e};`);
  }

  /**
   * In a graph that checks NaNs: a NaN value calls `$f`, and a chain-rule product that is 0
   * because a zero factor absorbed ±Infinity or NaN calls `$z`.
   */
  private emitNanChecks(e: number, p: Primitive, self: string, atoms: readonly string[]): void {
    this.line(`if (v${e} !== v${e}) $f(${self});`);
    if (p === SCALE && this.cg.graph.params.get(e) instanceof ChainProduct) {
      // 0 from a zero factor against ±Infinity or NaN (x - x is 0 exactly for finite x)
      const [c, d] = atoms as [string, string];
      this.line(`if (v${e} === 0 && (${c} - ${c} !== 0 || ${d} - ${d} !== 0)) $z(${self}, ${c}, ${d});`);
    }
  }

  /** The call of `p` on `atoms`: a built-in's own JavaScript, or a user primitive from the table. */
  private callOf(p: Primitive, atoms: readonly string[]): string {
    if (p.builtin && p.emit !== undefined) return p.emit(atoms);
    let q = this.primIndex.get(p);
    if (q === undefined) {
      q = this.primTable.length;
      this.primTable.push(p.impl);
      this.primIndex.set(p, q);
    }
    return `$p[${q}](${atoms.join(", ")})`;
  }

  /** A local holding m[addr], loaded in the current scope unless an open scope has it. */
  private load(addr: string): string {
    const loaded = this.loaded;
    for (let d = loaded.length - 1; d >= 0; d--) {
      const have = loaded[d]!.get(addr);
      if (have !== undefined) return have;
    }
    const name = `a${this.loads++}`;
    this.line(`const ${name} = m[${addr}];`);
    loaded[loaded.length - 1]!.set(addr, name);
    return name;
  }

  /** Address terms of operand j of template e under the enclosing loops. */
  private operandTerms(e: number, j: number, levels: readonly OpenLoop[]): [number, string][] {
    return levels.map((lv) => [this.cg.strideOf(e, j, lv.loop.span), lv.k]);
  }

  /** The atom for operand j of template e: a register, a literal, a local or a load from memory. */
  private atom(e: number, j: number, levels: readonly OpenLoop[]): string {
    const { start, args, n, first, consts } = this.cg;
    const c = this.carried.get(start[e]! + j);
    if (c !== undefined) return c;
    const r = args[start[e]! + j]!;
    if (r < 0) {
      const terms = this.operandTerms(e, j, levels);
      if (terms.every(([st]) => st === 0)) return jsNumber(consts[~r]!);
      return this.load(address(n + ~r, terms));
    }
    if (r >= first && this.plan.viaMemory[start[e]! + j] === 0) return `v${r}`;
    return this.load(address(r, this.operandTerms(e, j, levels)));
  }

  /**
   * Loads, before a loop, the memory operands of its body that do not move with it (nor with
   * loops inside it) and are computed before it starts.
   */
  private hoist(x: Loop, levels: readonly OpenLoop[]): void {
    const { n, first } = this.cg;
    // Only the loop's own equations (those of loops inside it are hoisted before those loops).
    for (const y of x.body) {
      if (typeof y !== "number" || this.cg.gathered(y)) continue;
      for (let j = 0; j < this.cg.arity(y); j++) {
        const r = this.cg.operand(y, j);
        if (r >= first && this.plan.viaMemory[this.cg.start[y]! + j] === 0) continue;
        if (this.cg.strideOf(y, j, x.span) !== 0) continue;
        const terms = this.operandTerms(y, j, levels);
        if (r < 0) {
          if (!terms.every(([st]) => st === 0)) this.load(address(n + ~r, terms)); // (otherwise a literal)
          continue;
        }
        // computed before the loop starts, in the first and the last outer iteration
        if (r >= first && !this.definedBefore(r, y, j, x, levels)) continue;
        this.load(address(r, terms));
      }
    }
  }

  /** Whether operand r (of template y, position j) is computed before loop x starts, in every enclosing iteration. */
  private definedBefore(r: number, y: number, j: number, x: Loop, levels: readonly OpenLoop[]): boolean {
    let rLast = r;
    let startLast = x.start;
    for (const lv of levels) {
      rLast += this.cg.strideOf(y, j, lv.loop.span) * (lv.loop.reps - 1);
      startLast += lv.loop.span * (lv.loop.reps - 1);
    }
    return r < x.start && rLast < startLast;
  }

  /**
   * Values one iteration of loop x hands to the next (an accumulator, the state of a chain):
   * an operand of a body equation that is, in iteration k, the value of a body equation in
   * iteration k - 1. It is kept in a `let` register, set before the loop from the value before
   * it (iteration 0's operand) and updated at the end of each iteration, instead of a store and
   * a load through memory. Returns the registers: template → name.
   */
  private carry(x: Loop, levels: readonly OpenLoop[]): Map<number, string> {
    const regs = new Map<number, string>();
    for (const y of x.body) {
      if (typeof y !== "number") continue;
      for (let j = 0; j < this.cg.arity(y); j++) {
        const pos = this.cg.start[y]! + j;
        if (this.plan.carriedPos[pos] === 0) continue;
        const r = this.cg.args[pos]!;
        const d = r + x.span; // the body equation whose previous iteration this operand reads
        let name = regs.get(d);
        if (name === undefined) {
          name = `c${d}`;
          // Before the loop: iteration 0's operand, computed before the loop.
          const init = this.plan.initViaMemory[pos] === 1 ? this.load(address(r, this.operandTerms(y, j, levels))) : `v${r}`;
          this.line(`let ${name} = ${init};`);
          regs.set(d, name);
        }
        this.carried.set(pos, name);
      }
    }
    return regs;
  }

  /** A variadic equation with many operands: read them from memory in a loop. */
  private emitGathered(v: number, p: Primitive): void {
    const { start, args, n } = this.cg;
    const ops: number[] = [];
    for (let j = start[v]!; j < start[v + 1]!; j++) ops.push(args[j]! >= 0 ? args[j]! : n + ~args[j]!);
    if (p === SUM) {
      const t = this.tables.push(Int32Array.from(ops)) - 1;
      this.line(`let v${v} = 0;`);
      this.line(`for (let i = 0, ix = $t[${t}]; i < ${ops.length}; i++) v${v} += m[ix[i]];`);
      return;
    }
    if (p === DOT) {
      const h = ops.length >> 1;
      const tx = this.tables.push(Int32Array.from(ops.slice(0, h))) - 1;
      const ty = this.tables.push(Int32Array.from(ops.slice(h))) - 1;
      this.line(`let v${v} = 0;`);
      this.line(`for (let i = 0, ix = $t[${tx}], iy = $t[${ty}]; i < ${h}; i++) v${v} += m[ix[i]] * m[iy[i]];`);
      return;
    }
    const idx = Int32Array.from(ops);
    if (p.multi !== undefined) {
      // A loop (or branch): one call that reads its operands, runs, and writes its outputs to m[v ..].
      const multi = p.multi;
      const params = this.cg.graph.params.get(v);
      const q =
        this.gathers.push((m) => {
          const xs = new Array<number>(idx.length);
          for (let i = 0; i < idx.length; i++) xs[i] = m[idx[i]!]!;
          const outs = multi.evaluate(xs, params);
          for (let k = 0; k < outs.length; k++) m[v + k] = outs[k]!;
          return outs[0]!;
        }) - 1;
      this.line(`const v${v} = $g[${q}](m); // ${p.name}: one call that runs the whole loop`);
      const code = multi.code?.(params);
      if (code !== undefined) this.subprograms.push(`// $g[${q}]: ${p.name}, its body inlined in a loop\n${code}`);
      return;
    }
    const xs = new Float64Array(idx.length);
    const q =
      this.gathers.push((m) => {
        for (let i = 0; i < idx.length; i++) xs[i] = m[idx[i]!]!;
        return applyImpl(p, xs);
      }) - 1;
    this.line(`const v${v} = $g[${q}](m);`);
  }
}
