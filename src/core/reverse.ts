/**
 * Reverse mode, the whole interpreter: the trace that records a tape while the function runs,
 * the backward pass over that tape, and `vjpFlat`, the flat worker every reverse-mode
 * transform (`grad`, `valueAndGrad`, `vjp`, `jacrev`, `explain`) calls.
 *
 * Forward: `ReverseTrace` runs the function once, computing every value one level down
 * (concrete numbers at the bottom, values of an enclosing transform otherwise) while appending
 * each primitive application to a graph — the tape.
 *
 * Backward — the lecture notes' lesson as code: walk the tape from the output back to the
 * inputs; each equation multiplies the cotangent arriving at its output (the upstream
 * gradient) by its local gradient to get its inputs' cotangents (the chain rule), and where a
 * value fans out the contributions are summed. It is one loop over the equations in reverse
 * order — no recursion — so a tape of a million operations needs no deep stack. The
 * arithmetic goes through chainrule's ops on the values one level down, so an enclosing
 * transform records it and can differentiate it again.
 */
import { Graph } from "./graph.js";
import { evalPrimitive, evalPrimitive1, evalPrimitive2, inRuleOf, nanWatch } from "./eval.js";
import { Tracer, TRACER_KEY, type Num } from "./num.js";
import { accumulate, addProduct, partialsOf, times } from "./rules.js";
import { ValueStore } from "./values.js";
import { ALL_PARTIALS, primitiveById, type Primitive } from "./primitive.js";
import { bind, bindBinary, bindUnary, Trace, withNewTrace } from "./trace.js";
import { auxBelow, primalBelow } from "./lower.js";

// ---- the flat worker ---------------------------------------------------------------------------

/** What a flat function returns: its output leaves, and optionally data to pass back beside them. */
export interface FlatOutput {
  readonly outputs: readonly Num[];
  /** Auxiliary data (`hasAux`): returned with its `Num` leaves lowered one level. */
  readonly aux?: unknown;
}

/** The result of {@link vjpFlat}: the outputs one level down, and the pullback. */
export interface Linearized {
  /** The output leaves, one level down (numbers at the bottom). */
  readonly outputs: Num[];
  /** The flat function's aux, lowered one level (undefined without one). */
  readonly aux: unknown;
  /**
   * The input cotangents (one per input leaf, in order) for output cotangents `cts` (one per
   * output leaf; 0 for none). May be called any number of times until {@link Linearized.release}.
   */
  pullback(cts: readonly Num[]): Num[];
  /** The cotangent of every tape variable (inputs and equations) for output cotangents `cts`. */
  cotangentsOfAll(cts: readonly Num[]): Num[];
  /** Gives the tape's storage back for reuse; the pullback must not be called afterwards. */
  release(): void;
  /** The tape, with every variable's value (for `explain`, which prints it annotated). */
  readonly tape: Graph;
  readonly values: ValueStore;
  /** The tape variable of each output leaf (`-1`: the output does not depend on the inputs). */
  readonly outputIds: readonly number[];
}

/**
 * Reverse mode over flat lists of leaves — what every reverse-mode transform calls once it has
 * flattened its arguments. Opens a reverse trace, runs `f` on one traced input per leaf of
 * `primals` (with values `primals`), and returns its outputs one level down with the pullback.
 * `transform` names the transform in messages; `inputPaths` (optional) names each input leaf in
 * a printed tape.
 */
