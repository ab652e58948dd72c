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
 * equation is reached); one backward pass marks what the outputs need (DCE); a last pass
 * renumbers what is live into a fresh graph. All are loops over flat arrays — no recursion — so
 * graphs of millions of equations are fine. Primitives are compared by the number a graph
 * stores for them (`Graph.primIds`), not by their objects: a load from a typed array is much
 * cheaper than a property of primitive objects, which have many shapes.
 */
import { applyImpl } from "../core/eval.js";
import { Graph, INPUT, SLOT } from "../core/graph.js";
import type { Num } from "../core/num.js";
import { primitiveById, type Primitive } from "../core/primitive.js";
import { ADD, DIV, MUL, NEG, SCALE, SUB } from "../primitives/arithmetic.js";
import { EQ, WHERE } from "../primitives/select.js";
import { SUM } from "../primitives/reductions.js";

/** An optimised graph, with the variable of the original graph that each of its variables computes. */
export interface Optimized {
  readonly graph: Graph;
  /** `origin[v]` is the variable of the source graph whose value variable `v` holds. */
  readonly origin: Int32Array;
}

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
export function optimize(src: Graph): Optimized {
  const b = new Builder(src);
  const n = src.size;
  // rep[i]: the operand (new variable, or ~constant) that holds the value of source variable i.
  const rep = new Int32Array(n);
  for (let i = 0; i < n; i++) rep[i] = b.add(i, rep);
  const outputs = src.outputs.map((r) => (r >= 0 ? rep[r]! : b.constOf(src.constant(r))));
  // With NaN checks every value is checked, so nothing is removed.
  return b.renumber(outputs, src.checkNans ? undefined : b.liveVariables(outputs));
}

/** How many slots near its latest operand an equation may take in the CSE table (see `findSlot`). */
const NEAR_PROBES = 16;

/** A CSE table of `slots` (equation id, hash) pairs, all empty. */
function emptyTable(slots: number): Int32Array {
  return new Int32Array(2 * slots).fill(-1); // (the hashes of empty slots do not matter)
}

/** "No operand": no rewrite applied. (Operands are variables >= 0 or constants < 0, never this.) */
const NONE = 0x7fffffff;

/**
 * The optimised graph being built: equations, canonical constants, a hash table for CSE.
 * Equation operands being rewritten live in `ops[0 .. nOps)`.
 */
class Builder {
  /**
   * Per new equation: the number the source graph stores for its primitive (its table index,
   * or `~k` for the source's unlisted primitive `k`; rewrites only produce listed built-ins).
   */
  private readonly keys: Ints;
  private readonly start: Ints;
  private readonly args: Ints;
  private readonly params = new Map<number, unknown>();
  /** The equations of primitives with several outputs (their outputs follow as slots), and their width. */
  private readonly widths = new Map<number, number>();
  private readonly origin: Ints;
  private readonly inputVars: number[] = [];
  /** Canonical constants: each distinct value once. */
  private readonly consts: Num[] = [];
  private readonly numConst = new Map<number, number>();
  private negZero = NONE;
  private readonly objConst = new Map<object, number>();
  // CSE: two tables of (equation id, hash) pairs, open addressing (id -1 = empty); see `findSlot`.
  private readonly near: Int32Array;
  private far: Int32Array | undefined = undefined;
  private slotTable: Int32Array;
  private readonly mask: number;
  private readonly srcKeys: ArrayLike<number>;
  private readonly srcStart: ArrayLike<number>;
  private readonly srcArgs: ArrayLike<number>;
  private readonly inputKey: number;
  private ops: number[] = [];
  private nOps = 0;
  /** The primitive (and its key) of the equation being added, after rewrites. */
  private prim: Primitive = INPUT;
  private key = 0;

  constructor(private readonly src: Graph) {
    const n = src.size;
    this.keys = new Ints(n);
    this.start = new Ints(n + 1);
    this.start.push(0);
    this.args = new Ints(src.args.length);
    this.origin = new Ints(n);
    let cap = 64;
    while (cap < n * 2) cap *= 2;
    this.near = emptyTable(cap);
    this.slotTable = this.near;
    this.mask = cap - 1;
    this.srcKeys = src.primIds.data;
    this.srcStart = src.argStart.data;
    this.srcArgs = src.args.data;
    this.inputKey = INPUT.id;
  }

