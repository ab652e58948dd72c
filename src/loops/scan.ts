/**
 * `scan`, the loop primitive every loop is made of (`foriLoop` is a scan without xs; a
 * `whileLoop` becomes one under reverse mode once its step count is known).
 *
 * One application: `scan(consts…, init…, xs…) → (carry…, ys…)`, all flat leaves. The body
 * (a {@link SubGraph}) maps `[consts, i, carry, x]` to `[carry', y]`, where `i` is the index
 * of the element being processed. Its rules, each a scan again (so every order works):
 *
 *   jvp:  a scan of the body's jvp, over (carry, carry tangent) and (x, x tangent).
 *   vjp:  forward — a scan whose ys also hold the carry entering each step (the residuals);
 *         backward — a scan in the opposite direction of the body's vjp, carrying the carry's
 *         cotangent and the constants' cotangents summed so far, producing the xs' cotangents.
 *   With `checkpoint: { snapshots: k }` the forward half keeps nothing and the backward half is
 *   one `scanCheckpointed` application, which on numbers runs binomial checkpointing
 *   (Griewank and Walther's revolve): at most k carries stored, the rest recomputed.
 */
import { ChainruleError, ConcretizationError } from "../errors.js";
import { jvpFlat } from "../core/forward.js";
import { nanWatch } from "../core/eval.js";
import { toNumber, type Num } from "../core/num.js";
import { multiPrimitive, type Primitive } from "../core/primitive.js";
import type { Graph } from "../core/graph.js";
import { vjpFlat, type Linearized } from "../core/reverse.js";
import { bindMulti } from "../core/trace.js";
import { add } from "../primitives/arithmetic.js";
import { closeOver, deriveBody, inIteration, split, SubGraph, zeros, type ScanKernel } from "./subgraph.js";

/** The parameters of one scan application. */
export class ScanParams {
  /** Derived scans, made on first use. */
  jvpOf: ScanParams | undefined = undefined;
  withCarries: ScanParams | undefined = undefined;
  backwardOf: ScanParams | undefined = undefined;
  noYs: ScanParams | undefined = undefined;
  /** The same scan, leaving its carries in {@link ScanParams.mailbox} when it runs on numbers (see `storing`). */
  storingOf: ScanParams | undefined = undefined;
  /**
   * Set on a storing scan (and shared with the same scan without its ys, which the optimiser may
   * put in its place): the carries of its last run on numbers, with the inputs they came from.
   */
  mailbox: { current: { readonly inputs: readonly number[]; readonly carries: Float64Array } | undefined } | undefined = undefined;

  constructor(
    /** `[consts, i, carry, x] → [carry', y]`. */
    readonly body: SubGraph,
    readonly nConsts: number,
    readonly nCarry: number,
    readonly nX: number,
    readonly nY: number,
    readonly length: number,
    readonly reverse: boolean,
    /** `checkpoint: { snapshots }`; undefined stores every carry. */
    readonly snapshots: number | undefined,
    /** The user-facing name, for messages (`scan`, `foriLoop`, `whileLoop`). */
    readonly name: string,
  ) {}

  /** The number of inputs of an application: consts, init, xs. */
  get inputCount(): number {
    return this.nConsts + this.nCarry + this.length * this.nX;
  }

  /** The number of outputs: the final carry and the ys. */
  get outputCount(): number {
    return this.nCarry + this.length * this.nY;
  }
}

// ---- evaluation on numbers ---------------------------------------------------------------------

/**
 * The generated loop of `P`'s body with its memory holding the consts and the initial carry
 * (read from the scan's inputs `xs`), or undefined when the body is interpreted (debugNans).
 */
function loadedKernel(P: ScanParams, xs: ArrayLike<number>): { readonly m: Float64Array; readonly kernel: ScanKernel } | undefined {
  const { nConsts: nC, nCarry: nK } = P;
  const st = P.body.stepper();
  const kernel = st === undefined ? undefined : P.body.scanKernel(nC, nK, P.nX, P.nY);
  if (st === undefined || kernel === undefined) return undefined;
  const m = st.m;
  for (let j = 0; j < nC; j++) m[j] = xs[j]!;
  for (let j = 0; j < nK; j++) m[nC + 1 + j] = xs[nC + j]!;
  return { m, kernel };
}

