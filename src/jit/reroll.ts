/**
 * Loop re-rolling: finding, in a flat (unrolled) graph, runs of equations that repeat a block
 * with operands that move by a fixed stride from one repetition to the next — the trace of a
 * JavaScript loop over `Num`s (Rosenbrock's terms, a chain of steps, the neurons of a layer, the
 * points of a batch, and their backward passes). `compile` emits such a run as a `for` loop over
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
import type { Graph } from "../core/graph.js";
import type { Primitive } from "../core/primitive.js";

/** A loop: `reps` iterations of the `span` equations from `start`; `body` describes the first iteration. */
export interface Loop {
  readonly start: number;
  readonly span: number;
  readonly reps: number;
  readonly body: readonly Node[];
}

/** A straight-line equation (its variable), or a loop. */
export type Node = number | Loop;

/** Tuning of the search. */
export interface RerollOptions {
  /** Minimum number of repetitions for a loop. */
  readonly minReps?: number;
  /** Minimum number of equations a loop must cover. */
  readonly minCover?: number;
  /** Longest block of an innermost loop. */
  readonly maxLen?: number;
  /** Longest block of an outer loop. */
  readonly maxOuterLen?: number;
  /** How many candidate block lengths to try at each position. */
  readonly candidates?: number;
  /** Find loops of loops (default true). */
  readonly nest?: boolean;
}

/** The first equation a node covers, and how many. */
export function nodeStart(x: Node): number {
  return typeof x === "number" ? x : x.start;
}
export function nodeSize(x: Node): number {
  return typeof x === "number" ? 1 : x.span * x.reps;
}

/**
 * Splits the equations of `g` (after its inputs) into straight-line equations and loops.
 * Runs in time linear in the graph for regular graphs; a work budget keeps adversarial graphs
 * from making it quadratic (the rest is then emitted straight-line).
 */
