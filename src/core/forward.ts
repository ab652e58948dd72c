/**
 * Forward mode, the whole interpreter: each traced value carries its primal (one level down)
 * and its tangent; a primitive's output tangent is Σ local gradient × input tangent (or the
 * primitive's own JVP rule, see `rules.ts`). A zero tangent is the exact number 0 and costs
 * nothing. `jvpFlat` is the flat worker every forward-mode transform (`jvp`, `jacfwd`, `hvp`,
 * the outer half of `hessian`) calls.
 */
import { Tracer, TRACER_KEY, type Num } from "./num.js";
import type { Primitive } from "./primitive.js";
import { jvpTangent } from "./rules.js";
import { inRuleOf } from "./eval.js";
import { bind, Trace, withNewTrace } from "./trace.js";
import { auxBelow } from "./lower.js";
import type { FlatOutput } from "./reverse.js";

/** The result of {@link jvpFlat}: output leaves and their tangents, one level down. */
export interface JvpFlatResult {
  readonly outputs: Num[];
  readonly tangents: Num[];
  /** The flat function's aux, lowered one level (undefined without one). */
  readonly aux: unknown;
}

/**
 * Forward mode over flat lists of leaves: runs `f` on one traced input per leaf, with primal
 * `primals[i]` moving along `tangents[i]` (0 = not moving), and returns the outputs with their
 * tangents. `transform` names the transform in messages.
 */
export function jvpFlat(
  f: (inputs: Num[]) => FlatOutput,
  primals: readonly Num[],
  tangents: readonly Num[],
  transform: string,
): JvpFlatResult {
  return withNewTrace(
    (level) => new JvpTrace(level, transform),
    (trace) => {
      const inputs = new Array<Num>(primals.length);
      for (let i = 0; i < primals.length; i++) inputs[i] = trace.lift(primals[i]!, tangents[i]!);
      const r = f(inputs);
      const outputs = new Array<Num>(r.outputs.length);
      const outTangents = new Array<Num>(r.outputs.length);
      for (let k = 0; k < r.outputs.length; k++) {
        const y = r.outputs[k]!;
        if (typeof y !== "number" && y._trace === trace) {
          outputs[k] = (y as JvpTracer).primal;
          outTangents[k] = (y as JvpTracer).tangent;
        } else {
          outputs[k] = y;
          outTangents[k] = 0;
        }
      }
      return { outputs, tangents: outTangents, aux: r.aux === undefined ? undefined : auxBelow(r.aux, trace, `${transform}: aux`) };
    },
  );
}

function multiJvp(p: Primitive, xs: readonly Num[], ts: readonly Num[], params: unknown): { outputs: Num[]; tangents: Num[] } {
  return p.multi!.jvp(xs, ts, params);
}

/** A value of a {@link JvpTrace}: a primal and its (nonzero) tangent. */
export class JvpTracer extends Tracer {
  constructor(
    readonly _trace: JvpTrace,
    readonly primal: Num,
    readonly tangent: Num,
  ) {
    super(TRACER_KEY);
  }
}

/** The trace of one forward-mode application. */
export class JvpTrace extends Trace {
  process(prim: Primitive, args: readonly Num[], params: unknown): Num {
    const n = args.length;
    const primals = new Array<Num>(n);
    const tangents = new Array<Num>(n);
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (typeof a !== "number" && a._trace === this) {
        primals[i] = (a as JvpTracer).primal;
        tangents[i] = (a as JvpTracer).tangent;
      } else {
        primals[i] = a;
        tangents[i] = 0;
      }
    }
    const out = bind(prim, primals, params);
    if (prim.rule === "zero") return out;
    const t = jvpTangent(prim, primals, out, tangents, params);
    return t === 0 ? out : new JvpTracer(this, out, t);
  }

  processMulti(prim: Primitive, args: readonly Num[], params: unknown): Num[] {
    const n = args.length;
    const primals = new Array<Num>(n);
    const tangents = new Array<Num>(n);
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      const ours = typeof a !== "number" && a._trace === this;
      primals[i] = ours ? (a as JvpTracer).primal : a;
      tangents[i] = ours ? (a as JvpTracer).tangent : 0;
    }
    const r = inRuleOf(prim, multiJvp, primals, tangents, params, undefined);
    return r.outputs.map((y, k) => this.lift(y, r.tangents[k]!));
  }

  primalOf(t: Tracer): Num {
    return (t as JvpTracer).primal;
  }

  /** A value with primal `p` moving along `t` (just `p` when `t` is an exact zero). */
  lift(p: Num, t: Num): Num {
    return t === 0 ? p : new JvpTracer(this, p, t);
  }
}
