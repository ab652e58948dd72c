/**
 * fp-ts interop: running chainrule functions without exceptions.
 */
import * as E from "fp-ts/lib/Either.js";
import { ChainruleError } from "./errors.js";
import { expectFunction } from "./transforms/common.js";

/**
 * Wraps a function so that it returns an fp-ts `Either` instead of throwing chainrule's errors:
 * `Right` with the result, or `Left` with the {@link ChainruleError} it threw (a
 * `TreeStructureError`, `NonScalarOutputError`, `NonFiniteError`, …).
 *
 * Only `ChainruleError`s become `Left`. Any other exception — a bug in the wrapped function, a
 * `TypeError`, a non-`Error` value thrown — is rethrown unchanged, so that defects are never
 * mistaken for expected failures (narrow the `Left` with `instanceof` on the error classes). The wrapper is the "K" (Kleisli) form of fp-ts's
 * `tryCatch`: it takes a function and returns a function, with the same parameters (overloads
 * of the wrapped function collapse to its last signature, as everywhere in TypeScript).
 *
 * @param f - any function, typically a transformed one: `grad(loss)`, `valueAndGrad(loss)`, `jvp`.
 * @returns `(...args) => Either<ChainruleError, R>`.
 * @throws {@link ChainruleError} when `f` is not a function (or is a class).
 * @throws (from the returned function) whatever `f` throws that is not a {@link ChainruleError}.
 * @example
 * ```ts
 * import { decodeTree, grad, mul, sum, tryCatchChainrule, type Num } from "chainrule";
 * import * as E from "fp-ts/lib/Either.js";
 * import { pipe } from "fp-ts/lib/function.js";
 * const loss = (p: { w: Num[] }) => sum(p.w.map((w) => mul(w, w)));
 * const safeGrad = tryCatchChainrule(grad(loss));
 * const message = pipe(
 *   decodeTree({ w: [0, 0] }, JSON.parse('{ "w": [1, 2] }')),
 *   E.chainW((params) => safeGrad(params)),
 *   E.match(
 *     (e) => `failed: ${e.message}`,
 *     (g) => `gradient: ${JSON.stringify(g)}`,
 *   ),
 * );
 * console.log(message); // gradient: {"w":[2,4]}
 * ```
 * @category Errors
 */
export function tryCatchChainrule<A extends readonly unknown[], R>(
  f: (...args: A) => R,
): (...args: A) => E.Either<ChainruleError, R> {
  expectFunction(f, "tryCatchChainrule");
  return (...args) => {
    try {
      return E.right(f(...args));
    } catch (e) {
      if (e instanceof ChainruleError) return E.left(e);
      throw e;
    }
  };
}
