/**
 * `vjp`: run a function and get its pullback. Flattens the arguments, lets the reverse-mode
 * interpreter (`core/reverse.ts`) record and differentiate the flat function, and rebuilds
 * trees from the leaves it returns.
 */
import { vjpFlat } from "../core/reverse.js";
import { flattenAsLive } from "../core/trace.js";
import type { Primal, Tangent } from "../tree/types.js";
import type { OutputChecked } from "./grad.js";
import { unflatten, type TreeDef } from "../tree/tree.js";
import { expectFunction, flattenArgs, flattenOutput, rebuildArgs, unflattenEach } from "./common.js";

/**
 * The function a {@link vjp} returns: maps an output cotangent (a tree shaped like the output)
 * to one gradient tree per primal. It stays valid after `vjp` returns.
 *
 * @example
 * ```ts
 * import { vjp, mul, type Num, type Pullback } from "chainrule";
 * const [, pullback]: [number, Pullback<Num, [Num, Num]>] = vjp((x: Num, y: Num) => mul(x, y), 2, 3);
 * console.log(pullback(1)); // [3, 2]
 * ```
 * @category Transforms
 */
export type Pullback<Out, Args extends readonly unknown[]> = (cotangent: Tangent<Out>) => { -readonly [K in keyof Args]: Primal<Args[K]> };

/**
 * Runs `f` at `primals` and returns its output with a pullback: a function from an output
 * cotangent (a tree shaped like the output) to one gradient tree per primal. The pullback
 * stays valid after `vjp` returns and may be called any number of times.
 *
 * @typeParam F - the type of `f`; the output's and the gradients' types follow from it.
 * @param f - the function; its output may be any tree of `Num`.
 * @param primals - the arguments, each a tree of numbers.
 * @returns `[out, pullback]`, with `out` as plain numbers.
 * @throws {@link TreeStructureError} for a primal or cotangent of the wrong shape.
 * @example
 * ```ts
 * import { vjp, mul, sin, type Num } from "chainrule";
 * const [out, pullback] = vjp((x: Num, y: Num) => [mul(x, y), sin(x)], 2, 3);
 * console.log(out); // [6, sin 2]
 * console.log(pullback([1, 0])); // [3, 2]: gradient of x·y
 * ```
 * @category Transforms
 */
export function vjp<F extends (...args: any[]) => unknown>(
  f: OutputChecked<F, false, "vjp">,
  ...primals: Parameters<F>
): [Primal<ReturnType<F>>, Pullback<ReturnType<F>, Parameters<F>>];
export function vjp<F extends (...args: any[]) => unknown>(
  f: F,
  ...primals: Parameters<F>
): [Primal<ReturnType<F>>, Pullback<ReturnType<F>, Parameters<F>>] {
  expectFunction(f, "vjp");
  const fa = flattenArgs(primals, primals.map((_, i) => i), "vjp: primal");
  let outDef: TreeDef | undefined;
  const lin = vjpFlat(
    (inputs) => {
      const out = flattenOutput(f(...rebuildArgs(fa, inputs)), "vjp: output");
      outDef = out.def;
      return { outputs: out.leaves };
    },
    fa.leaves,
    "vjp",
  );
  const def = outDef!;
  const pullback = (cotangent: unknown): unknown[] =>
    unflattenEach(fa.defs, lin.pullback(flattenAsLive(def, cotangent, "", "vjp pullback: cotangent")));
  return [unflatten(def, lin.outputs), pullback] as never;
}