  /** Adds source variable `i` (its operands already added): returns the operand holding its value. */
  add(i: number, rep: Int32Array): number {
    const key = this.srcKeys[i]!;
    if (key === this.inputKey) return this.addInput(i);
    this.readOperands(i, rep);
    if (key === SLOT.id) {
      // An output of the primitive with several outputs just added: never shared, never folded.
      this.prim = SLOT;
      this.key = key;
      return this.equation(undefined, i);
    }
    const src = this.src;
    this.prim = key >= 0 ? primitiveById(key) : src.unlisted[~key]!;
    this.key = key;
    const params = src.params.size > 0 ? src.params.get(i) : undefined;
    if (params !== undefined) return this.equation(params, i);
    const result = this.rewrite();
    return result !== NONE ? result : this.equationCse(i);
  }

  private addInput(source: number): number {
    const id = this.keys.length;
    this.keys.push(this.inputKey);
    this.start.push(this.args.length);
    this.origin.push(source);
    this.inputVars.push(id);
    return id;
  }

  /** The operands of source equation `i`, as operands of the new graph, into `ops`. */
  private readOperands(i: number, rep: Int32Array): void {
    const s = this.srcStart[i]!;
    const e = this.srcStart[i + 1]!;
    const ops = this.ops;
    for (let j = s; j < e; j++) {
      const r = this.srcArgs[j]!;
      ops[j - s] = r >= 0 ? rep[r]! : this.constOf(this.src.constant(r));
    }
    this.nOps = e - s;
  }

  /**
   * Folds or simplifies the equation in `prim`/`ops`: returns the operand holding its value, or
   * NONE with `prim`/`ops` the (possibly cheaper) equation to add.
   */
  private rewrite(): number {
    // A rewrite may enable another (add(x, neg(y)) → sub(x, y) → …); a few rounds suffice.
    for (let round = 0; round < 4; round++) {
      if (this.prim.builtin && this.allNumeric()) return this.fold();
      const s = this.simplify();
      if (s === undefined) return NONE;
      if (typeof s === "number") return s;
      this.prim = s.prim;
      this.key = s.prim.id;
      for (let j = 0; j < s.ops.length; j++) this.ops[j] = s.ops[j]!;
      this.nOps = s.ops.length;
    }
    return NONE;
  }

