/**
 * `jvp`: a function's value and directional derivative. Flattens primals and tangents, lets the
 * forward-mode interpreter (`core/forward.ts`) run the flat function, and rebuilds the trees.
 */
import { ChainruleError, TreeStructureError } from "../errors.js";
import { describeValue } from "../core/num.js";
import { jvpFlat } from "../core/forward.js";
import { flattenAsLive } from "../core/trace.js";
import type { Primal, Tangents } from "../tree/types.js";
import type { OutputChecked } from "./grad.js";
import { unflatten, type TreeDef } from "../tree/tree.js";
import { argRoot, expectFunction, flattenArgs, flattenOutput, isArrayValue, rebuildArgs } from "./common.js";

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
  const count = primals.length;
  const fa = flattenArgs(primals, primals.map((_: unknown, i: number) => i), "jvp: primal");
  const ts = fa.defs.flatMap((def, i) => flattenAsLive(def, tangents[i], argRoot(i, count), "jvp: tangent"));
  let outDef: TreeDef | undefined;
  const r = jvpFlat(
    (inputs) => {
      const { leaves, def } = flattenOutput(f(...(rebuildArgs(fa, inputs) as P)), "jvp: output");
      outDef = def;
      return { outputs: leaves };
    },
    fa.leaves,
    ts,
    "jvp",
  );
  return [unflatten(outDef!, r.outputs), unflatten(outDef!, r.tangents)] as never;
}