/** Runs a scan on numbers; returns `[carry, ys]` flat. */
function evaluateScan(xs: readonly number[], P: ScanParams): number[] {
  if (P.mailbox !== undefined && nanWatch.hook === undefined) {
    const { outputs, carries } = forwardOnNumbers(xs, P);
    P.mailbox.current = { inputs: xs.slice(0, P.inputCount), carries };
    return outputs;
  }
  const { nConsts: nC, nCarry: nK, nX, nY, length: T } = P;
  const result = new Array<number>(nK + T * nY);
  const xs0 = nC + nK;
  const k = loadedKernel(P, xs);
  if (k !== undefined) {
    const { m, kernel } = k;
    kernel(m, xs, xs0, result, null, 0, 0, T, T, P.reverse);
    for (let j = 0; j < nK; j++) result[j] = m[nC + 1 + j]!;
    return result;
  }
  const st = P.body.stepper(); // no generated loop (several chunks, very wide): one call per step
  if (st !== undefined) {
    // The hot loop: inputs written straight into the compiled body's memory, outputs read from it.
    const { m, out } = st;
    const run = st.run;
    for (let j = 0; j < nC; j++) m[j] = xs[j]!;
    for (let j = 0; j < nK; j++) m[nC + 1 + j] = xs[nC + j]!;
    const carry = new Float64Array(nK); // outputs may alias inputs: read them all before writing
    for (let s = 0; s < T; s++) {
      const t = P.reverse ? T - 1 - s : s;
      m[nC] = t;
      for (let j = 0; j < nX; j++) m[nC + 1 + nK + j] = xs[xs0 + t * nX + j]!;
      run(m);
      for (let j = 0; j < nY; j++) result[nK + t * nY + j] = m[out[nK + j]!]!;
      if (nK === 1) m[nC + 1] = m[out[0]!]!;
      else {
        for (let j = 0; j < nK; j++) carry[j] = m[out[j]!]!;
        for (let j = 0; j < nK; j++) m[nC + 1 + j] = carry[j]!;
      }
    }
    for (let j = 0; j < nK; j++) result[j] = m[nC + 1 + j]!;
    return result;
  }
  // Interpreted, one step at a time (debugNans names the iteration where NaN appeared).
  const ins = new Float64Array(nC + 1 + nK + nX);
  for (let j = 0; j < nC + nK; j++) ins[j < nC ? j : j + 1] = xs[j]!;
  const outs = new Float64Array(nK + nY);
  for (let s = 0; s < T; s++) {
    const t = P.reverse ? T - 1 - s : s;
    ins[nC] = t;
    for (let j = 0; j < nX; j++) ins[nC + 1 + nK + j] = xs[xs0 + t * nX + j]!;
    inIteration(P.name, t, () => P.body.runNumbers(ins, outs));
    for (let j = 0; j < nK; j++) ins[nC + 1 + j] = outs[j]!;
    for (let j = 0; j < nY; j++) result[nK + t * nY + j] = outs[nK + j]!;
  }
  for (let j = 0; j < nK; j++) result[j] = ins[nC + 1 + j]!;
  return result;
}

// ---- derived scans -------------------------------------------------------------------------------

/** The scan of the body's jvp: consts, carry and x each followed by their tangents. */
function jvpParams(P: ScanParams): ScanParams {
  if (P.jvpOf !== undefined) return P.jvpOf;
  const { nConsts: nC, nCarry: nK, nX, nY } = P;
  const body = deriveBody(
    2 * nC + 1 + 2 * nK + 2 * nX,
    (ins) => {
      const [c, cD, i, k, kD, x, xD] = split(ins, [nC, nC, 1, nK, nK, nX, nX]);
      const r = jvpFlat((p) => ({ outputs: P.body.run(p) }), [...c!, ...i!, ...k!, ...x!], [...cD!, 0, ...kD!, ...xD!], P.name);
      const [k2, y] = split(r.outputs, [nK, nY]);
      const [k2D, yD] = split(r.tangents, [nK, nY]);
      return [...k2!, ...k2D!, ...y!, ...yD!];
    },
    P.name,
  );
  return (P.jvpOf = new ScanParams(body, 2 * nC, 2 * nK, 2 * nX, 2 * nY, P.length, P.reverse, P.snapshots, P.name));
}

/** The same scan without its ys (when nothing reads them). */
function withoutYs(P: ScanParams): ScanParams {
  if (P.noYs !== undefined) return P.noYs;
  const copy = closeOver(P.body.graph, [], P.name);
  copy.graph.outputs = copy.graph.outputs.slice(0, P.nCarry);
  P.noYs = new ScanParams(copy, P.nConsts, P.nCarry, P.nX, 0, P.length, P.reverse, P.snapshots, P.name);
  P.noYs.mailbox = P.mailbox; // a storing scan stays one without its ys
  return P.noYs;
}

