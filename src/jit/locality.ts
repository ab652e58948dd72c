/**
 * Where the generated code reads each operand from — a `const` local, a loop-carried `let`
 * register, or the memory array `m` — and which equations must therefore store their value.
 *
 * Each equation of a loop body is emitted once, for its first iteration (its *template*), as
 * `const v<template> = …`. An operand is read from that local when, in every iteration, it was
 * computed in the same scope (the same iteration of the same loop, or the same chunk for
 * straight-line code) or an enclosing one; otherwise it is read from memory at an address
 * affine in the loop indices, and its defining equation stores it there.
 */
import type { Graph } from "../core/graph.js";
import type { Loop, LoopNode } from "./reroll.js";

/** Variadic operations with more operands than this read them from memory in a loop. */
export const MAX_INLINE_OPERANDS = 32;

/** The flat arrays of a graph that code generation reads, with the loops found in it. */
export class CodeGraph {
  readonly n: number;
  readonly first: number;
  readonly start: ArrayLike<number>;
  readonly args: ArrayLike<number>;
  readonly consts: readonly number[];

  constructor(
    readonly graph: Graph,
    readonly nodes: readonly LoopNode[],
  ) {
    this.n = graph.size;
    this.first = graph.inputs.length;
    this.start = graph.argStart.data;
    this.args = graph.args.data;
    this.consts = graph.consts.toArray() as readonly number[];
  }

  arity(e: number): number {
    return this.start[e + 1]! - this.start[e]!;
  }

  /** Operand `j` of equation `e`. */
  operand(e: number, j: number): number {
    return this.args[this.start[e]! + j]!;
  }

  /**
   * Whether equation `e` reads its operands from memory through an index table: many-operand
   * equations, and the primitives with several outputs (loops), which run as one call.
   */
  gathered(e: number): boolean {
    return this.arity(e) > MAX_INLINE_OPERANDS || (this.graph.widths.size > 0 && this.graph.widths.has(e));
  }

  /** The stride of operand j of template e over a loop of the given span (index of constants). */
  strideOf(e: number, j: number, span: number): number {
    const ra = this.operand(e, j);
    const rb = this.operand(e + span, j);
    return ra >= 0 ? rb - ra : ra === rb ? 0 : ~rb - ~ra;
  }
}

/** Statements a node emits (about). */
export function cost(x: LoopNode): number {
  if (typeof x === "number") return 1;
  let c = 2;
  for (const y of x.body) c += cost(y);
  return c;
}

/** The chunk (generated function) of each top-level node: runs of at most `chunkSize` statements. */
export function chunkOfNodes(nodes: readonly LoopNode[], chunkSize: number): number[] {
  const chunkOf: number[] = [];
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
  return chunkOf;
}

/** Where each operand position (an index into the graph's `args`) of a template is read from. */
export interface OperandPlan {
  /** 1: the operand is the previous iteration's value of a body equation (a `let` register). */
  readonly carriedPos: Uint8Array;
  /** 1: some instance of the operand is read from memory. */
  readonly viaMemory: Uint8Array;
  /** 1: a carried operand whose value before the loop is read from memory. */
  readonly initViaMemory: Uint8Array;
  /** Per template: 1 when some instance is read from memory, so its equation stores it. */
  readonly store: Uint8Array;
}

/** Decides, for every operand position, whether it is read from a local, a register or memory. */
export function planOperands(cg: CodeGraph, chunkOf: readonly number[]): OperandPlan {
  const carriedPos = markCarried(cg);
  const walk = new InstanceWalk(cg, chunkOf, carriedPos);
  walk.run();
  return { carriedPos, viaMemory: walk.viaMemory, initViaMemory: walk.initViaMemory, store: walk.store };
}

/**
 * Loop-carried operands: in iteration k, the value of a body equation in iteration k - 1 (an
 * accumulator, the state of a chain). They live in a `let` register (see the emitter's `carry`).
 */
function markCarried(cg: CodeGraph): Uint8Array {
  const carriedPos = new Uint8Array(cg.args.length);
  const { start, first } = cg;
  // (Recursion over the loop nest, two levels deep at most.)
  const mark = (xs: readonly LoopNode[], enclosing: readonly Loop[]): void => {
    for (const x of xs) {
      if (typeof x === "number") continue;
      const singles = new Set<number>();
      for (const y of x.body) if (typeof y === "number") singles.add(y);
      for (const y of singles) {
        if (cg.gathered(y)) continue;
        for (let j = 0; j < cg.arity(y); j++) {
          const r = cg.operand(y, j);
          if (r < first || cg.strideOf(y, j, x.span) !== x.span) continue;
          // In every iteration of the enclosing loops too, the operand must be this loop's own
          // previous iteration: it moves with them as the body does (by their span).
          if (enclosing.some((lv) => cg.strideOf(y, j, lv.span) !== lv.span)) continue;
          const d = r + x.span;
          if (d >= x.start && d < x.start + x.span && singles.has(d)) carriedPos[start[y]! + j] = 1;
        }
      }
      mark(x.body, [...enclosing, x]);
    }
  };
  mark(cg.nodes, []);
  return carriedPos;
}