export function vjpFlat(
  f: (inputs: Num[]) => FlatOutput,
  primals: readonly Num[],
  transform: string,
  inputPaths?: readonly string[],
): Linearized {
  const { trace, outputs, outputIds, aux } = withNewTrace(
    (level) => new ReverseTrace(level, transform),
    (trace) => {
      const inputs = new Array<Num>(primals.length);
      for (let i = 0; i < primals.length; i++) inputs[i] = trace.input(primals[i]!, inputPaths?.[i]);
      const r = f(inputs);
      const outs = r.outputs;
      const outputs = new Array<Num>(outs.length);
      const outputIds = new Array<number>(outs.length);
      for (let k = 0; k < outs.length; k++) {
        const y = outs[k]!;
        outputs[k] = primalBelow(y, trace);
        outputIds[k] = typeof y !== "number" && y._trace === trace ? (y as ReverseTracer)._id : -1;
      }
      return { trace, outputs, outputIds, aux: r.aux === undefined ? undefined : auxBelow(r.aux, trace, `${transform}: aux`) };
    },
  );
  const g = trace.graph;
  const n = primals.length;
  const backwardFrom = (cts: readonly Num[]): ValueStore => {
    const ct = new ValueStore(g.size);
    let any = false;
    for (let k = 0; k < outputIds.length; k++) {
      const id = outputIds[k]!;
      const c = cts[k]!;
      if (id >= 0 && c !== 0) {
        ct.set(id, accumulate(ct.get(id), c));
        any = true;
      }
    }
    if (any) backward(g, trace.vals, ct, trace.residuals);
    return ct;
  };
  return {
    outputs,
    aux,
    tape: g,
    values: trace.vals,
    outputIds,
    pullback(cts: readonly Num[]): Num[] {
      const ct = backwardFrom(cts);
      // Input leaf i is tape variable i: inputs are added first.
      const out = new Array<Num>(n);
      for (let i = 0; i < n; i++) out[i] = ct.get(i);
      ct.release();
      return out;
    },
    cotangentsOfAll(cts: readonly Num[]): Num[] {
      return backwardFrom(cts).toArray();
    },
    release(): void {
      g.release();
      trace.vals.release();
    },
  };
}

// ---- the trace: recording the tape ---------------------------------------------------------------

/** A value recorded by a {@link ReverseTrace}: variable `_id` of its tape, with value `_v` one level down. */
export class ReverseTracer extends Tracer {
  constructor(
    readonly _trace: ReverseTrace,
    readonly _id: number,
    /** The value one level down (kept here too, so the hot path reads it without the store). */
    readonly _v: Num,
  ) {
    super(TRACER_KEY);
  }
}

/** The trace of one reverse-mode application: a graph (the tape) and the value of each variable. */
export class ReverseTrace extends Trace {
  readonly graph = new Graph();
  /** Value of each variable, one level down. */
  readonly vals = new ValueStore();

  /** A new input variable with value `v`. */
  input(v: Num, path = ""): ReverseTracer {
    const id = this.graph.addInput(path);
    this.vals.push(v);
    return new ReverseTracer(this, id, v);
  }

  process(prim: Primitive, args: readonly Num[], params: unknown): Num {
    const n = args.length;
    const primals = new Array<Num>(n);
    let concrete = true;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      const p = typeof a !== "number" && a._trace === this ? (a as ReverseTracer)._v : a;
      primals[i] = p;
      if (typeof p !== "number") concrete = false;
    }
    // One level down: plain numbers at the bottom (the common case), else the enclosing trace.
    const out = concrete ? evalPrimitive(prim, primals as number[], params) : bind(prim, primals, params);
    // Zero-gradient primitives (comparisons, rounding, stopGradient) are constants to us.
    if (prim.rule === "zero") return out;
    const g = this.graph;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) g.pushVar((a as ReverseTracer)._id);
      else g.pushConst(a);
    }
    this.vals.push(out);
    return new ReverseTracer(this, g.finish(prim, params), out);
  }

  // processUnary/processBinary: the same as `process`, without arrays, for the common arities.
  override processUnary(prim: Primitive, x: Num): Num {
    const px = (x as ReverseTracer)._v; // x is ours: it is the only input
    const out = typeof px === "number" ? evalPrimitive1(prim, px) : bindUnary(prim, px);
    if (prim.rule === "zero") return out;
    this.vals.push(out);
    return new ReverseTracer(this, this.graph.addUnary(prim, (x as ReverseTracer)._id), out);
  }

  override processBinary(prim: Primitive, x: Num, y: Num): Num {
    const xOurs = typeof x !== "number" && x._trace === this;
    const yOurs = typeof y !== "number" && y._trace === this;
    const px = xOurs ? (x as ReverseTracer)._v : x;
    const py = yOurs ? (y as ReverseTracer)._v : y;
    const out =
      typeof px === "number" && typeof py === "number" ? evalPrimitive2(prim, px, py) : bindBinary(prim, px, py);
    if (prim.rule === "zero") return out;
    const g = this.graph;
    const a = xOurs ? (x as ReverseTracer)._id : g.constRef(x);
    const b = yOurs ? (y as ReverseTracer)._id : g.constRef(y);
    this.vals.push(out);
    return new ReverseTracer(this, g.addBinary(prim, a, b), out);
  }

  /** What the backward half of each primitive with several outputs needs, by its equation. */
  readonly residuals = new Map<number, unknown>();

  processMulti(prim: Primitive, args: readonly Num[], params: unknown): Num[] {
    const n = args.length;
    const primals = new Array<Num>(n);
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      primals[i] = typeof a !== "number" && a._trace === this ? (a as ReverseTracer)._v : a;
    }
    const { outputs, residuals } = prim.multi!.vjpForward(primals, params);
    const g = this.graph;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) g.pushVar((a as ReverseTracer)._id);
      else g.pushConst(a);
    }
    const head = g.finishMulti(prim, params, outputs.length);
    this.residuals.set(head, residuals);
    const out = new Array<Num>(outputs.length);
    for (let k = 0; k < outputs.length; k++) {
      this.vals.push(outputs[k]!);
      out[k] = new ReverseTracer(this, head + k, outputs[k]!);
    }
    return out;
  }

  primalOf(t: Tracer): Num {
    return (t as ReverseTracer)._v;
  }
}