/** The same scan with the carry entering each step as extra ys (the residuals of reverse mode). */
function withCarriesParams(P: ScanParams): ScanParams {
  if (P.withCarries !== undefined) return P.withCarries;
  const copy = closeOver(P.body.graph, [], P.name);
  const g = copy.graph;
  for (let j = 0; j < P.nCarry; j++) g.outputs.push(g.inputs[P.nConsts + 1 + j]!);
  return (P.withCarries = new ScanParams(copy, P.nConsts, P.nCarry, P.nX, P.nY + P.nCarry, P.length, P.reverse, undefined, P.name));
}

/**
 * The backward scan: runs in the opposite direction over `[carry entering step t, x_t, ct of
 * y_t]`, carrying `[ct of the carry, ct of the consts so far]`, producing the ct of each x_t.
 */
export function backwardParams(P: ScanParams): ScanParams {
  if (P.backwardOf !== undefined) return P.backwardOf;
  const { nConsts: nC, nCarry: nK, nX, nY } = P;
  const body = deriveBody(
    nC + 1 + nK + nC + nK + nX + nY,
    (ins) => {
      const [c, i, ctK, acc, kIn, x, ctY] = split(ins, [nC, 1, nK, nC, nK, nX, nY]);
      const lin = vjpFlat((p) => ({ outputs: P.body.run(p) }), [...c!, ...i!, ...kIn!, ...x!], P.name);
      const [ctC, , ctKIn, ctX] = split(lin.pullback([...ctK!, ...ctY!]), [nC, 1, nK, nX]);
      return [...ctKIn!, ...acc!.map((a, j) => accumulate(a, ctC![j]!)), ...ctX!];
    },
    P.name,
  );
  return (P.backwardOf = new ScanParams(body, nC, nK + nC, nK + nX + nY, nX, P.length, !P.reverse, undefined, P.name));
}

function accumulate(a: Num, b: Num): Num {
  return a === 0 ? b : b === 0 ? a : add(a, b);
}

/** How a scan shows in a printed graph: its sizes, and its body once. */
function showScan(P: ScanParams): { details: string; bodies: { name: string; graph: Graph }[] } {
  const parts = [`length ${P.length}`, `consts ${P.nConsts}`, `carry ${P.nCarry}`, `x ${P.nX}`, `y ${P.nY}`];
  if (P.reverse) parts.push("reverse");
  if (P.snapshots !== undefined) parts.push(`snapshots ${P.snapshots}`);
  return { details: parts.join(", "), bodies: [{ name: "body (consts, i, carry, x) → (carry, y)", graph: P.body.graph }] };
}

// ---- the rules -----------------------------------------------------------------------------------

function scanJvp(xs: readonly Num[], ts: readonly Num[], P: ScanParams): { outputs: Num[]; tangents: Num[] } {
  if (ts.every((t) => t === 0)) return { outputs: bindMulti(SCAN, xs, P), tangents: zeros(P.outputCount) };
  const { nConsts: nC, nCarry: nK, nX, nY, length: T } = P;
  const J = jvpParams(P);
  const operands: Num[] = [...xs.slice(0, nC), ...ts.slice(0, nC), ...xs.slice(nC, nC + nK), ...ts.slice(nC, nC + nK)];
  const xs0 = nC + nK;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < nX; j++) operands.push(xs[xs0 + t * nX + j]!);
    for (let j = 0; j < nX; j++) operands.push(ts[xs0 + t * nX + j]!);
  }
  const outs = bindMulti(SCAN, operands, J);
  const outputs = outs.slice(0, nK);
  const tangents = outs.slice(nK, 2 * nK);
  for (let t = 0; t < T; t++) {
    const base = 2 * nK + t * 2 * nY;
    for (let j = 0; j < nY; j++) outputs.push(outs[base + j]!);
    for (let j = 0; j < nY; j++) tangents.push(outs[base + nY + j]!);
  }
  return { outputs, tangents };
}

function allNumbers(xs: readonly Num[]): boolean {
  for (const x of xs) if (typeof x !== "number") return false;
  return true;
}

/** Whether every value has a number at the bottom of the stack of transforms (none is staged). */
function isConcrete(xs: readonly Num[]): boolean {
  for (const x of xs) {
    if (typeof x === "number") continue;
    try {
      toNumber(x);
    } catch (e) {
      if (e instanceof ConcretizationError) return false;
      throw e;
    }
  }
  return true;
}

