/**
 * The other control-flow primitives: `whileLoop` (a loop whose step count is known only when it
 * runs), `cond` (one of several branches) and `checkpoint` (a function whose intermediates
 * reverse mode recomputes instead of storing). Each carries its sub-graphs as parameters and
 * states its rules with itself or `scan`, so that every transform works at every order.
 */
import { ChainruleError } from "../errors.js";
import { jvpFlat } from "../core/forward.js";
import { nanWatch } from "../core/eval.js";
import { ConcretizationError } from "../errors.js";
import { toNumber, type Num } from "../core/num.js";
import { multiPrimitive, type Primitive } from "../core/primitive.js";
import type { Graph } from "../core/graph.js";
import { vjpFlat, type Linearized } from "../core/reverse.js";
import { bindMulti } from "../core/trace.js";
import { backwardParams, SCAN, ScanParams } from "./scan.js";
import { tooManySteps } from "./spec.js";
import { deriveBody, inIteration, split, type SubGraph, zeros } from "./subgraph.js";

/** Whether a predicate value selects "true": nonzero and not NaN, as `where`. */
export function isTrue(p: number): boolean {
  return p !== 0 && p === p;
}

function showWhile(P: WhileParams): { details: string; bodies: { name: string; graph: Graph }[] } {
  return {
    details: `consts ${P.nConsts}, carry ${P.nCarry}${P.maxSteps === undefined ? "" : `, maxSteps ${P.maxSteps}`}`,
    bodies: [
      { name: "cond (consts, carry) → go on", graph: P.cond.graph },
      { name: "body (consts, carry) → carry", graph: P.body.graph },
    ],
  };
}

// ---- whileLoop -----------------------------------------------------------------------------------

/** The parameters of one whileLoop application: `(consts, init) → carry`. */
export class WhileParams {
  jvpOf: WhileParams | undefined = undefined;
  /** The body as a scan body (`[consts, i, carry] → [carry']`), made on first use. */
  private asScanBody: SubGraph | undefined = undefined;

  constructor(
    /** `[consts, carry] → [pred]`. */
    readonly cond: SubGraph,
    /** `[consts, carry] → carry'`. */
    readonly body: SubGraph,
    readonly nConsts: number,
    readonly nCarry: number,
    readonly maxSteps: number | undefined,
    readonly name: string,
  ) {}

  /** The loop as a scan of `steps` steps of the body (what reverse mode differentiates). */
  scanOf(steps: number): ScanParams {
    const { nConsts: nC, nCarry: nK } = this;
    this.asScanBody ??= deriveBody(
      nC + 1 + nK,
      (ins) => {
        const [c, , k] = split(ins, [nC, 1, nK]);
        return this.body.run([...c!, ...k!]);
      },
      this.name,
    );
    return new ScanParams(this.asScanBody, nC, nK, 0, 0, steps, false, undefined, this.name);
  }
}

/** Runs a whileLoop on numbers; `carries` (if given) receives the carry entering every step. */
function runWhile(xs: readonly number[], P: WhileParams, carries?: number[]): { carry: Float64Array; steps: number } {
  const { nConsts: nC, nCarry: nK } = P;
  const ins = new Float64Array(nC + nK);
  for (let j = 0; j < nC + nK; j++) ins[j] = xs[j]!;
  const pred = [0];
  const out = new Float64Array(nK);
  const watch = nanWatch.hook !== undefined;
  let steps = 0;
  for (;;) {
    P.cond.runNumbers(ins, pred);
    if (!isTrue(pred[0]!)) break;
    if (P.maxSteps !== undefined && steps >= P.maxSteps) {
      throw tooManySteps(P.maxSteps);
    }
    if (carries !== undefined) for (let j = 0; j < nK; j++) carries.push(ins[nC + j]!);
    if (watch) inIteration(P.name, steps, () => P.body.runNumbers(ins, out));
    else P.body.runNumbers(ins, out);
    for (let j = 0; j < nK; j++) ins[nC + j] = out[j]!;
    steps++;
  }
  return { carry: ins.subarray(nC), steps };
}

/** The numbers `xs` stand for at the bottom of the stack of transforms, or undefined when abstract (staged). */
function concreteValues(xs: readonly Num[]): number[] | undefined {
  const out = new Array<number>(xs.length);
  try {
    for (let i = 0; i < xs.length; i++) out[i] = toNumber(xs[i]!);
  } catch (e) {
    if (e instanceof ConcretizationError) return undefined;
    throw e;
  }
  return out;
}

