/**
 * PLACEHOLDER: the loops run as plain JavaScript loops that call the body once per step, so
 * every transform sees the unrolled operations. Values and derivatives are right (eager and
 * under `jit`), but a long loop records one copy of its body per step, `jit` traces and
 * compiles every step, `checkpoint` and `snapshots` save nothing, and `whileLoop` under `jit`
 * or `makeGraph` needs a condition that is known while tracing. The loop engine, which traces
 * each body once and keeps the loop in the graph, replaces this object in `impl.ts`.
 */
import { ConcretizationError } from "../errors.js";
import { toNumber, type Num } from "../core/num.js";
import { eq, where } from "../primitives/select.js";
import { tooManySteps, type FlatCheckpoint, type FlatScan, type FlatScanResult, type FlatSwitch, type FlatWhile, type LoopImpl } from "./spec.js";

const NO_LEAVES: readonly Num[] = Object.freeze([]);

/** The number `x` stands for, or undefined when it is abstract (inside `jit` or `makeGraph`). */
function concrete(x: Num): number | undefined {
  try {
    return toNumber(x);
  } catch (e) {
    if (e instanceof ConcretizationError) return undefined;
    throw e;
  }
}

function scan(s: FlatScan): FlatScanResult {
  const n = s.length;
  const ys = new Array<Num[]>(n);
  let carry: readonly Num[] = s.init;
  for (let k = 0; k < n; k++) {
    const i = s.reverse ? n - 1 - k : k;
    const out = s.body(carry, s.xs === null ? NO_LEAVES : s.xs[i]!);
    carry = out.carry;
    ys[i] = out.y;
  }
  return { carry: carry.slice(), ys };
}

function whileLoop(w: FlatWhile): Num[] {
  let carry: readonly Num[] = w.init;
  for (let steps = 0; ; steps++) {
    const c = w.cond(carry);
    const go = concrete(c);
    if (go === undefined) {
      throw new ConcretizationError(
        "whileLoop: the condition is an abstract value (inside jit or makeGraph), and this version runs while loops " +
          "step by step, which needs its value; call the function without jit, or use foriLoop/scan with a fixed number of steps",
      );
    }
    if (go === 0 || go !== go) return carry.slice();
    if (w.maxSteps !== undefined && steps === w.maxSteps) throw tooManySteps(w.maxSteps);
    carry = w.body(carry);
  }
}

function switchCase(s: FlatSwitch): Num[] {
  const k = concrete(s.index);
  if (k !== undefined) return s.branches[k]!(s.operands);
  // An abstract index: run every branch and select leaf by leaf. `where` with an abstract
  // condition sends the branches not taken an exact 0 cotangent, so their NaNs stay out.
  const outs = s.branches.map((b) => b(s.operands));
  const last = outs.length - 1;
  const out = outs[last]!.slice();
  for (let b = last - 1; b >= 0; b--) {
    const taken = eq(s.index, b);
    const leaves = outs[b]!;
    for (let j = 0; j < out.length; j++) out[j] = where(taken, leaves[j]!, out[j]!);
  }
  return out;
}

function checkpoint(c: FlatCheckpoint): Num[] {
  return c.f(c.inputs);
}

/** The unrolled placeholder implementation of the loops. */
export const unrolled: LoopImpl = { scan, whileLoop, switchCase, checkpoint };
