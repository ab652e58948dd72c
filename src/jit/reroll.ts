/**
 * Loop re-rolling: finding, in a flat (unrolled) graph, runs of equations that repeat a block
 * with operands that move by a fixed stride from one repetition to the next — the trace of a
 * JavaScript loop over `Num`s (Rosenbrock's terms, a chain of steps, the neurons of a layer, the
 * points of a batch, and their backward passes). the code generator emits such a run as a `for` loop over
 * the shared memory array instead of unrolled statements. Two levels of nesting are found (a
 * loop over points whose body loops over neurons).
 *
 * Why: V8 optimises a straight-line function only after hundreds of calls (its tier-up
 * heuristic scales the profiler ticks needed with the bytecode size), compiles it in time
 * superlinear in its length, and never optimises one above ~60 KB of bytecode; a loop is
 * optimised during its first call (on-stack replacement) and costs the same to compile
 * whatever its trip count. Re-rolling keeps the exact order of evaluation, so results are
 * identical to the unrolled code.
 *
 * A run at equation `p` with block length (span) `L` repeated `K` times is accepted when, for
 * every `l < L` and `k < K`, equation `p + kL + l` has the primitive, operand count and
 * parameters of equation `p + l`, and each operand is either the same constant in every block,
 * or a variable (or a numeric constant, by its index) that moves by a fixed stride per block.
 * Inside an outer loop's body, an inner loop is accepted only if each of its operands moves by
 * the same outer stride in every inner iteration (so that it is a valid loop in every outer
 * iteration, not only the first).
 */
import { SLOT } from "../core/graph.js";
import type { Graph } from "../core/graph.js";
import type { Num } from "../core/num.js";

/** A loop: `reps` iterations of the `span` equations from `start`; `body` describes the first iteration. */
export interface Loop {
  readonly start: number;
  readonly span: number;
  readonly reps: number;
  readonly body: readonly LoopNode[];
}

/** A straight-line equation (its variable), or a loop. */
export type LoopNode = number | Loop;

/** Limits of the search. */
interface LoopLimits {
  /** Minimum number of repetitions for a loop. */
  readonly minReps: number;
  /** Minimum number of equations a loop must cover. */
  readonly minCover: number;
}

const LIMITS: LoopLimits = { minReps: 4, minCover: 16 };
/** Tests: loops of three repetitions of any block, so that small graphs have loops. */
export const SMALL_LOOPS: LoopLimits = { minReps: 3, minCover: 3 };
/** Longest block of an innermost loop. */
const MAX_LEN = 1024;
/** Longest block of an outer loop. */
const MAX_OUTER_LEN = 8192;
/** How many candidate block lengths to try at each position. */
const CANDIDATES = 8;

/** The first equation a node covers, and how many. */
export function nodeStart(x: LoopNode): number {
  return typeof x === "number" ? x : x.start;
}
export function nodeSize(x: LoopNode): number {
  return typeof x === "number" ? 1 : x.span * x.reps;
}

/**
 * Splits the equations of `g` (after its inputs) into straight-line equations and loops.
 * Runs in time linear in the graph for regular graphs; a work budget keeps adversarial graphs
 * from making it quadratic (the rest is then emitted straight-line).
 */
export function reroll(g: Graph, limits: LoopLimits = LIMITS): LoopNode[] {
  return new LoopFinder(g, limits).outerLoops(g.inputs.length, g.size);
}

/**
 * next[i]: the next equation with the same primitive and operand count (-1: none). Primitives
 * are compared by the number the graph stores for them (`primIds`), one per primitive.
 */
function nextSameShape(primIds: ArrayLike<number>, start: ArrayLike<number>, first: number, n: number): Int32Array {
  const next = new Int32Array(n).fill(-1);
  const lastOf = new Map<number, Map<number, number>>();
  for (let i = n - 1; i >= first; i--) {
    const p = primIds[i]!;
    const arity = start[i + 1]! - start[i]!;
    let byArity = lastOf.get(p);
    if (byArity === undefined) lastOf.set(p, (byArity = new Map()));
    const j = byArity.get(arity);
    if (j !== undefined) next[i] = j;
    byArity.set(arity, i);
  }
  return next;
}

/** The loop search over one graph: its flat arrays, the candidates, and the work budget left. */
class LoopFinder {
  private readonly n: number;
  private readonly g: Graph;
  /** The primitive of each equation, as the graph stores it (equal numbers: the same primitive). */
  private readonly primIds: ArrayLike<number>;
  private readonly start: ArrayLike<number>;
  private readonly args: ArrayLike<number>;
  private readonly consts: readonly Num[];
  private readonly params: ReadonlyMap<number, unknown>;
  private readonly next: Int32Array;
  private budget: number;