export function reroll(g: Graph, options: RerollOptions = {}): Node[] {
  const minReps = options.minReps ?? 4;
  const minCover = options.minCover ?? 16;
  const maxLen = options.maxLen ?? 1024;
  const maxOuterLen = options.maxOuterLen ?? 8192;
  const candidates = options.candidates ?? 8;
  const nest = options.nest !== false;
  const n = g.size;
  const first = g.inputs.length;
  const prims = g.primitives();
  const start = g.argStart.data;
  const args = g.args.data;
  const consts = g.consts.toArray();
  const params = g.params;

  // next[i]: the next equation with the same primitive and operand count (-1: none).
  const next = new Int32Array(n).fill(-1);
  {
    const lastOf = new Map<Primitive, Map<number, number>>();
    for (let i = n - 1; i >= first; i--) {
      const p = prims[i]!;
      const arity = start[i + 1]! - start[i]!;
      let byArity = lastOf.get(p);
      if (byArity === undefined) lastOf.set(p, (byArity = new Map()));
      const j = byArity.get(arity);
      if (j !== undefined) next[i] = j;
      byArity.set(arity, i);
    }
  }

  let budget = 64 * n + 100_000;

  /** Whether equations a and b can be the same equation of two blocks. */
  const sameShape = (a: number, b: number): boolean => {
    if (prims[a] !== prims[b]) return false;
    if (start[a + 1]! - start[a]! !== start[b + 1]! - start[b]!) return false;
    return params.size === 0 || params.get(a) === params.get(b);
  };

  /** Number of blocks of length L repeating from p without passing hi (1 when fewer than 3). */
  const repeats = (p: number, L: number, hi: number): number => {
    // Blocks 0, 1 and 2 are compared together so that a mismatch shows as early as possible.
    if (p + 3 * L > hi) return 1;
    for (let l = 0; l < L; l++) {
      const a = p + l;
      const b = a + L;
      const c = b + L;
      if (!sameShape(a, b) || !sameShape(b, c)) return 1;
      const arity = start[a + 1]! - start[a]!;
      budget -= arity + 1;
      for (let j = 0; j < arity; j++) {
        const s = stride(a, b, j);
        if (s !== s || stride(b, c, j) !== s) return 1;
      }
    }
    let k = 3;
    for (; p + (k + 1) * L <= hi; k++) {
      const base = p + k * L;
      let ok = true;
      for (let l = 0; l < L && ok; l++) {
        const a = p + l;
        const b = base + l;
        if (!sameShape(a, b)) {
          ok = false;
          break;
        }
        const arity = start[a + 1]! - start[a]!;
        budget -= arity + 1;
        for (let j = 0; j < arity; j++) {
          const s = stride(b - L, b, j);
          if (s !== s || s !== stride(a, a + L, j)) {
            ok = false;
            break;
          }
        }
      }
      if (!ok) break;
    }
    return k;
  };

  /** Stride of operand j between equations a and b, or NaN when they cannot be in one loop. */
  function stride(a: number, b: number, j: number): number {
    const ra = args[start[a]! + j]!;
    const rb = args[start[b]! + j]!;
    if (ra >= 0) return rb >= 0 ? rb - ra : NaN;
    if (rb >= 0) return NaN;
    if (ra === rb) return 0;
    // Different constants: only numbers can be read from memory by index.
    return typeof consts[~ra] === "number" && typeof consts[~rb] === "number" ? ~rb - ~ra : NaN;
  }

  /**
   * Straight-line equations and innermost loops covering [lo, hi). `outer`, when given, is the
   * span of the enclosing loop: inner loops must move by the same outer stride in every iteration.
   */
  const flat = (lo: number, hi: number, outer: number): Node[] => {
    const out: Node[] = [];
    let i = lo;
    while (i < hi) {
      let bestL = 0;
      let bestK = 0;
      if (budget > 0) {
        let j = next[i]!;
        for (let c = 0; c < candidates && j >= 0 && j < hi; c++, j = next[j]!) {
          const L = j - i;
          if (L > maxLen || (hi - i) / L < minReps) break;
          let K = repeats(i, L, hi);
          if (K >= minReps && outer > 0) K = innerValid(i, L, K, outer);
          if (K >= minReps && K * L >= minCover && K * L > bestK * bestL) {
            bestL = L;
            bestK = K;
          }
        }
      }
      if (bestK > 0) {
        // The body of an outer loop may hold inner loops (two levels at most).
        let body: Node[];
        if (nest && outer === 0 && bestL >= 2 * minReps) body = flat(i, i + bestL, bestL);
        else {
          body = [];
          for (let v = i; v < i + bestL; v++) body.push(v);
        }
        out.push({ start: i, span: bestL, reps: bestK, body });
        i += bestL * bestK;
      } else {
        out.push(i++);
      }
    }
    return out;
  };

  /**
   * The number of leading iterations (of K) of the inner loop (p, L) whose operands all move by
   * the outer stride of the first iteration's.
   */
  const innerValid = (p: number, L: number, K: number, outer: number): number => {
    if (p + K * L + outer > n) return 0;
    for (let k = 1; k < K; k++) {
      for (let l = 0; l < L; l++) {
        const a = p + l;
        const b = p + k * L + l;
        const arity = start[a + 1]! - start[a]!;
        budget -= arity;
        for (let j = 0; j < arity; j++) if (stride(b, b + outer, j) !== stride(a, a + outer, j)) return k;
      }
    }
    return K;
  };

  /** Two-level search over [lo, hi): innermost loops first, then loops over runs of those. */
  const nested = (lo: number, hi: number): Node[] => {
    const items = flat(lo, hi, 0);
    if (!nest) return items;
    // Candidate outer spans: the distance to the next item of the same kind.
    const sig = (x: Node): string => {
      if (typeof x === "number") return `${prims[x]!.name}/${start[x + 1]! - start[x]!}`;
      return `${x.span}x${x.reps}/${prims[x.start]!.name}`;
    };
    const nextItem = new Int32Array(items.length).fill(-1);
    {
      const lastOf = new Map<string, number>();
      for (let k = items.length - 1; k >= 0; k--) {
        const key = sig(items[k]!);
        const j = lastOf.get(key);
        if (j !== undefined) nextItem[k] = j;
        lastOf.set(key, k);
      }
    }
    const out: Node[] = [];
    let idx = 0;
    while (idx < items.length) {
      const it = items[idx]!;
      const p = nodeStart(it);
      let bestL = 0;
      let bestK = 0;
      if (budget > 0) {
        let j = nextItem[idx]!;
        for (let c = 0; c < candidates && j >= 0; c++, j = nextItem[j]!) {
          const L = nodeStart(items[j]!) - p;
          if (L > maxOuterLen || (hi - p) / L < 3) break;
          if (L <= nodeSize(it)) continue; // an inner loop found again
          const K = repeats(p, L, hi);
          if (K >= 3 && K * L > bestK * bestL && K * L > nodeSize(it)) {
            bestL = L;
            bestK = K;
          }
        }
      }
      if (bestK === 0) {
        out.push(it);
        idx++;
        continue;
      }
      const end = p + bestL * bestK;
      out.push({ start: p, span: bestL, reps: bestK, body: flat(p, p + bestL, bestL) });
      while (idx < items.length && nodeStart(items[idx]!) < end) idx++;
      // An item that straddled the end of the loop: split what is left of it again.
      const prev = items[idx - 1]!;
      const prevEnd = nodeStart(prev) + nodeSize(prev);
      if (prevEnd > end) for (const x of flat(end, prevEnd, 0)) out.push(x);
    }
    return out;
  };

  return nested(first, n);
}