function whileJvpParams(P: WhileParams): WhileParams {
  if (P.jvpOf !== undefined) return P.jvpOf;
  const { nConsts: nC, nCarry: nK } = P;
  const cond = deriveBody(
    2 * nC + 2 * nK,
    (ins) => {
      const [c, , k] = split(ins, [nC, nC, nK]);
      return P.cond.run([...c!, ...k!]);
    },
    P.name,
  );
  const body = deriveBody(
    2 * nC + 2 * nK,
    (ins) => {
      const [c, cD, k, kD] = split(ins, [nC, nC, nK, nK]);
      const r = jvpFlat((p) => ({ outputs: P.body.run(p) }), [...c!, ...k!], [...cD!, ...kD!], P.name);
      return [...r.outputs, ...r.tangents];
    },
    P.name,
  );
  return (P.jvpOf = new WhileParams(cond, body, 2 * nC, 2 * nK, P.maxSteps, P.name));
}

/**
 * The whileLoop primitive. Forward mode is a whileLoop over (carry, tangent). Reverse mode on
 * concrete values counts the steps and differentiates a scan of that many steps (every order
 * works); on abstract values (under jit) the backward half is one `whileBackward` application,
 * which stores the carries of the steps it takes when it runs.
 */
export const WHILE: Primitive = multiPrimitive("whileLoop", {
  show: (P) => showWhile(P as WhileParams),
  outputCount: (P) => (P as WhileParams).nCarry,
  evaluate: (xs, P) => Array.from(runWhile(xs, P as WhileParams).carry),
  jvp(xs, ts, params) {
    const P = params as WhileParams;
    if (ts.every((t) => t === 0)) return { outputs: bindMulti(WHILE, xs, P), tangents: zeros(P.nCarry) };
    const { nConsts: nC } = P;
    const outs = bindMulti(WHILE, [...xs.slice(0, nC), ...ts.slice(0, nC), ...xs.slice(nC), ...ts.slice(nC)], whileJvpParams(P));
    return { outputs: outs.slice(0, P.nCarry), tangents: outs.slice(P.nCarry) };
  },
  vjpForward(xs, params) {
    const P = params as WhileParams;
    const values = concreteValues(xs);
    if (values === undefined) return { outputs: bindMulti(WHILE, xs, P), residuals: undefined };
    const { steps } = runWhile(values, P);
    const S = P.scanOf(steps);
    const lin = vjpFlat((ins) => ({ outputs: bindMulti(SCAN, ins, S) }), xs, P.name);
    return { outputs: lin.outputs, residuals: lin };
  },
  vjpBackward(xs, residuals, cts, params) {
    if (residuals !== undefined) return (residuals as Linearized).pullback(cts);
    return bindMulti(WHILE_BACKWARD, [...xs, ...cts], params);
  },
});

/** The carries-and-steps backward pass of a whileLoop on numbers: `(consts, init, ct carry) → (ct consts, ct init)`. */
function whileBackwardOnNumbers(xs: readonly number[], P: WhileParams): number[] {
  const { nConsts: nC, nCarry: nK } = P;
  const carries: number[] = [];
  const { steps } = runWhile(xs, P, carries);
  const B = backwardParams(P.scanOf(0)).body; // [c, i, ctK, acc, kIn] → [ctKPrev, acc']
  const ins = new Float64Array(nC + 1 + nK + nC + nK);
  for (let j = 0; j < nC; j++) ins[j] = xs[j]!;
  for (let j = 0; j < nK; j++) ins[nC + 1 + j] = xs[nC + nK + j]!;
  const out = new Float64Array(nK + nC);
  for (let t = steps - 1; t >= 0; t--) {
    ins[nC] = t;
    for (let j = 0; j < nK; j++) ins[nC + 1 + nK + nC + j] = carries[t * nK + j]!;
    B.runNumbers(ins, out);
    for (let j = 0; j < nK + nC; j++) ins[nC + 1 + j] = out[j]!;
  }
  const result = new Array<number>(nC + nK);
  for (let j = 0; j < nC; j++) result[j] = ins[nC + 1 + nK + j]!;
  for (let j = 0; j < nK; j++) result[nC + j] = ins[nC + 1 + j]!;
  return result;
}