/**
 * Walks every equation instance in order, with the stack of scopes around it. Pass 1: an
 * operand position reads memory if any of its instances is not in scope. Pass 2: every value
 * read from memory by some instance is stored by its equation.
 */
class InstanceWalk {
  readonly viaMemory: Uint8Array;
  readonly initViaMemory: Uint8Array;
  readonly store: Uint8Array;
  private readonly templateOf: Int32Array;
  private readonly scopeOf: Int32Array;
  private readonly scopes: number[] = [];
  private nextScope = 0;
  private pass = 1;

  constructor(
    private readonly cg: CodeGraph,
    private readonly chunkOf: readonly number[],
    private readonly carriedPos: Uint8Array,
  ) {
    this.viaMemory = new Uint8Array(cg.args.length);
    this.initViaMemory = new Uint8Array(cg.args.length);
    this.store = new Uint8Array(cg.n);
    this.templateOf = new Int32Array(cg.n);
    this.scopeOf = new Int32Array(cg.n).fill(-1);
  }

  run(): void {
    const { nodes } = this.cg;
    for (this.pass = 1; this.pass <= 2; this.pass++) {
      let chunk = -1;
      nodes.forEach((x, i) => {
        if (this.chunkOf[i] !== chunk) {
          chunk = this.chunkOf[i]!;
          this.scopes.length = 0;
          this.scopes.push(this.nextScope++);
        }
        this.walk(x, 0, -1);
      });
    }
    for (const r of this.cg.graph.outputs) if (r >= this.cg.first) this.store[this.templateOf[r]!] = 1;
  }

  /** Every instance of node x, moved by `offset` (iteration `iter` of the innermost loop around it). */
  private walk(x: LoopNode, offset: number, iter: number): void {
    if (typeof x === "number") {
      if (this.pass === 1) this.visit(x + offset, x, iter);
      else this.markStores(x + offset, x, iter);
      return;
    }
    for (let k = 0; k < x.reps; k++) {
      this.scopes.push(this.nextScope++);
      for (const y of x.body) this.walk(y, offset + k * x.span, k);
      this.scopes.pop();
    }
  }

  /** Whether scope s is open, the innermost one included or not. */
  private isOpen(s: number, innermost: boolean): boolean {
    const scopes = this.scopes;
    const end = innermost ? scopes.length : scopes.length - 1;
    for (let d = 0; d < end; d++) if (scopes[d] === s) return true;
    return false;
  }

  /** Pass 1 at instance u of template t, in iteration `iter` of its innermost loop (-1: none). */
  private visit(u: number, t: number, iter: number): void {
    const { start, args, first } = this.cg;
    const s = start[u]!;
    const ts = start[t]!;
    const arity = start[u + 1]! - s;
    const scopes = this.scopes;
    this.templateOf[u] = t;
    this.scopeOf[u] = scopes[scopes.length - 1]!;
    const gather = this.cg.gathered(t);
    for (let j = 0; j < arity; j++) {
      const r = args[s + j]!;
      if (r < first) {
        // Inputs and constants are always in memory; so must the position be read when its
        // template reads a computed local (a stride that walks from results into the inputs).
        if (args[ts + j]! >= first) this.viaMemory[ts + j] = 1;
        continue;
      }
      // A local is read by its name, v<template>: it must be in scope and be that template's instance.
      const named = this.templateOf[r] === args[ts + j];
      if (this.carriedPos[ts + j] === 1) {
        // Read from the register; its initial value is read before the loop, in the enclosing scope.
        if (iter === 0 && !(named && this.isOpen(this.scopeOf[r]!, false))) this.initViaMemory[ts + j] = 1;
        continue;
      }
      if (gather || !named || !this.isOpen(this.scopeOf[r]!, true)) this.viaMemory[ts + j] = 1;
    }
  }

  /** Pass 2 at instance u of template t: the equations of operands read from memory store their value. */
  private markStores(u: number, t: number, iter: number): void {
    const { start, args, first } = this.cg;
    const s = start[u]!;
    const ts = start[t]!;
    const arity = start[u + 1]! - s;
    for (let j = 0; j < arity; j++) {
      const r = args[s + j]!;
      if (r < first) continue;
      if (this.carriedPos[ts + j] === 1 ? iter === 0 && this.initViaMemory[ts + j] === 1 : this.viaMemory[ts + j] === 1) {
        this.store[this.templateOf[r]!] = 1;
      }
    }
  }
}