/** Reverse mode, storing every carry: the outputs, and the carry entering each step by element. */
function forwardStoringCarries(xs: readonly Num[], P: ScanParams): { outputs: Num[]; residuals: Num[] } {
  const { nCarry: nK, nY, length: T } = P;
  const outs = bindMulti(SCAN, xs, withCarriesParams(P));
  const outputs = outs.slice(0, nK);
  const carries: Num[] = [];
  const w = nY + nK;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < nY; j++) outputs.push(outs[nK + t * w + j]!);
    for (let j = 0; j < nK; j++) carries.push(outs[nK + t * w + nY + j]!);
  }
  return { outputs, residuals: carries };
}

/** Reverse mode's backward half from stored carries: `[ct consts, ct init, ct xs]`. */
function backwardFromCarries(xs: readonly Num[], carries: readonly Num[], cts: readonly Num[], P: ScanParams): Num[] {
  const { nConsts: nC, nCarry: nK, nX, nY, length: T } = P;
  const B = backwardParams(P);
  const operands: Num[] = [...xs.slice(0, nC), ...cts.slice(0, nK), ...zeros(nC)];
  const xs0 = nC + nK;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < nK; j++) operands.push(carries[t * nK + j]!);
    for (let j = 0; j < nX; j++) operands.push(xs[xs0 + t * nX + j]!);
    for (let j = 0; j < nY; j++) operands.push(cts[nK + t * nY + j]!);
  }
  const outs = bindMulti(SCAN, operands, B); // [ct init, ct consts, ct xs]
  return [...outs.slice(nK, nK + nC), ...outs.slice(0, nK), ...outs.slice(nK + nC)];
}

/** The scan primitive. */
export const SCAN: Primitive = multiPrimitive("scan", {
  outputCount: (P) => (P as ScanParams).outputCount,
  prune(params, live) {
    const P = params as ScanParams;
    for (let k = P.nCarry; k < live.length; k++) if (live[k] === 1) return undefined;
    if (P.nY === 0) return undefined;
    return { params: withoutYs(P), keep: Array.from({ length: P.nCarry }, (_, k) => k) };
  },
  code: (params) => {
    const P = params as ScanParams;
    return P.body.scanKernelSource(P.nConsts, P.nCarry, P.nX, P.nY);
  },
  show: (P) => showScan(P as ScanParams),
  evaluate: (xs, P) => evaluateScan(xs, P as ScanParams),
  jvp: (xs, ts, P) => scanJvp(xs, ts, P as ScanParams),
  vjpForward(xs, params) {
    const P = params as ScanParams;
    // Concrete values (eager): keep the carries as values (enclosing transforms see them: every
    // order works). Abstract ones (under jit): keeping them would put one graph variable per
    // step in the staged graph, so the backward half recomputes them when it runs instead.
    if (P.snapshots === undefined && allNumbers(xs)) {
      // Plain numbers (eager, first order): one generated loop gives the outputs and stores the
      // carries as numbers, which the backward half reads.
      const { outputs, carries } = forwardOnNumbers(xs as readonly number[], P);
      return { outputs, residuals: new StoredCarries(carries) };
    }
    if (P.snapshots === undefined && isConcrete(xs)) return forwardStoringCarries(xs, P);
    if (P.snapshots === undefined) {
      // Abstract values (under jit): the compiled forward loop leaves its carries in a mailbox
      // that the compiled backward half takes them from when its inputs are the same numbers
      // (else it recomputes them): one graph equation each, whatever the number of steps.
      const S = storing(P);
      return { outputs: bindMulti(SCAN, xs, S), residuals: S };
    }
    // Checkpointing: nothing kept; the backward half recomputes k carries at a time (revolve).
    return { outputs: bindMulti(SCAN, xs, P), residuals: undefined };
  },
  vjpBackward(xs, residuals, cts, params) {
    const P = params as ScanParams;
    if (residuals instanceof StoredCarries) {
      const all = [...xs, ...cts];
      if (allNumbers(all)) return backwardOverCarries(all as number[], residuals.carries, P);
      return bindMulti(SCAN_CHECKPOINTED, all, P); // traced cotangents (forward over reverse): recompute with ops
    }
    if (residuals instanceof ScanParams) return bindMulti(SCAN_CHECKPOINTED, [...xs, ...cts], residuals);
    if (residuals !== undefined) return backwardFromCarries(xs, residuals as Num[], cts, P);
    return bindMulti(SCAN_CHECKPOINTED, [...xs, ...cts], P);
  },
});

// ---- checkpointed backward pass ------------------------------------------------------------------

/**
 * The backward half of a checkpointed scan as one primitive: `(consts, init, xs, ct carry, ct ys)
 * → (ct consts, ct init, ct xs)`. On numbers it runs revolve; its own derivatives (higher orders)
 * are those of the same computation written with stored carries.
 */
