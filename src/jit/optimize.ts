/**
 * The graph optimiser `jit` runs before emitting code (and `makeGraph(f, { optimize: true })`
 * shows): constant folding, algebraic simplification — above all of the zero cotangents and
 * unit multipliers that derivative code is full of — common-subexpression elimination and
 * dead-code elimination.
 *
 * Every rewrite keeps the graph's *derivatives* as well as its values, because `jit` re-binds
 * the optimised graph when it is called inside another transform (`grad(jit(f))`): so
 * `stopGradient` stays, and only rewrites that hold as functions (not just at one point) are
 * made. Values are kept exactly, with one documented exception: a few rewrites (`x + 0 → x`,
 * `0 - x → -x`, `scale(c, 1) → c`, a one-term `sum`) may change the sign of a zero result.
 * NaN semantics are kept: `mul(0, x)` is not 0 (x may be NaN or infinite); only `scale(0, x)`
 * is, by its definition.
 *
 * One forward pass does folding, simplification and CSE (operands are already final when an
 * equation is reached); one backward pass marks what the outputs need. Both are loops over flat
 * arrays — no recursion — so graphs of millions of equations are fine.
 */
import { applyImpl } from "../core/eval.js";
import { Graph, INPUT } from "../core/graph.js";
import type { Num } from "../core/num.js";
import type { Primitive } from "../core/primitive.js";
import { ADD, DIV, MUL, NEG, SCALE, SUB } from "../primitives/arithmetic.js";
import { EQ, WHERE } from "../primitives/select.js";
import { SUM } from "../primitives/reductions.js";

/** Which passes to run; all default to on. For debugging and tests. */
export interface OptimizeOptions {
  /** Evaluate equations whose operands are all numeric constants (built-in primitives only). */
  readonly fold?: boolean;
  /** Algebraic simplification (`scale(0, d) → 0`, `mul(x, 1) → x`, `where(1, a, b) → a`, …). */
  readonly simplify?: boolean;
  /** Common-subexpression elimination. */
  readonly cse?: boolean;
  /** Dead-code elimination (never when the graph checks NaNs: every value is checked then). */
  readonly dce?: boolean;
}

/** An optimised graph, with the variable of the original graph that each of its variables computes. */
export interface Optimized {
  readonly graph: Graph;
  /** `origin[v]` is the variable of the source graph whose value variable `v` holds. */
  readonly origin: Int32Array;
}

const COMMUTATIVE = new Set<Primitive>([ADD, MUL, EQ]);

/** A growable `Int32Array` (typed storage keeps million-equation graphs away from the GC). */
class Ints {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Optimises `src` into a new graph with the same inputs, outputs and derivatives.
 * Inputs stay variables `0 .. inputs.length - 1`, in order.
 */
export function optimize(src: Graph, options: OptimizeOptions = {}): Optimized {
  const fold = options.fold !== false;
  const simplifyOn = options.simplify !== false;
  const cse = options.cse !== false;
  const checkNans = src.checkNans;
  const dce = options.dce !== false && !checkNans;

  const n = src.size;
  const b = new Builder(n, src.args.length);
  // rep[i]: the operand (new variable, or ~constant) that holds the value of source variable i.
  const rep = new Int32Array(n);
  const srcArgs = src.args.data;
  const srcStart = src.argStart.data;
  const ops: number[] = [];
  const hasParams = src.params.size > 0;

  for (let i = 0; i < n; i++) {
    const p0 = src.prim(i);
    if (p0 === INPUT) {
      rep[i] = b.addInput(i);
      continue;
    }
    ops.length = 0;
    for (let j = srcStart[i]!; j < srcStart[i + 1]!; j++) {
      const r = srcArgs[j]!;
      ops.push(r >= 0 ? rep[r]! : b.constOf(src.constant(r)));
    }
    const params = hasParams ? src.params.get(i) : undefined;
    let prim = p0;
    let result = NONE;
    // A rewrite may enable another (add(x, neg(y)) → sub(x, y) → …); a few rounds suffice.
    for (let round = 0; round < 4 && result === NONE; round++) {
      if (fold && params === undefined && prim.builtin && b.allNumeric(ops)) {
        const xs = new Array<number>(ops.length);
        for (let j = 0; j < ops.length; j++) xs[j] = b.consts[~ops[j]!] as number;
        const v = applyImpl(prim, xs);
        if (!(checkNans && v !== v)) result = b.constOf(v);
        break;
      }
      if (!simplifyOn || params !== undefined) break;
      const s = b.simplify(prim, ops);
      if (s === undefined) break;
      if (typeof s === "number") result = s;
      else {
        prim = s.prim;
        ops.length = 0;
        for (const r of s.ops) ops.push(r);
      }
    }
    if (result !== NONE) {
      rep[i] = result;
      continue;
    }
    rep[i] = cse && params === undefined ? b.equationCse(prim, ops, i) : b.equation(prim, ops, params, i);
  }

  const outputs = src.outputs.map((r) => (r >= 0 ? rep[r]! : b.constOf(src.constant(r))));
  return b.finish(src, outputs, dce);
}

/** "No operand": no rewrite applied. (Operands are variables >= 0 or constants < 0, never this.) */
const NONE = 0x7fffffff;

interface Rewrite {
  readonly prim: Primitive;
  readonly ops: readonly number[];
}

/** The optimised graph being built: equations, canonical constants, a hash table for CSE. */
class Builder {
  readonly prims: Primitive[] = [];
  readonly start: Ints;
  readonly args: Ints;
  readonly params = new Map<number, unknown>();
  readonly origin: Ints;
  readonly inputVars: number[] = [];
  /** Canonical constants: each distinct value once. */
  readonly consts: Num[] = [];
  private readonly numConst = new Map<number, number>();
  private negZero = NONE;
  private readonly objConst = new Map<object, number>();
  // CSE: open addressing over equation ids (-1 = empty).
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly primId = new Map<Primitive, number>();