  constructor(
    g: Graph,
    private readonly limits: LoopLimits,
  ) {
    this.n = g.size;
    this.g = g;
    this.primIds = g.primIds.data;
    this.start = g.argStart.data;
    this.args = g.args.data;
    this.consts = g.consts.toArray();
    this.params = g.params;
    this.next = nextSameShape(this.primIds, this.start, g.inputs.length, this.n);
    this.budget = 64 * this.n + 100_000;
  }

  /** Whether equations a and b can be the same equation of two blocks. */
  private sameShape(a: number, b: number): boolean {
    const { primIds, start, params } = this;
    if (primIds[a] !== primIds[b]) return false;
    if (this.g.widths.size > 0 && (primIds[a] === SLOT.id || this.g.widths.has(a))) return false; // loops stay whole
    if (start[a + 1]! - start[a]! !== start[b + 1]! - start[b]!) return false;
    return params.size === 0 || params.get(a) === params.get(b);
  }

  /** Stride of operand j between equations a and b, or NaN when they cannot be in one loop. */
  private stride(a: number, b: number, j: number): number {
    const ra = this.args[this.start[a]! + j]!;
    const rb = this.args[this.start[b]! + j]!;
    if (ra >= 0) return rb >= 0 ? rb - ra : NaN;
    if (rb >= 0) return NaN;
    if (ra === rb) return 0;
    // Different constants: only numbers can be read from memory by index.
    return typeof this.consts[~ra] === "number" && typeof this.consts[~rb] === "number" ? ~rb - ~ra : NaN;
  }

  /**
   * Number of blocks of length L repeating from p without passing hi (1 when fewer than 3).
   * `known`, when given, is a shorter block length that L is a multiple of, and its number of
   * repetitions from p: those are `known.K / (L / known.L)` repetitions of L already (each
   * operand moves by the sum of the shorter strides), so only the blocks after them are compared.
   * Skipping them keeps the work budget exactly as if they had been compared.
   */
  private repeats(p: number, L: number, hi: number, known?: { readonly L: number; readonly K: number }): number {
    const given = known !== undefined && L % known.L === 0 ? Math.floor(known.K / (L / known.L)) : 0;
    let k = 3;
    if (given >= 3) {
      let cost = 0;
      for (let l = 0; l < L; l++) cost += this.start[p + l + 1]! - this.start[p + l]! + 1;
      this.budget -= (given - 2) * cost;
      k = given;
    } else if (p + 3 * L > hi || !this.firstThreeRepeat(p, L)) return 1;
    while (p + (k + 1) * L <= hi && this.blockRepeats(p, L, k)) k++;
    return k;
  }

  /** Blocks 0, 1 and 2 from p, compared together so that a mismatch shows as early as possible. */
  private firstThreeRepeat(p: number, L: number): boolean {
    for (let l = 0; l < L; l++) {
      const a = p + l;
      const b = a + L;
      const c = b + L;
      if (!this.sameShape(a, b) || !this.sameShape(b, c)) return false;
      const arity = this.start[a + 1]! - this.start[a]!;
      this.budget -= arity + 1;
      for (let j = 0; j < arity; j++) {
        const s = this.stride(a, b, j);
        if (s !== s || this.stride(b, c, j) !== s) return false;
      }
    }
    return true;
  }

  /** Whether block k from p repeats block k - 1 with block 0's strides. */
  private blockRepeats(p: number, L: number, k: number): boolean {
    const base = p + k * L;
    for (let l = 0; l < L; l++) {
      const a = p + l;
      const b = base + l;
      if (!this.sameShape(a, b)) return false;
      const arity = this.start[a + 1]! - this.start[a]!;
      this.budget -= arity + 1;
      for (let j = 0; j < arity; j++) {
        const s = this.stride(b - L, b, j);
        if (s !== s || s !== this.stride(a, a + L, j)) return false;
      }
    }
    return true;
  }

  /**
   * Straight-line equations and innermost loops covering [lo, hi). `outer`, when given, is the
   * span of the enclosing loop: inner loops must move by the same outer stride in every iteration.
   */
  innerLoops(lo: number, hi: number, outer: number): LoopNode[] {
    const out: LoopNode[] = [];
    let i = lo;
    while (i < hi) {
      const [L, K] = this.budget > 0 ? this.bestInnerLoop(i, hi, outer) : [0, 0];
      if (K > 0) {
        // The body of an outer loop may hold inner loops (two levels at most).
        let body: LoopNode[];
        if (outer === 0 && L >= 2 * this.limits.minReps) body = this.innerLoops(i, i + L, L);
        else {
          body = [];
          for (let v = i; v < i + L; v++) body.push(v);
        }
        out.push({ start: i, span: L, reps: K, body });
        i += L * K;
      } else {
        out.push(i++);
      }
    }
    return out;
  }