export const SCAN_CHECKPOINTED: Primitive = multiPrimitive("scanCheckpointed", {
  code: (params) => {
    const P = params as ScanParams;
    const B = backwardParams(P);
    const f = P.body.scanKernelSource(P.nConsts, P.nCarry, P.nX, P.nY);
    const b = B.body.scanKernelSource(B.nConsts, B.nCarry, B.nX, B.nY);
    return f === undefined || b === undefined ? undefined : `// forward, storing the carries\n${f}\n// backward\n${b}`;
  },
  show: (P) => showScan(P as ScanParams),
  outputCount: (params) => {
    const P = params as ScanParams;
    return P.nConsts + P.nCarry + P.length * P.nX;
  },
  evaluate: (xs, P) => revolve(xs, P as ScanParams),
  jvp(xs, ts, params) {
    const P = params as ScanParams;
    const r = jvpFlat((ins) => ({ outputs: storedBackward(ins, P) }), xs, ts, P.name);
    return { outputs: r.outputs, tangents: r.tangents };
  },
  vjpForward(xs, params) {
    const P = params as ScanParams;
    const lin = vjpFlat((ins) => ({ outputs: storedBackward(ins, P) }), xs, P.name);
    return { outputs: lin.outputs, residuals: lin };
  },
  vjpBackward: (_xs, residuals, cts) => (residuals as Linearized).pullback(cts),
});

/** `scanCheckpointed`'s value computed with stored carries (what its derivatives differentiate). */
function storedBackward(ins: readonly Num[], P: ScanParams): Num[] {
  const n = P.inputCount;
  const xs = ins.slice(0, n);
  const { residuals } = forwardStoringCarries(xs, P);
  return backwardFromCarries(xs, residuals, ins.slice(n), P);
}

/** The storing form of `P` (see {@link ScanParams.mailbox}). */
function storing(P: ScanParams): ScanParams {
  if (P.storingOf === undefined) {
    const S = new ScanParams(P.body, P.nConsts, P.nCarry, P.nX, P.nY, P.length, P.reverse, undefined, P.name);
    S.mailbox = { current: undefined };
    P.storingOf = S;
  }
  return P.storingOf;
}

/** Whether `a` is, number for number (NaN equal to NaN, 0 apart from -0), the start of `b`. */
function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The carries a scan on numbers stored for its backward half (`T·nK` numbers, by element). */
class StoredCarries {
  constructor(readonly carries: Float64Array) {}
}

/** A scan on numbers giving its outputs and the carry entering each step (one generated loop when it can). */
function forwardOnNumbers(xs: readonly number[], P: ScanParams): { outputs: number[]; carries: Float64Array } {
  const { nConsts: nC, nCarry: nK, nY, length: T } = P;
  const k = loadedKernel(P, xs);
  if (k !== undefined) {
    const { m, kernel } = k;
    const outputs = new Array<number>(nK + T * nY);
    const carries = new Float64Array(T * nK);
    kernel(m, xs, nC + nK, outputs, carries, 0, 0, T, T, P.reverse);
    for (let j = 0; j < nK; j++) outputs[j] = m[nC + 1 + j]!;
    return { outputs, carries };
  }
  const outs = evaluateScan(xs, withCarriesParams(P));
  const outputs = outs.slice(0, nK);
  const carries = new Float64Array(T * nK);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < nY; j++) outputs.push(outs[nK + t * (nY + nK) + j]!);
    for (let j = 0; j < nK; j++) carries[t * nK + j] = outs[nK + t * (nY + nK) + nY + j]!;
  }
  return { outputs, carries };
}

/** The carry entering each step of a scan on numbers, by element: `T·nK` numbers. */
function forwardCarries(xs: readonly number[], P: ScanParams): Float64Array {
  const { nConsts: nC, nCarry: nK, nY, length: T } = P;
  const cs = new Float64Array(T * nK);
  const k = loadedKernel(P, xs);
  if (k !== undefined) {
    k.kernel(k.m, xs, nC + nK, null, cs, 0, 0, T, T, P.reverse);
    return cs;
  }
  const outs = evaluateScan(xs, withCarriesParams(P));
  for (let t = 0; t < T; t++) for (let j = 0; j < nK; j++) cs[t * nK + j] = outs[nK + t * (nY + nK) + nY + j]!;
  return cs;
}

/** @internal For tests: the most carries the last checkpointed backward pass kept alive at once. */
export const revolveStats = { peakCarries: 0 };

/** C(c + r, c), capped at `cap` (the step counts it is compared with). */
function beta(c: number, r: number, cap: number): number {
  let b = 1;
  for (let i = 1; i <= c; i++) {
    b = (b * (r + i)) / i;
    if (b >= cap) return cap;
  }
  return Math.round(b);
}