  constructor(sizeHint: number, argsHint: number) {
    this.start = new Ints(sizeHint + 1);
    this.start.push(0);
    this.args = new Ints(argsHint);
    this.origin = new Ints(sizeHint);
    let cap = 64;
    while (cap < sizeHint * 2) cap *= 2;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  addInput(source: number): number {
    const id = this.prims.length;
    this.prims.push(INPUT);
    this.start.push(this.args.length);
    this.origin.push(source);
    this.inputVars.push(id);
    return id;
  }

  /** The operand of constant `v`: equal numbers (NaN included, -0 apart from 0) share one entry. */
  constOf(v: Num): number {
    if (typeof v === "number") {
      if (Object.is(v, -0)) {
        if (this.negZero === NONE) this.negZero = this.pushConst(v);
        return this.negZero;
      }
      let r = this.numConst.get(v);
      if (r === undefined) {
        r = this.pushConst(v);
        this.numConst.set(v, r);
      }
      return r;
    }
    let r = this.objConst.get(v);
    if (r === undefined) {
      r = this.pushConst(v);
      this.objConst.set(v, r);
    }
    return r;
  }

  private pushConst(v: Num): number {
    this.consts.push(v);
    return ~(this.consts.length - 1);
  }

  /** The number `r` stands for, or undefined when it is a variable or a traced constant. */
  num(r: number): number | undefined {
    if (r >= 0) return undefined;
    const c = this.consts[~r]!;
    return typeof c === "number" ? c : undefined;
  }

  allNumeric(ops: readonly number[]): boolean {
    for (const r of ops) if (this.num(r) === undefined) return false;
    return true;
  }

  /** The primitive defining operand `r`, when it is a variable. */
  defOf(r: number): Primitive | undefined {
    return r >= 0 ? this.prims[r] : undefined;
  }

  /** First operand of the equation defining variable `v`. */
  arg0(v: number): number {
    return this.args.data[this.start.data[v]!]!;
  }

  /**
   * A value-and-derivative-preserving rewrite of `prim(ops)`: an operand that already holds the
   * result, a cheaper equation, or undefined.
   */
  simplify(prim: Primitive, ops: readonly number[]): number | Rewrite | undefined {
    const [x, y] = ops as [number, number];
    const cx = ops.length > 0 ? this.num(x) : undefined;
    const cy = ops.length > 1 ? this.num(y) : undefined;
    switch (prim) {
      case NEG:
        if (this.defOf(x) === NEG) return this.arg0(x); // -(-x) = x
        return undefined;
      case ADD:
        if (cy === 0) return x; // x + 0 (may turn -0 into +0: documented)
        if (cx === 0) return y;
        if (this.defOf(y) === NEG) return { prim: SUB, ops: [x, this.arg0(y)] }; // x + (-y) = x - y
        if (this.defOf(x) === NEG) return { prim: SUB, ops: [y, this.arg0(x)] };
        return undefined;
      case SUB:
        if (cy === 0) return x; // x - 0 (exact for -0 too)
        if (cx === 0 && !Object.is(cx, -0)) return { prim: NEG, ops: [y] }; // 0 - y (sign of zero only)
        if (this.defOf(y) === NEG) return { prim: ADD, ops: [x, this.arg0(y)] }; // x - (-y) = x + y
        return undefined;
      case MUL:
        if (cy === 1) return x;
        if (cx === 1) return y;
        if (cy === -1) return { prim: NEG, ops: [x] };
        if (cx === -1) return { prim: NEG, ops: [y] };
        return undefined;
      case DIV:
        if (cy === 1) return x;
        if (cy === -1) return { prim: NEG, ops: [x] };
        return undefined;
      case SCALE:
        // scale(c, d) = c === 0 ? 0 : c·d — a zero cotangent contributes zero.
        if (cx === 0) return this.constOf(0);
        if (cx === 1) return y;
        if (cx === -1) return { prim: NEG, ops: [y] };
        // A finite nonzero constant never meets an absorbing zero: c·d is exact. (±∞ or NaN
        // times a zero d is 0 here, NaN for mul: it stays a scale.)
        if (cx !== undefined && Number.isFinite(cx)) return { prim: MUL, ops: [x, y] };
        if (cy === 1) return x; // (sign of a zero c only)
        if (cy === -1) return { prim: NEG, ops: [x] };
        return undefined;
      case WHERE: {
        const c = cx;
        const z = ops[2]!;
        if (c !== undefined) return c !== 0 && c === c ? y : z;
        if (y === z) return y;
        return undefined;
      }
      case SUM: {
        let zeros = 0;
        for (const r of ops) if (this.num(r) === 0) zeros++;
        if (zeros === 0) {
          if (ops.length === 1) return x; // 0 + x (sign of a zero only)
          return undefined;
        }
        const rest = ops.filter((r) => this.num(r) !== 0);
        if (rest.length === 0) return this.constOf(0);
        if (rest.length === 1) return rest[0]!;
        return { prim: SUM, ops: rest };
      }
      default:
        return undefined;
    }
  }

  /** Appends an equation; returns its variable. */
  equation(prim: Primitive, ops: readonly number[], params: unknown, source: number): number {
    const id = this.prims.length;
    this.prims.push(prim);
    for (let j = 0; j < ops.length; j++) this.args.push(ops[j]!);
    this.start.push(this.args.length);
    if (params !== undefined) this.params.set(id, params);
    this.origin.push(source);
    return id;
  }

  /** Appends an equation unless an equal one exists; returns the variable holding its value. */
  equationCse(prim: Primitive, ops: readonly number[], source: number): number {
    let pid = this.primId.get(prim);
    if (pid === undefined) {
      pid = this.primId.size;
      this.primId.set(prim, pid);
    }
    const commutative = ops.length === 2 && COMMUTATIVE.has(prim);
    const a0 = commutative && ops[0]! > ops[1]! ? ops[1]! : ops[0]!;
    const a1 = commutative && ops[0]! > ops[1]! ? ops[0]! : ops[1]!;
    let h = Math.imul(pid + 1, 0x9e3779b1) ^ ops.length;
    for (let j = 0; j < ops.length; j++) {
      const r = commutative ? (j === 0 ? a0 : a1) : ops[j]!;
      h = Math.imul(h ^ r, 0x85ebca6b);
      h ^= h >>> 13;
    }
    const table = this.table;
    let slot = h & this.mask;
    for (;;) {
      const e = table[slot]!;
      if (e < 0) break;
      if (this.prims[e] === prim && this.sameOperands(e, ops, commutative)) return e;
      slot = (slot + 1) & this.mask;
    }
    const id = this.equation(prim, ops, undefined, source);
    table[slot] = id; // the table has room for twice the source's equations: it never fills
    return id;
  }

  private sameOperands(e: number, ops: readonly number[], commutative: boolean): boolean {
    const s = this.start.data[e]!;
    const len = this.start.data[e + 1]! - s;
    if (len !== ops.length) return false;
    const args = this.args.data;
    let same = true;
    for (let j = 0; j < len; j++) {
      if (args[s + j] !== ops[j]) {
        same = false;
        break;
      }
    }
    if (same) return true;
    return commutative && args[s] === ops[1] && args[s + 1] === ops[0];
  }

  /** Dead-code elimination and renumbering into a fresh {@link Graph}. */
  finish(src: Graph, outputs: number[], dce: boolean): Optimized {
    const n = this.prims.length;
    const start = this.start.data;
    const args = this.args.data;
    const live = new Uint8Array(n);
    if (dce) {
      for (const r of outputs) if (r >= 0) live[r] = 1;
      for (const v of this.inputVars) live[v] = 1;
      for (let i = n - 1; i >= 0; i--) {
        if (live[i] === 0) continue;
        for (let j = start[i]!; j < start[i + 1]!; j++) {
          const r = args[j]!;
          if (r >= 0) live[r] = 1;
        }
      }
    } else {
      live.fill(1);
    }
    // Keep only the constants still referenced, in order of first use.
    const constMap = new Map<number, number>();
    const g = new Graph();
    const mapConst = (r: number): number => {
      let m = constMap.get(r);
      if (m === undefined) {
        m = ~g.consts.length;
        g.consts.push(this.consts[~r]!);
        constMap.set(r, m);
      }
      return m;
    };
    const newId = new Int32Array(n).fill(-1);
    const origin = new Ints(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (live[i] === 0) continue;
      const p = this.prims[i]!;
      if (p === INPUT) {
        newId[i] = g.addInput(src.inputPaths[k++] ?? "");
      } else {
        for (let j = start[i]!; j < start[i + 1]!; j++) {
          const r = args[j]!;
          if (r >= 0) g.pushVar(newId[r]!);
          else g.args.push(mapConst(r));
        }
        newId[i] = g.finish(p, this.params.size === 0 ? undefined : this.params.get(i));
      }
      origin.push(this.origin.data[i]!);
    }
    g.outputs = outputs.map((r) => (r >= 0 ? newId[r]! : mapConst(r)));
    g.outputDef = src.outputDef;
    g.checkNans = src.checkNans;
    return { graph: g, origin: origin.data.slice(0, origin.length) };
  }
}