/** Higher orders through `whileBackward` need the step count, so concrete values. */
function whileBackwardRule(xs: readonly Num[], P: WhileParams): { values: number[]; S: ScanParams } {
  const values = concreteValues(xs.slice(0, P.nConsts + P.nCarry));
  if (values === undefined) {
    throw new ChainruleError(
      `${P.name}: a derivative of order 2 or more through a whileLoop needs concrete values, but under jit they are abstract: ` +
        "use foriLoop or scan with a fixed number of steps, or leave jit out for this derivative",
    );
  }
  return { values, S: P.scanOf(runWhile(values, P).steps) };
}

/** `(consts, init, ct carry) → (ct consts, ct init)` of a scan: its derivatives at higher orders. */
function scanBackwardOf(ins: readonly Num[], S: ScanParams): Num[] {
  const n = S.nConsts + S.nCarry;
  const lin = vjpFlat((p) => ({ outputs: bindMulti(SCAN, p, S) }), ins.slice(0, n), S.name);
  return lin.pullback(ins.slice(n));
}

/** The backward half of a whileLoop whose step count is known only when it runs (under jit). */
export const WHILE_BACKWARD: Primitive = multiPrimitive("whileBackward", {
  show: (P) => showWhile(P as WhileParams),
  outputCount: (P) => (P as WhileParams).nConsts + (P as WhileParams).nCarry,
  evaluate: (xs, P) => whileBackwardOnNumbers(xs, P as WhileParams),
  jvp(xs, ts, params) {
    const { S } = whileBackwardRule(xs, params as WhileParams);
    const r = jvpFlat((ins) => ({ outputs: scanBackwardOf(ins, S) }), xs, ts, S.name);
    return { outputs: r.outputs, tangents: r.tangents };
  },
  vjpForward(xs, params) {
    const { S } = whileBackwardRule(xs, params as WhileParams);
    const lin = vjpFlat((ins) => ({ outputs: scanBackwardOf(ins, S) }), xs, S.name);
    return { outputs: lin.outputs, residuals: lin };
  },
  vjpBackward: (_xs, residuals, cts) => (residuals as Linearized).pullback(cts),
});

// ---- cond / switchCase ---------------------------------------------------------------------------

/** The parameters of one cond application: `(index, consts, operands) → outputs`. */
export class CondParams {
  jvpOf: CondParams | undefined = undefined;
  vjpOf: CondParams | undefined = undefined;

  constructor(
    /** Each `[consts, operands] → outputs`. */
    readonly branches: readonly SubGraph[],
    readonly nConsts: number,
    readonly nOperands: number,
    readonly nOutputs: number,
    readonly name: string,
  ) {}
}

/** The branch an index selects: rounded toward zero and clamped to the branches (NaN: the first). */
export function branchIndex(index: number, count: number): number {
  const k = Math.trunc(index);
  return k >= count ? count - 1 : k > 0 ? k : 0;
}

function condJvpParams(P: CondParams): CondParams {
  const { nConsts: nC, nOperands: nO } = P;
  P.jvpOf ??= new CondParams(
    P.branches.map((b) =>
      deriveBody(
        2 * nC + 2 * nO,
        (ins) => {
          const [c, cD, o, oD] = split(ins, [nC, nC, nO, nO]);
          const r = jvpFlat((p) => ({ outputs: b.run(p) }), [...c!, ...o!], [...cD!, ...oD!], P.name);
          return [...r.outputs, ...r.tangents];
        },
        P.name,
      ),
    ),
    2 * nC,
    2 * nO,
    2 * P.nOutputs,
    P.name,
  );
  return P.jvpOf;
}

function condVjpParams(P: CondParams): CondParams {
  const { nConsts: nC, nOperands: nO, nOutputs: nOut } = P;
  P.vjpOf ??= new CondParams(
    P.branches.map((b) =>
      deriveBody(
        nC + nO + nOut,
        (ins) => {
          const [c, o, ct] = split(ins, [nC, nO, nOut]);
          return vjpFlat((p) => ({ outputs: b.run(p) }), [...c!, ...o!], P.name).pullback(ct!);
        },
        P.name,
      ),
    ),
    nC,
    nO + nOut,
    nC + nO,
    P.name,
  );
  return P.vjpOf;
}

