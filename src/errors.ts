/**
 * The error classes chainrule throws on purpose. Every one extends {@link ChainruleError}, has
 * `.name` equal to its class name, and a message that says what was wrong, where (a tree path
 * such as `w[3]` or `args[1].bias`) and what to do instead.
 *
 * @module
 */

/**
 * Base class of every error chainrule throws on purpose.
 *
 * @example
 * ```ts
 * import { grad, ChainruleError, type Num } from "chainrule";
 * try {
 *   grad((x: Num) => x, { argnums: 3 })(1);
 * } catch (e) {
 *   console.log(e instanceof ChainruleError); // true
 * }
 * ```
 * @category Errors
 */
export class ChainruleError extends Error {
  constructor(message: string) {
    super(message);
    // `.name` is the class name, also for subclasses (useful in logs and `instanceof`-free checks).
    this.name = new.target.name;
  }
}

/**
 * A tree had the wrong shape or a leaf that is not a number: the message names the path.
 *
 * @example
 * ```ts
 * import { grad, sum, TreeStructureError, type Num } from "chainrule";
 * try {
 *   grad((p: { w: Num[] }) => sum(p.w))({ w: [1, "2" as unknown as number] });
 * } catch (e) {
 *   console.log(e instanceof TreeStructureError); // true; the message names w[1]
 * }
 * ```
 * @category Errors
 */
export class TreeStructureError extends ChainruleError {
  /** The tree path where the problem was found, e.g. `layers[1].b`. */
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

/**
 * A function given to `grad` (or another transform that needs a scalar) returned a
 * non-scalar value such as an array or an object.
 *
 * @example
 * ```ts
 * import { grad, NonScalarOutputError, type Num } from "chainrule";
 * try {
 *   grad((x: Num) => [x, x] as unknown as Num)(1);
 * } catch (e) {
 *   console.log(e instanceof NonScalarOutputError); // true
 * }
 * ```
 * @category Errors
 */
export class NonScalarOutputError extends ChainruleError {}

/**
 * An abstract traced value (inside `jit` or `makeGraph`) was asked for its concrete number,
 * e.g. by `toNumber` or by a host `if (x > 0)`. Use `where` to select on traced values.
 *
 * @example
 * ```ts
 * import { makeGraph, toNumber, ConcretizationError, type Num } from "chainrule";
 * try {
 *   makeGraph((x: Num) => (toNumber(x) > 0 ? x : 0))(1);
 * } catch (e) {
 *   console.log(e instanceof ConcretizationError); // true
 * }
 * ```
 * @category Errors
 */
export class ConcretizationError extends ChainruleError {}

/**
 * A traced value escaped from the transform that made it (through a closure or a global)
 * and was used after that transform returned.
 *
 * @example
 * ```ts
 * import { grad, mul, TracerLeakError, type Num } from "chainrule";
 * let leaked: Num = 0;
 * grad((x: Num) => { leaked = x; return x; })(1);
 * try {
 *   mul(leaked, 2);
 * } catch (e) {
 *   console.log(e instanceof TracerLeakError); // true
 * }
 * ```
 * @category Errors
 */
export class TracerLeakError extends ChainruleError {}

/**
 * Thrown by `debugNans` when a primitive produces NaN.
 *
 * @example
 * ```ts
 * import { NonFiniteError } from "chainrule";
 * const e = new NonFiniteError("log produced NaN");
 * console.log(e.name); // "NonFiniteError"
 * ```
 * @category Errors
 */
export class NonFiniteError extends ChainruleError {}

/**
 * Thrown by `checkGrads` when derivatives disagree with finite differences.
 *
 * @example
 * ```ts
 * import { GradientCheckError } from "chainrule";
 * const e = new GradientCheckError("x: expected 1, got 2");
 * console.log(e.name); // "GradientCheckError"
 * ```
 * @category Errors
 */
export class GradientCheckError extends ChainruleError {}

/**
 * One problem found while decoding a tree: where, and what. {@link TreeDecodeError} lists them.
 *
 * @example
 * ```ts
 * import { TreeDecodeError, type TreeDecodeProblem } from "chainrule";
 * const problem: TreeDecodeProblem = { path: "layers[1].b", message: "expected a number, got null" };
 * console.log(new TreeDecodeError([problem]).problems[0]!.path); // "layers[1].b"
 * ```
 * @category Errors
 */
export interface TreeDecodeProblem {
  /** Tree path of the offending value, e.g. `layers[1].b`; empty for the root. */
  readonly path: string;
  /** What was wrong there. */
  readonly message: string;
}

/**
 * Decoding untrusted input as a parameter tree failed; `.problems` lists every problem found.
 *
 * @example
 * ```ts
 * import { TreeDecodeError } from "chainrule";
 * const e = new TreeDecodeError([{ path: "w[0]", message: "expected a finite number, got string" }]);
 * console.log(e.problems.length); // 1
 * ```
 * @category Errors
 */
export class TreeDecodeError extends ChainruleError {
  /** Every problem found, each with its path. */
  readonly problems: readonly TreeDecodeProblem[];
  constructor(problems: readonly TreeDecodeProblem[]) {
    const lines = problems.map((p) => `  ${p.path === "" ? "<root>" : p.path}: ${p.message}`);
    super(`could not decode the tree (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.problems = problems;
  }
}