/**
 * The backward half on numbers from the carry entering every step (`carries`, by element):
 * `xsAll` is `[consts, init, xs, ct carry, ct ys]`; returns `[ct consts, ct init, ct xs]`.
 */
function backwardOverCarries(xsAll: readonly number[], carries: Float64Array, P: ScanParams): number[] {
  const { nConsts: nC, nCarry: nK, nX, nY, length: T } = P;
  const B = backwardParams(P);
  const xs0 = nC + nK;
  const ctYs0 = P.inputCount + nK;
  const st = B.body.stepper();
  const kernel = st === undefined ? undefined : B.body.scanKernel(B.nConsts, B.nCarry, B.nX, B.nY);
  if (st !== undefined && kernel !== undefined) {
    // One generated loop over [carry entering t, x_t, ct of y_t] by element (just the carries
    // when there are no xs and no ys), the backward carry [ct carry, ct consts] in its memory.
    const nXB = nK + nX + nY;
    let bx = carries;
    if (nX > 0 || nY > 0) {
      bx = new Float64Array(T * nXB);
      for (let t = 0; t < T; t++) {
        const o = t * nXB;
        for (let j = 0; j < nK; j++) bx[o + j] = carries[t * nK + j]!;
        for (let j = 0; j < nX; j++) bx[o + nK + j] = xsAll[xs0 + t * nX + j]!;
        for (let j = 0; j < nY; j++) bx[o + nK + nX + j] = xsAll[ctYs0 + t * nY + j]!;
      }
    }
    const m = st.m;
    for (let j = 0; j < nC; j++) m[j] = xsAll[j]!;
    for (let j = 0; j < nK; j++) m[nC + 1 + j] = xsAll[P.inputCount + j]!;
    for (let j = 0; j < nC; j++) m[nC + 1 + nK + j] = 0;
    const res = nX > 0 ? new Array<number>(B.nCarry + T * nX) : null;
    kernel(m, bx, 0, res, null, 0, 0, T, T, B.reverse);
    const r = new Array<number>(nC + nK + T * nX);
    for (let j = 0; j < nC; j++) r[j] = m[nC + 1 + nK + j]!;
    for (let j = 0; j < nK; j++) r[nC + j] = m[nC + 1 + j]!;
    if (res !== null) for (let j = 0; j < T * nX; j++) r[nC + nK + j] = res[B.nCarry + j]!;
    return r;
  }
  const operands = new Array<number>(nC + nK + nC + T * (nK + nX + nY));
  let o = 0;
  for (let j = 0; j < nC; j++) operands[o++] = xsAll[j]!;
  for (let j = 0; j < nK; j++) operands[o++] = xsAll[P.inputCount + j]!;
  for (let j = 0; j < nC; j++) operands[o++] = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < nK; j++) operands[o++] = carries[t * nK + j]!;
    for (let j = 0; j < nX; j++) operands[o++] = xsAll[xs0 + t * nX + j]!;
    for (let j = 0; j < nY; j++) operands[o++] = xsAll[ctYs0 + t * nY + j]!;
  }
  const outs = evaluateScan(operands, B); // [ct init, ct consts, ct xs]
  const r = new Array<number>(nC + nK + T * nX);
  for (let j = 0; j < nC; j++) r[j] = outs[nK + j]!;
  for (let j = 0; j < nK; j++) r[nC + j] = outs[j]!;
  for (let j = 0; j < T * nX; j++) r[nC + nK + j] = outs[nK + nC + j]!;
  return r;
}

/**
 * Binomial checkpointing on numbers. Steps are numbered in the order they run (`s`); a task
 * reverses steps `[s, e)` from the carry entering `s` with `free` snapshot slots: it advances to
 * a split point `m`, keeps the carry there, reverses `[m, e)` with one slot fewer, then `[s, m)`.
 * Where `r` is the least number of sweeps with C(free + r, free) ≥ e − s, the split puts
 * C(free + r − 1, free) steps on the left (Griewank and Walther): no step is computed more than r
 * times and at most `snapshots` carries are alive. An explicit stack: no recursion.
 */