/**
 * The cond primitive: only the selected branch runs, at every order — its jvp is a cond of the
 * branches' jvps, its vjp a cond of their vjps, selected by the same index — so a NaN or an
 * infinity in a branch that is not taken never reaches a value or a gradient.
 */
export const COND: Primitive = multiPrimitive("cond", {
  show: (params) => {
    const P = params as CondParams;
    return {
      details: `consts ${P.nConsts}, operands ${P.nOperands}`,
      bodies: P.branches.map((b, k) => ({ name: `branch ${k} (consts, operands) → outputs`, graph: b.graph })),
    };
  },
  outputCount: (P) => (P as CondParams).nOutputs,
  evaluate(xs, params) {
    const P = params as CondParams;
    const out = new Array<number>(P.nOutputs);
    P.branches[branchIndex(xs[0]!, P.branches.length)]!.runNumbers(xs.slice(1), out);
    return out;
  },
  jvp(xs, ts, params) {
    const P = params as CondParams;
    if (ts.every((t) => t === 0)) return { outputs: bindMulti(COND, xs, P), tangents: zeros(P.nOutputs) };
    const { nConsts: nC } = P;
    const outs = bindMulti(COND, [xs[0]!, ...xs.slice(1, 1 + nC), ...ts.slice(1, 1 + nC), ...xs.slice(1 + nC), ...ts.slice(1 + nC)], condJvpParams(P));
    return { outputs: outs.slice(0, P.nOutputs), tangents: outs.slice(P.nOutputs) };
  },
  vjpForward: (xs, P) => ({ outputs: bindMulti(COND, xs, P), residuals: undefined }),
  vjpBackward(xs, _residuals, cts, params) {
    const P = params as CondParams;
    return [0, ...bindMulti(COND, [...xs, ...cts], condVjpParams(P))];
  },
});

// ---- checkpoint ----------------------------------------------------------------------------------

/** The parameters of one checkpoint application: `(consts, args) → outputs`. */
export class RematParams {
  jvpOf: RematParams | undefined = undefined;
  vjpOf: RematParams | undefined = undefined;

  constructor(
    readonly body: SubGraph,
    readonly nInputs: number,
    readonly nOutputs: number,
    readonly name: string,
  ) {}
}

/**
 * The checkpoint primitive (JAX's `remat`): under reverse mode it keeps no intermediate value;
 * its backward half runs the body's vjp, which computes the body again.
 */
export const REMAT: Primitive = multiPrimitive("checkpoint", {
  show: (P) => ({ details: "", bodies: [{ name: "body", graph: (P as RematParams).body.graph }] }),
  outputCount: (P) => (P as RematParams).nOutputs,
  evaluate(xs, params) {
    const P = params as RematParams;
    const out = new Array<number>(P.nOutputs);
    P.body.runNumbers(xs, out);
    return out;
  },
  jvp(xs, ts, params) {
    const P = params as RematParams;
    const n = P.nInputs;
    P.jvpOf ??= new RematParams(
      deriveBody(
        2 * n,
        (ins) => {
          const r = jvpFlat((p) => ({ outputs: P.body.run(p) }), ins.slice(0, n), ins.slice(n), P.name);
          return [...r.outputs, ...r.tangents];
        },
        P.name,
      ),
      2 * n,
      2 * P.nOutputs,
      P.name,
    );
    const outs = bindMulti(REMAT, [...xs, ...ts], P.jvpOf);
    return { outputs: outs.slice(0, P.nOutputs), tangents: outs.slice(P.nOutputs) };
  },
  vjpForward: (xs, P) => ({ outputs: bindMulti(REMAT, xs, P), residuals: undefined }),
  vjpBackward(xs, _residuals, cts, params) {
    const P = params as RematParams;
    const n = P.nInputs;
    P.vjpOf ??= new RematParams(
      deriveBody(n + P.nOutputs, (ins) => vjpFlat((p) => ({ outputs: P.body.run(p) }), ins.slice(0, n), P.name).pullback(ins.slice(n)), P.name),
      n + P.nOutputs,
      n,
      P.name,
    );
    return bindMulti(REMAT, [...xs, ...cts], P.vjpOf);
  },
});