// ---- the backward pass ---------------------------------------------------------------------------

/**
 * Propagates cotangents backward through `g`. `ct[i]` holds the cotangent of variable `i`
 * (0 for none) and is updated in place; `vals[i]` is the value of variable `i`.
 */
export function backward(g: Graph, vals: ValueStore, ct: ValueStore, residuals?: ReadonlyMap<number, unknown>): void {
  const rest = nanWatch.hook === undefined ? backwardOnNumbers(g, vals, ct) : g.size - 1;
  if (rest >= 0) backwardFrom(g, vals, ct, rest, residuals);
}

/**
 * The backward pass of an eager first-order gradient, where every value, constant and
 * cotangent is a plain number: the same steps as {@link backwardFrom}, reading and writing the
 * number arrays directly. It hands over (returns the equation to continue from) as soon as a
 * rule gives something other than numbers — values of an enclosing transform — and does
 * nothing under `debugNans` (whose checks live in the general loop). Returns -1 when done.
 */
function backwardOnNumbers(g: Graph, vals: ValueStore, ct: ValueStore): number {
  const v = vals.numbers();
  const c = ct.numbers();
  const k = g.consts.numbers();
  if (v === undefined || c === undefined || k === undefined) return g.size - 1;
  const primIds = g.primIds.data;
  const argStart = g.argStart.data;
  const args = g.args.data;
  const hasParams = g.params.size > 0;
  const scratch1: Num[] = [0];
  const scratch2: Num[] = [0, 0];
  const outer = nanWatch.rule;
  try {
    const multi = g.widths.size > 0;
    for (let i = g.size - 1; i >= 0; i--) {
      if (multi && g.widths.has(i)) return i; // several outputs: the general loop's business
      const ci = c[i]!;
      if (ci === 0) continue;
      const p = primAt(g, primIds[i]!);
      const s = argStart[i]!;
      const n = argStart[i + 1]! - s;
      const pn = p.partialNum;
      if (pn !== undefined) {
        // Most equations: a built-in with one or two inputs, its partials one number at a time,
        // with no arrays and no rule running (so no mark for debugNans, which never gets here).
        const r0 = args[s]!;
        const x = r0 >= 0 ? v[r0]! : k[~r0]!;
        if (n === 1) {
          const d = pn(0, x, 0, v[i]!);
          if (r0 >= 0 && d !== 0) c[r0] = c[r0]! + ci * d;
          continue;
        }
        const r1 = args[s + 1]!;
        const y = r1 >= 0 ? v[r1]! : k[~r1]!;
        if (r0 >= 0) {
          const d = pn(0, x, y, v[i]!);
          if (d !== 0) c[r0] = c[r0]! + ci * d;
        }
        if (r1 >= 0) {
          const d = pn(1, x, y, v[i]!);
          if (d !== 0) c[r1] = c[r1]! + ci * d;
        }
        continue;
      }
      const rule = p.rule;
      if (rule === "zero") continue;
      nanWatch.rule = p;
      // Built-in rules read their operands and keep nothing: one array per arity serves them all.
      const xs: Num[] = p.builtin && n <= 2 ? (n === 1 ? scratch1 : scratch2) : new Array<Num>(n);
      let needed = 0;
      for (let j = 0; j < n; j++) {
        const r = args[s + j]!;
        if (r >= 0) {
          xs[j] = v[r]!;
          if (j < 31) needed |= 1 << j;
        } else {
          xs[j] = k[~r]!;
        }
      }
      if (n > 31) needed = ALL_PARTIALS;
      const params = hasParams ? g.params.get(i) : undefined;
      if (rule.vjp === undefined) {
        const d = (rule.partials ?? partialsOf(p))(xs, v[i]!, params, needed);
        for (let j = 0; j < d.length; j++) if (typeof d[j] !== "number" && args[s + j]! >= 0) return i;
        for (let j = 0; j < d.length; j++) {
          const r = args[s + j]!;
          const dj = d[j] as number;
          if (r >= 0 && dj !== 0) c[r] = c[r]! + ci * dj; // as addProduct: a zero factor contributes exactly 0
        }
      } else {
        const cts = rule.vjp(xs, v[i]!, ci, params);
        for (let j = 0; j < cts.length; j++) if (typeof cts[j] !== "number" && args[s + j]! >= 0) return i;
        for (let j = 0; j < cts.length; j++) {
          const r = args[s + j]!;
          const cj = cts[j] as number;
          if (r >= 0 && cj !== 0) c[r] = c[r]! + cj; // as the general loop: an exact 0 is "none"
        }
      }
    }
  } finally {
    nanWatch.rule = outer;
  }
  return -1;
}