  /** The block length and repetitions of the loop at i covering most equations ([0, 0]: none). */
  private bestInnerLoop(i: number, hi: number, outer: number): [number, number] {
    const { minReps, minCover } = this.limits;
    let bestL = 0;
    let bestK = 0;
    let shortest: { L: number; K: number } | undefined; // the shortest block that repeats (from `repeats`)
    let j = this.next[i]!;
    for (let c = 0; c < CANDIDATES && j >= 0 && j < hi; c++, j = this.next[j]!) {
      const L = j - i;
      if (L > MAX_LEN || (hi - i) / L < minReps) break;
      let K = this.repeats(i, L, hi, shortest);
      if (K >= 3 && shortest === undefined) shortest = { L, K };
      if (K >= minReps && outer > 0) K = this.innerValid(i, L, K, outer);
      if (K >= minReps && K * L >= minCover && K * L > bestK * bestL) {
        bestL = L;
        bestK = K;
      }
    }
    return [bestL, bestK];
  }

  /**
   * The number of leading iterations (of K) of the inner loop (p, L) whose operands all move by
   * the outer stride of the first iteration's.
   */
  private innerValid(p: number, L: number, K: number, outer: number): number {
    if (p + K * L + outer > this.n) return 0;
    for (let k = 1; k < K; k++) {
      for (let l = 0; l < L; l++) {
        const a = p + l;
        const b = p + k * L + l;
        const arity = this.start[a + 1]! - this.start[a]!;
        this.budget -= arity;
        for (let j = 0; j < arity; j++) if (this.stride(b, b + outer, j) !== this.stride(a, a + outer, j)) return k;
      }
    }
    return K;
  }

  /** Two-level search over [lo, hi): innermost loops first, then loops over runs of those. */
  outerLoops(lo: number, hi: number): LoopNode[] {
    const items = this.innerLoops(lo, hi, 0);
    const nextItem = this.nextSameItem(items);
    const out: LoopNode[] = [];
    let idx = 0;
    while (idx < items.length) {
      const it = items[idx]!;
      const p = nodeStart(it);
      const [L, K] = this.budget > 0 ? this.bestOuterLoop(items, nextItem, idx, hi) : [0, 0];
      if (K === 0) {
        out.push(it);
        idx++;
        continue;
      }
      const end = p + L * K;
      out.push({ start: p, span: L, reps: K, body: this.innerLoops(p, p + L, L) });
      while (idx < items.length && nodeStart(items[idx]!) < end) idx++;
      // An item that straddled the end of the loop: split what is left of it again.
      const prev = items[idx - 1]!;
      const prevEnd = nodeStart(prev) + nodeSize(prev);
      if (prevEnd > end) for (const x of this.innerLoops(end, prevEnd, 0)) out.push(x);
    }
    return out;
  }

  /** Candidate outer spans: the index of the next item of the same kind (-1: none). */
  private nextSameItem(items: readonly LoopNode[]): Int32Array {
    const { g, start } = this;
    const sig = (x: LoopNode): string => {
      if (typeof x === "number") return `${g.prim(x).name}/${start[x + 1]! - start[x]!}`;
      return `${x.span}x${x.reps}/${g.prim(x.start).name}`;
    };
    const nextItem = new Int32Array(items.length).fill(-1);
    const lastOf = new Map<string, number>();
    for (let k = items.length - 1; k >= 0; k--) {
      const key = sig(items[k]!);
      const j = lastOf.get(key);
      if (j !== undefined) nextItem[k] = j;
      lastOf.set(key, k);
    }
    return nextItem;
  }

  /** The block length and repetitions of the outer loop at items[idx] covering most ([0, 0]: none). */
  private bestOuterLoop(items: readonly LoopNode[], nextItem: Int32Array, idx: number, hi: number): [number, number] {
    const it = items[idx]!;
    const p = nodeStart(it);
    let bestL = 0;
    let bestK = 0;
    let shortest: { L: number; K: number } | undefined; // the shortest block that repeats (from `repeats`)
    let j = nextItem[idx]!;
    for (let c = 0; c < CANDIDATES && j >= 0; c++, j = nextItem[j]!) {
      const L = nodeStart(items[j]!) - p;
      if (L > MAX_OUTER_LEN || (hi - p) / L < 3) break;
      if (L <= nodeSize(it)) continue; // an inner loop found again
      const K = this.repeats(p, L, hi, shortest);
      if (K >= 3 && shortest === undefined) shortest = { L, K };
      if (K >= 3 && K * L > bestK * bestL && K * L > nodeSize(it)) {
        bestL = L;
        bestK = K;
      }
    }
    return [bestL, bestK];
  }
}