function revolve(xsAll: readonly number[], P: ScanParams): number[] {
  const { nConsts: nC, nCarry: nK, nX, nY, length: T } = P;
  const B = backwardParams(P);
  const xs0 = nC + nK;
  const ctYs0 = P.inputCount + nK;
  const elem = (s: number): number => (P.reverse ? T - 1 - s : s);
  // Forward steps s .. e: carry (in place) → the carry entering step e, in one generated loop when there is one.
  const fSt = P.body.stepper();
  const fKernel = fSt === undefined ? undefined : P.body.scanKernel(nC, nK, nX, nY);
  const fIns = new Float64Array(nC + 1 + nK + nX);
  const fOut = new Float64Array(nK + nY);
  for (let j = 0; j < nC; j++) fIns[j] = xsAll[j]!;
  const advance = (carry: Float64Array, s: number, e: number): void => {
    if (fSt !== undefined && fKernel !== undefined) {
      const m = fSt.m;
      for (let j = 0; j < nC; j++) m[j] = xsAll[j]!;
      m.set(carry, nC + 1);
      fKernel(m, xsAll, xs0, null, null, 0, s, e, T, P.reverse);
      for (let j = 0; j < nK; j++) carry[j] = m[nC + 1 + j]!;
      return;
    }
    for (let u = s; u < e; u++) {
      const t = elem(u);
      fIns[nC] = t;
      fIns.set(carry, nC + 1);
      for (let j = 0; j < nX; j++) fIns[nC + 1 + nK + j] = xsAll[xs0 + t * nX + j]!;
      P.body.runNumbers(fIns, fOut);
      for (let j = 0; j < nK; j++) carry[j] = fOut[j]!;
    }
  };
  // Backward step s from the carry entering it: updates ctK (ct of the carry) and acc (ct of consts).
  const bIns = new Float64Array(nC + 1 + nK + nC + nK + nX + nY);
  const bOut = new Float64Array(nK + nC + nX);
  for (let j = 0; j < nC; j++) bIns[j] = xsAll[j]!;
  const ctK = new Float64Array(nK);
  for (let j = 0; j < nK; j++) ctK[j] = xsAll[P.inputCount + j]!;
  const acc = new Float64Array(nC);
  const ctXs = new Array<number>(T * nX).fill(0);
  const back = (kIn: Float64Array, s: number): void => {
    const t = elem(s);
    let o = nC;
    bIns[o++] = t;
    bIns.set(ctK, o);
    o += nK;
    bIns.set(acc, o);
    o += nC;
    bIns.set(kIn, o);
    o += nK;
    for (let j = 0; j < nX; j++) bIns[o++] = xsAll[xs0 + t * nX + j]!;
    for (let j = 0; j < nY; j++) bIns[o++] = xsAll[ctYs0 + t * nY + j]!;
    B.body.runNumbers(bIns, bOut);
    for (let j = 0; j < nK; j++) ctK[j] = bOut[j]!;
    for (let j = 0; j < nC; j++) acc[j] = bOut[nK + j]!;
    for (let j = 0; j < nX; j++) ctXs[t * nX + j] = bOut[nK + nC + j]!;
  };
  // Backward steps e − 1 … s in one generated loop (the backward scan's kernel over that stretch),
  // from the carries `cs` of its elements (indexed from element c0). False when there is no kernel.
  const bSt = B.body.stepper();
  const bKernel = bSt === undefined ? undefined : B.body.scanKernel(B.nConsts, B.nCarry, B.nX, B.nY);
  const nXB = nK + nX + nY;
  const bRes = bKernel === undefined || nX === 0 ? null : new Array<number>(B.nCarry + T * nX);
  let bxBuffer = new Float64Array(0);
  let csBuffer = new Float64Array(0);
  const backOverStretch = (cs: Float64Array, c0: number, s: number, e: number): boolean => {
    if (bSt === undefined || bKernel === undefined) return false;
    const n = e - s;
    if (bxBuffer.length < n * nXB) bxBuffer = new Float64Array(n * nXB);
    const bx = bxBuffer; // reused: a stretch is at most `snapshots` steps
    for (let k = 0; k < n; k++) {
      const t = c0 + k;
      for (let j = 0; j < nK; j++) bx[k * nXB + j] = cs[k * nK + j]!;
      for (let j = 0; j < nX; j++) bx[k * nXB + nK + j] = xsAll[xs0 + t * nX + j]!;
      for (let j = 0; j < nY; j++) bx[k * nXB + nK + nX + j] = xsAll[ctYs0 + t * nY + j]!;
    }
    const m = bSt.m;
    for (let j = 0; j < nC; j++) m[j] = xsAll[j]!;
    m.set(ctK, nC + 1);
    m.set(acc, nC + 1 + nK);
    bKernel(m, bx, -c0 * nXB, bRes, null, 0, T - e, T - s, T, B.reverse);
    for (let j = 0; j < nK; j++) ctK[j] = m[nC + 1 + j]!;
    for (let j = 0; j < nC; j++) acc[j] = m[nC + 1 + nK + j]!;
    if (bRes !== null) for (let k = 0; k < n; k++) for (let j = 0; j < nX; j++) ctXs[(c0 + k) * nX + j] = bRes[B.nCarry + (c0 + k) * nX + j]!;
    return true;
  };
  const init = new Float64Array(nK);
  for (let j = 0; j < nK; j++) init[j] = xsAll[nC + j]!;
  const collect = (): number[] => {
    const out = new Array<number>(nC + nK + T * nX);
    for (let j = 0; j < nC; j++) out[j] = acc[j]!;
    for (let j = 0; j < nK; j++) out[nC + j] = ctK[j]!;
    for (let j = 0; j < T * nX; j++) out[nC + nK + j] = ctXs[j]!;
    return out;
  };
  interface Task {
    readonly s: number;
    readonly e: number;
    readonly free: number;
    readonly carry: Float64Array;
  }
  // The carries the forward loop of the same compiled program left, if they are for these inputs.
  const mail = P.mailbox?.current;
  if (mail !== undefined) {
    P.mailbox!.current = undefined; // taken once: memory is not held longer than one run
    if (sameNumbers(mail.inputs, xsAll)) return backwardOverCarries(xsAll, mail.carries, P);
  }
  // Room for every carry: one forward sweep storing them, then the backward scan over them.
  if ((P.snapshots ?? T) >= T) return backwardOverCarries(xsAll, forwardCarries(xsAll, P), P);
  const slots = Math.max(0, Math.min(P.snapshots!, T) - 1); // the initial carry takes one
  const stack: Task[] = T > 0 ? [{ s: 0, e: T, free: slots, carry: init }] : [];
  const work = new Float64Array(nK);
  let peak = stack.length;
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    const { s, e, free, carry } = task;
    const n = e - s;
    // Carries alive: one per task still on the stack (a left task shares its parent's), this
    // task's, and a stretch's stored ones (n of them, the first being this task's).
    peak = Math.max(peak, stack.length + (free >= n - 1 ? n : 1));
    if (n === 1) {
      back(carry, s);
      continue;
    }
    if (free >= n - 1 && fSt !== undefined && fKernel !== undefined) {
      // Room for every carry of this stretch: one generated forward loop stores them, then back.
      const c0 = Math.min(elem(s), elem(e - 1));
      if (csBuffer.length < n * nK) csBuffer = new Float64Array(n * nK);
      const cs = csBuffer; // reused, as bx
      const m = fSt.m;
      for (let j = 0; j < nC; j++) m[j] = xsAll[j]!;
      m.set(carry, nC + 1);
      fKernel(m, xsAll, xs0, null, cs, c0, s, e, T, P.reverse);
      if (!backOverStretch(cs, c0, s, e)) {
        for (let u = e - 1; u >= s; u--) {
          const o = (elem(u) - c0) * nK;
          for (let j = 0; j < nK; j++) work[j] = cs[o + j]!;
          back(work, u);
        }
      }
      continue;
    }
    if (free === 0) {
      // No slot left: recompute from s for each step, last first.
      for (let t = e - 1; t >= s; t--) {
        work.set(carry);
        advance(work, s, t);
        back(work, t);
      }
      continue;
    }
    // r: the fewest sweeps over these steps that `free` slots allow (C(free + r, r) ≥ n). The
    // left part, advanced over once already, gets r − 1 sweeps and all the slots; the right part
    // one slot fewer and r sweeps: left ≤ C(free + r − 1, r − 1), right ≤ C(free − 1 + r, r).
    let r = 1;
    while (beta(free, r, n) < n) r++;
    const left = Math.max(1, Math.min(n - 1, beta(free, r - 1, n)));
    const m = s + left;
    const next = Float64Array.from(carry);
    advance(next, s, m);
    stack.push({ s, e: m, free, carry });
    stack.push({ s: m, e, free: free - 1, carry: next });
  }
  revolveStats.peakCarries = peak;
  return collect();
}

/** Refuses a checkpoint option that is not `"all"` or `{ snapshots: k }` with k a positive integer. */
export function readSnapshots(checkpoint: unknown, where: string): number | undefined {
  if (checkpoint === undefined || checkpoint === "all") return undefined;
  const k = typeof checkpoint === "object" && checkpoint !== null ? (checkpoint as { snapshots?: unknown }).snapshots : undefined;
  if (typeof k === "number" && Number.isInteger(k) && k >= 1) return k;
  throw new ChainruleError(`${where} must be "all" or { snapshots: k } with k a positive integer`);
}