/** The general backward pass over equations `from` down to 0 (any values, and `debugNans`'s checks). */
function backwardFrom(g: Graph, vals: ValueStore, ct: ValueStore, from: number, residuals?: ReadonlyMap<number, unknown>): void {
  const primIds = g.primIds.data;
  const argStart = g.argStart.data;
  const args = g.args.data;
  const hasParams = g.params.size > 0;
  // Built-in rules read their operands and keep nothing, so one array per arity serves them all.
  const scratch1: Num[] = [0];
  const scratch2: Num[] = [0, 0];
  // Under debugNans only: 1 for each variable some product sent a cotangent to.
  const touched = nanWatch.hook === undefined ? undefined : new Uint8Array(g.size);
  const pass: Pass = { g, vals, argStart, args, hasParams, touched };
  // For debugNans, the mark says whose rule runs (see inRuleOf); one try/finally around the whole
  // loop restores it, also when a rule throws, without a call and a try per equation. The loop
  // body stays inline: it is the hot path of every eager gradient.
  const outer = nanWatch.rule;
  try {
    for (let i = from; i >= 0; i--) {
      const c = ct.get(i);
      if (g.widths.size > 0 && g.widths.has(i)) {
        backwardMulti(pass, ct, i, residuals);
        continue;
      }
      if (c === 0) {
        // A zero cotangent contributes zero. Under debugNans, one that some product made (not
        // "none") is checked against the local gradient it absorbs.
        if (touched !== undefined && touched[i] === 1) checkAbsorbed(pass, i, primAt(g, primIds[i]!));
        continue;
      }
      const p = primAt(g, primIds[i]!);
      const rule = p.rule;
      if (rule === "zero") continue; // inputs, and constants to differentiation
      nanWatch.rule = p; // what runs now is p's rule
      const s = argStart[i]!;
      const n = argStart[i + 1]! - s;
      let xs: Num[];
      if (p.builtin && n <= 2) {
        xs = n === 1 ? scratch1 : scratch2;
        for (let j = 0; j < n; j++) {
          const r = args[s + j]!;
          xs[j] = r >= 0 ? vals.get(r) : g.constant(r);
        }
      } else {
        xs = g.operands(i, vals);
      }
      const params = hasParams ? g.params.get(i) : undefined;
      if (rule.vjp === undefined) {
        // The local-gradient rule: each input's cotangent is upstream × local gradient.
        const d = (rule.partials ?? partialsOf(p))(xs, vals.get(i), params, neededOf(args, s, n));
        for (let j = 0; j < d.length; j++) {
          const r = args[s + j]!;
          if (r < 0) continue; // constants take no gradient
          ct.set(r, addProduct(ct.get(r), c, d[j]!));
          if (touched !== undefined) touched[r] = 1;
        }
      } else {
        const cts = rule.vjp(xs, vals.get(i), c, params);
        for (let j = 0; j < cts.length; j++) {
          const r = args[s + j]!;
          if (r < 0 || cts[j] === 0) continue; // a vjp rule's exact 0 is "none" (where's other branch)
          accumulateAt(ct, r, cts[j]!);
          if (touched !== undefined) touched[r] = 1;
        }
      }
    }
  } finally {
    nanWatch.rule = outer;
  }
}

