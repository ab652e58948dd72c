/**
 * Forward mode. Each traced value carries its primal (one level down) and its tangent; a
 * primitive's output tangent is Σ local gradient × input tangent (or the primitive's own
 * JVP rule). A zero tangent is the exact number 0 and costs nothing.
 */
import { ChainruleError, TreeStructureError } from "../errors.js";
import { describeValue, Tracer, TRACER_KEY, type Num } from "../core/num.js";
import type { Primitive } from "../core/primitive.js";
import { jvpTangent } from "../core/rules.js";
import { bind, flattenAsLive, flattenLive, Trace, withNewTrace } from "../core/trace.js";
import type { Primal, Tangents } from "../tree/types.js";
import type { OutputChecked } from "./grad.js";
import { unflatten } from "../tree/tree.js";
import { argRoot, expectFunction, isArrayValue } from "./common.js";

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

  primalOf(t: Tracer): Num {
    return (t as JvpTracer).primal;
  }

  /** A value with primal `p` moving along `t` (just `p` when `t` is an exact zero). */
  lift(p: Num, t: Num): Num {
    return t === 0 ? p : new JvpTracer(this, p, t);
  }

  /** The primal and tangent of an output leaf. */
  split(x: Num): [Num, Num] {
    if (typeof x !== "number" && x._trace === this) return [(x as JvpTracer).primal, (x as JvpTracer).tangent];
    return [x, 0];
  }
}

/**
 * Checks that `tangents` is an array with one tree per primal (each tree is checked against its
 * primal later, leaf by leaf): a tangent list that does not mirror the primals is a
 * `TreeStructureError` naming the argument, as a cotangent is for `vjp`.
 */
function checkTangentList(count: number, tangents: unknown): void {
  const shape = `tangents must be an array with one tree per primal, shaped like it (${count} primal${count === 1 ? "" : "s"})`;
  if (!isArrayValue(tangents)) throw new TreeStructureError(`jvp: ${shape}, got ${describeValue(tangents)}`, "");
  if (tangents.length < count) {
    const i = tangents.length;
    const path = argRoot(i, count);
    throw new TreeStructureError(`jvp: missing the tangent of primal ${i}${path === "" ? "" : ` (${path})`}: ${shape}, got ${describeValue(tangents)}`, path);
  }
  if (tangents.length > count) {
    throw new TreeStructureError(`jvp: unexpected tangent at position ${count}: ${shape}, got ${describeValue(tangents)}`, `args[${count}]`);
  }
}

// `jvp` infers `P` and `R` from `f`'s own signature (rather than `Parameters<F>`): a mapped type
// over `keyof Parameters<F>` written inline is not homomorphic and would map every array member
// (`length`, …), and inference from the signature keeps `jvp(grad(f), …)` typed when inline.

/**
 * Evaluates `f` at `primals` and its directional derivative along `tangents` (forward mode):
 * `[f(...primals), J · tangents]`. `tangents` mirror `primals` tree by tree; the output tangent
 * mirrors the output.
 *
 * @typeParam F - the type of `f`; the output's and the tangents' types follow from it.
 * @param f - the function; its output may be any tree of `Num`.
 * @param primals - the arguments, as an array (one tree per parameter of `f`).
 * @param tangents - one tangent tree per primal, of the same structure.
 * @returns `[out, tangentOut]`.
 * @throws {@link TreeStructureError} when a tangent's structure differs from its primal's, or
 *   there is not one tangent per primal (the path names the argument).
 * @throws {@link ChainruleError} when `primals` is not an array.
 * @example
 * ```ts
 * import { jvp, mul, sin, type Num } from "chainrule";
 * const [y, dy] = jvp((x: Num) => mul(x, sin(x)), [1], [1]);
 * console.log(y, dy); // sin 1, sin 1 + cos 1
 * ```
 * @category Transforms
 */
export function jvp<P extends any[], R>(
  f: OutputChecked<(...args: P) => R, false, "jvp">,
  primals: P,
  tangents: Tangents<P>,
): [Primal<R>, Primal<R>];
export function jvp<P extends any[], R>(f: (...args: P) => R, primals: P, tangents: Tangents<P>): [Primal<R>, Primal<R>] {
  expectFunction(f, "jvp");
  if (!isArrayValue(primals)) {
    throw new ChainruleError(`jvp(f, primals, tangents): primals must be an array of the arguments of f, got ${describeValue(primals)}`);
  }
  checkTangentList(primals.length, tangents);
  return withNewTrace(
    (level) => new JvpTrace(level, "jvp"),
    (trace) => {
      const count = primals.length;
      const args = primals.map((p: unknown, i: number) => {
        const root = argRoot(i, count);
        const { leaves, def } = flattenLive(p, root, "jvp: primal");
        const ts = flattenAsLive(def, tangents[i], root, "jvp: tangent");
        return unflatten(
          def,
          leaves.map((x, k) => trace.lift(x, ts[k]!)),
        );
      });
      const out = f(...(args as P));
      const { leaves, def } = flattenLive(out, "", "jvp: output");
      const pairs = leaves.map((x) => trace.split(x));
      return [unflatten(def, pairs.map(([p]) => p)), unflatten(def, pairs.map(([, t]) => t))] as never;
    },
  );
}