  /** Constant folding: the value of a built-in on numeric constants (a NaN stays an equation under NaN checks). */
  private fold(): number {
    const xs = new Array<number>(this.nOps);
    for (let j = 0; j < this.nOps; j++) xs[j] = this.consts[~this.ops[j]!] as number;
    const v = applyImpl(this.prim, xs);
    return this.src.checkNans && v !== v ? NONE : this.constOf(v);
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
  private num(r: number): number | undefined {
    if (r >= 0) return undefined;
    const c = this.consts[~r]!;
    return typeof c === "number" ? c : undefined;
  }

  private allNumeric(): boolean {
    for (let j = 0; j < this.nOps; j++) if (this.num(this.ops[j]!) === undefined) return false;
    return true;
  }

  /** Whether operand `r` is a variable defined by `neg`. */
  private isNeg(r: number): boolean {
    return r >= 0 && this.keys.data[r] === NEG.id;
  }

  /** First operand of the equation defining variable `v`. */
  private arg0(v: number): number {
    return this.args.data[this.start.data[v]!]!;
  }

  /**
   * A value-and-derivative-preserving rewrite of `prim(ops)`: an operand that already holds the
   * result, a cheaper equation, or undefined.
   */
  private simplify(): number | { readonly prim: Primitive; readonly ops: readonly number[] } | undefined {
    const ops = this.ops;
    const nOps = this.nOps;
    const x = ops[0]!;
    const y = ops[1]!;
    const cx = nOps > 0 ? this.num(x) : undefined;
    const cy = nOps > 1 ? this.num(y) : undefined;
    switch (this.prim) {
      case NEG:
        if (this.isNeg(x)) return this.arg0(x); // -(-x) = x
        return undefined;
      case ADD:
        if (cy === 0) return x; // x + 0 (may turn -0 into +0: documented)
        if (cx === 0) return y;
        if (this.isNeg(y)) return { prim: SUB, ops: [x, this.arg0(y)] }; // x + (-y) = x - y
        if (this.isNeg(x)) return { prim: SUB, ops: [y, this.arg0(x)] };
        return undefined;
      case SUB:
        if (cy === 0) return x; // x - 0 (exact for -0 too)
        if (cx === 0 && !Object.is(cx, -0)) return { prim: NEG, ops: [y] }; // 0 - y (sign of zero only)
        if (this.isNeg(y)) return { prim: ADD, ops: [x, this.arg0(y)] }; // x - (-y) = x + y
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
        if (cy === 0) return this.constOf(0); // a zero local gradient absorbs anything
        // A finite nonzero local gradient: c·d differs from scale only in the sign of a zero c.
        if (cy !== undefined && Number.isFinite(cy)) return { prim: MUL, ops: [x, y] };
        return undefined;
      case WHERE: {
        const z = ops[2]!;
        if (cx !== undefined) return cx !== 0 && cx === cx ? y : z;
        if (y === z) return y;
        return undefined;
      }
      case SUM:
        return this.simplifySum();
      default:
        return undefined;
    }
  }

  /** `sum` without its zero terms. */
  private simplifySum(): number | { readonly prim: Primitive; readonly ops: readonly number[] } | undefined {
    const rest: number[] = [];
    for (let j = 0; j < this.nOps; j++) if (this.num(this.ops[j]!) !== 0) rest.push(this.ops[j]!);
    if (rest.length === this.nOps) {
      if (this.nOps === 1) return this.ops[0]!; // 0 + x (sign of a zero only)
      return undefined;
    }
    if (rest.length === 0) return this.constOf(0);
    if (rest.length === 1) return rest[0]!;
    return { prim: SUM, ops: rest };
  }

  /** Appends the equation in `prim`/`ops`; returns its variable. */
  private equation(params: unknown, source: number): number {
    const id = this.keys.length;
    this.keys.push(this.key);
    for (let j = 0; j < this.nOps; j++) this.args.push(this.ops[j]!);
    this.start.push(this.args.length);
    if (params !== undefined) this.params.set(id, params);
    const width = this.src.widths.get(source);
    if (width !== undefined) this.widths.set(id, width);
    this.origin.push(source);
    return id;
  }

  /** Appends the equation in `prim`/`ops` unless an equal one exists; returns the variable holding its value. */
  private equationCse(source: number): number {
    const ops = this.ops;
    const nOps = this.nOps;
    const key = this.key;
    const commutative = nOps === 2 && (key === ADD.id || key === MUL.id || key === EQ.id);
    const swap = commutative && ops[0]! > ops[1]!;
    if (swap) {
      // Either order is the same equation: hash and look up the sorted pair.
      const t = ops[0]!;
      ops[0] = ops[1]!;
      ops[1] = t;
    }
    let h = Math.imul(key + 1, 0x9e3779b1) ^ nOps;
    let latest = -1; // the latest variable among the operands
    for (let j = 0; j < nOps; j++) {
      const r = ops[j]!;
      if (r > latest) latest = r;
      h = Math.imul(h ^ r, 0x85ebca6b);
      h ^= h >>> 13;
    }
    const slot = this.findSlot(h, latest, key, commutative);
    const table = this.slotTable;
    if (table[2 * slot]! >= 0) return table[2 * slot]!;
    if (swap) {
      // Stored in the order written.
      const t = ops[0]!;
      ops[0] = ops[1]!;
      ops[1] = t;
    }
    const id = this.equation(undefined, source);
    table[2 * slot] = id;
    table[2 * slot + 1] = h;
    return id;
  }

  /**
   * The slot of the equation equal to the one in `ops` (hash `h`), or the empty slot where it
   * goes, in `near` or `far` (left in `slotTable`). First a few slots of `near` next to
   * `2 · latest` (the latest variable operand): an equation's operands were mostly computed
   * just before it, so successive lookups stay in the same part of the table and in the
   * processor's cache, where slots all over a table of millions of entries would each cost a
   * cache miss. When those slots are full (a value read by many equations), the search goes on
   * in `far` from `h` alone — a separate table, so that a crowded stretch of `near` never makes
   * those searches long. Entries are never removed, so a later lookup of an equal equation takes
   * the same path and finds it. Each table has room for twice the source's equations: it never fills.
   */
  private findSlot(h: number, latest: number, key: number, commutative: boolean): number {
    const mask = this.mask;
    if (latest >= 0) {
      const near = this.near;
      let slot = (2 * latest + (h & 7)) & mask;
      for (let probe = 0; probe < NEAR_PROBES; probe++) {
        const e = near[2 * slot]!;
        if (e < 0 || (near[2 * slot + 1] === h && this.keys.data[e] === key && this.sameOperands(e, commutative))) {
          this.slotTable = near;
          return slot;
        }
        slot = (slot + 1) & mask;
      }
    }
    const far = (this.far ??= emptyTable(mask + 1));
    this.slotTable = far;
    let slot = h & mask;
    for (;;) {
      const e = far[2 * slot]!;
      if (e < 0 || (far[2 * slot + 1] === h && this.keys.data[e] === key && this.sameOperands(e, commutative))) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Whether equation `e` has the operands `ops` (a commutative pair: in either order). */
  private sameOperands(e: number, commutative: boolean): boolean {
    const s = this.start.data[e]!;
    const len = this.start.data[e + 1]! - s;
    if (len !== this.nOps) return false;
    const args = this.args.data;
    const ops = this.ops;
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

  /** Dead-code elimination: the variables the outputs need (and the inputs). */
  liveVariables(outputs: readonly number[]): Uint8Array {
    const n = this.keys.length;
    const start = this.start.data;
    const args = this.args.data;
    const live = new Uint8Array(n);
    for (const r of outputs) if (r >= 0) live[r] = 1;
    for (const v of this.inputVars) live[v] = 1;
    const keys = this.keys.data;
    let slotLive = false; // a primitive with several outputs is live when one of its outputs is
    for (let i = n - 1; i >= 0; i--) {
      if (keys[i] === SLOT.id) {
        if (live[i] === 1) slotLive = true;
        continue;
      }
      if (slotLive) {
        live[i] = 1;
        slotLive = false;
      }
      if (live[i] === 0) continue;
      for (let j = start[i]!; j < start[i + 1]!; j++) {
        const r = args[j]!;
        if (r >= 0) live[r] = 1;
      }
    }
    return live;
  }

  /** The live equations (all when `live` is undefined), renumbered into a fresh {@link Graph}. */
  renumber(outputs: readonly number[], live: Uint8Array | undefined): Optimized {
    const src = this.src;
    const n = this.keys.length;
    const start = this.start.data;
    const args = this.args.data;
    const keys = this.keys.data;
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
      if (live !== undefined && live[i] === 0) continue;
      const key = keys[i]!;
      if (key === SLOT.id) continue; // made with its head
      if (key === this.inputKey) {
        newId[i] = g.addInput(src.inputPaths[k++] ?? "");
      } else {
        for (let j = start[i]!; j < start[i + 1]!; j++) {
          const r = args[j]!;
          if (r >= 0) g.pushVar(newId[r]!);
          else g.args.push(mapConst(r));
        }
        const p = key >= 0 ? primitiveById(key) : src.unlisted[~key]!;
        const params = this.params.size === 0 ? undefined : this.params.get(i);
        const width = this.widths.get(i);
        if (width === undefined) newId[i] = g.finish(p, params);
        else {
          // A loop: outputs nobody reads (a scan's ys) are not computed at all when it can drop them.
          const pruned = live === undefined ? undefined : p.multi!.prune?.(params, live.subarray(i, i + width));
          const keep = pruned?.keep ?? Array.from({ length: width }, (_, k) => k);
          const head = g.finishMulti(p, pruned === undefined ? params : pruned.params, keep.length);
          keep.forEach((k, j) => {
            newId[i + k] = head + j;
            origin.push(this.origin.data[i + k]!);
          });
          continue;
        }
      }
      origin.push(this.origin.data[i]!);
    }
    g.outputs = outputs.map((r) => (r >= 0 ? newId[r]! : mapConst(r)));
    g.outputDef = src.outputDef;
    g.checkNans = src.checkNans;
    return { graph: g, origin: origin.data.slice(0, origin.length) };
  }
}