/**
 * The backward step of equation `i`, a primitive with several outputs (variables `i ..`): its
 * rule maps the outputs' cotangents to the inputs'.
 */
function backwardMulti(pass: Pass, ct: ValueStore, i: number, residuals: ReadonlyMap<number, unknown> | undefined): void {
  const { g, vals, args, argStart } = pass;
  const width = g.widths.get(i)!;
  const cts = new Array<Num>(width);
  let any = false;
  for (let k = 0; k < width; k++) {
    cts[k] = ct.get(i + k);
    if (cts[k] !== 0) any = true;
  }
  if (!any) return;
  const p = g.prim(i);
  nanWatch.rule = p;
  const xs = g.operands(i, vals);
  const inCts = p.multi!.vjpBackward(xs, residuals?.get(i), cts, pass.hasParams ? g.params.get(i) : undefined);
  const s = argStart[i]!;
  for (let j = 0; j < inCts.length; j++) {
    const r = args[s + j]!;
    if (r < 0 || inCts[j] === 0) continue;
    accumulateAt(ct, r, inCts[j]!);
    if (pass.touched !== undefined) pass.touched[r] = 1;
  }
}

/**
 * Under debugNans: equation `i` received cotangents that summed to exactly 0. A zero cotangent
 * absorbs any local gradient, but where that gradient is ±Infinity or NaN the true product was
 * not 0 (typically an overflow upstream, `0 · ∞`): the hook reports it, inside p's rule. Its
 * inputs receive that zero in turn, so they are checked too.
 */
function checkAbsorbed(pass: Pass, i: number, p: Primitive): void {
  if (p.rule === "zero") return;
  inRuleOf(p, localGradientCheck, pass, i, undefined, undefined);
  for (let j = pass.argStart[i]!; j < pass.argStart[i + 1]!; j++) {
    const r = pass.args[j]!;
    if (r >= 0) pass.touched![r] = 1;
  }
}

function localGradientCheck(p: Primitive, pass: Pass, i: number): void {
  const { g, vals, args, argStart } = pass;
  const s = argStart[i]!;
  const n = argStart[i + 1]! - s;
  const d = partialsOf(p)(g.operands(i, vals), vals.get(i), pass.hasParams ? g.params.get(i) : undefined, neededOf(args, s, n));
  for (let j = 0; j < d.length; j++) {
    const dj = d[j]!;
    if (args[s + j]! >= 0 && typeof dj === "number") times(0, dj); // reports 0 · ±∞ or NaN
  }
}

/** The `needed` bits of a rule call: the operands (from `s`, `n` of them) that are variables. */
function neededOf(args: ArrayLike<number>, s: number, n: number): number {
  if (n > 31) return ALL_PARTIALS;
  let needed = 0;
  for (let j = 0; j < n; j++) if (args[s + j]! >= 0) needed |= 1 << j;
  return needed;
}

/** The primitive of an equation from its id: custom functions' primitives are listed per graph (see Graph.prim). */
function primAt(g: Graph, id: number): Primitive {
  return id >= 0 ? primitiveById(id) : g.unlisted[~id]!;
}

/** What the debugNans checks of one backward pass share. */
interface Pass {
  readonly g: Graph;
  readonly vals: ValueStore;
  readonly argStart: ArrayLike<number>;
  readonly args: ArrayLike<number>;
  readonly hasParams: boolean;
  /** Under debugNans only: 1 for each variable some product sent a cotangent to. */
  readonly touched: Uint8Array | undefined;
}

/** Adds `c` to the cotangent of variable `r` (summing where a value fans out). */
function accumulateAt(ct: ValueStore, r: number, c: Num): void {
  if (c !== 0) ct.set(r, accumulate(ct.get(r), c));
}
