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
 *   // @ts-expect-error -- argnums 3 is a compile error too (the function has 1 parameter)
 *   grad((x: Num) => x, { argnums: 3 })(1);
 * } catch (e) {
 *   console.log(e instanceof ChainruleError); // true
 * }
 * ```
 * @category Errors
 */
export class ChainruleError extends Error {
  constructor(message: string) {
    // Constructing an error never fails, whatever it is given (a message that is not a string
    // is described instead of converted, which could throw).
    super(typeof message === "string" ? message : describe(message));
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
    this.path = typeof path === "string" ? path : "";
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
 * Thrown by `debugNans` when a primitive produces NaN from inputs that are not NaN. The
 * message names the primitive and its equation (e.g. `log(-1) = NaN`) and, when it ran inside
 * a derivative rule, the primitive whose rule it was.
 *
 * @example
 * ```ts
 * import { debugNans, log, NonFiniteError, type Num } from "chainrule";
 * try {
 *   debugNans((x: Num) => log(x))(-1);
 * } catch (e) {
 *   if (e instanceof NonFiniteError) console.log(e.primitive, e.rule); // "log" undefined
 * }
 * ```
 * @category Errors
 */
export class NonFiniteError extends ChainruleError {
  /** The primitive that produced NaN, e.g. `log`; undefined when not known (e.g. from compiled code). */
  readonly primitive: string | undefined;
  /** The primitive whose derivative rule was running when NaN appeared; undefined in the forward pass. */
  readonly rule: string | undefined;
  constructor(message: string, details: { readonly primitive?: string; readonly rule?: string | undefined } = {}) {
    super(message);
    this.primitive = stringField(details, "primitive");
    this.rule = stringField(details, "rule");
  }
}

/**
 * One derivative that `checkGrads` found wrong.
 *
 * @example
 * ```ts
 * import { checkGrads, definePrimitive, GradientCheckError, type GradientCheckEntry } from "chainrule";
 * const badSquare = definePrimitive({ name: "badSquareDoc", impl: (x) => x * x, partials: ([x]) => [x!] });
 * try {
 *   checkGrads((x: number) => badSquare(x), [3]);
 * } catch (e) {
 *   const worst: GradientCheckEntry = (e as GradientCheckError).entries[0]!;
 *   console.log(worst.path, worst.expected, worst.actual); // "args[0]" 6 3
 * }
 * ```
 * @category Errors
 */
export interface GradientCheckEntry {
  /** Which derivative: one path at order 1 (`args[0].w[3]`), `(p₁, p₂)` at order 2, and so on. */
  readonly path: string;
  /** The tree path of each differentiation, outermost last: `["args[0].w[3]"]` at order 1. */
  readonly paths: readonly string[];
  /** 1 for first derivatives, 2 for second, … */
  readonly order: number;
  /** How it was computed: `fwd`, `rev`, or at order 2 e.g. `fwd over rev` (jvp of the gradient). */
  readonly mode: string;
  /** The finite-difference estimate. */
  readonly expected: number;
  /** What automatic differentiation gave. */
  readonly actual: number;
}

/**
 * Thrown by `checkGrads` when derivatives disagree with finite differences; `.entries` lists
 * the disagreeing derivatives, worst first.
 *
 * @example
 * ```ts
 * import { checkGrads, definePrimitive, sin, GradientCheckError, type Num } from "chainrule";
 * const badCos = definePrimitive({ name: "badCos", impl: Math.cos, partials: ([x]) => [sin(x!)] }); // sign is wrong
 * try {
 *   checkGrads((x: Num) => badCos(x), [1]);
 * } catch (e) {
 *   if (e instanceof GradientCheckError) console.log(e.entries[0]!.path); // "args[0]"
 * }
 * ```
 * @category Errors
 */
export class GradientCheckError extends ChainruleError {
  /** Every derivative that disagrees, worst first (the message lists the first ten). */
  readonly entries: readonly GradientCheckEntry[];
  constructor(message: string, entries: readonly GradientCheckEntry[] = []) {
    super(message);
    this.entries = isArray(entries) ? entries : [];
  }
}

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
    // Copied into plain problems with string fields, so that a malformed list cannot break the message.
    const list: TreeDecodeProblem[] = [];
    try {
      const given: readonly unknown[] = isArray(problems) ? problems : [];
      for (let i = 0; i < given.length; i++) {
        list.push({ path: stringField(given[i], "path") ?? "", message: stringField(given[i], "message") ?? describe(given[i]) });
      }
    } catch {
      // A list whose elements cannot be read (a Proxy): keep the problems read so far.
    }
    const lines = list.map((p) => `  ${p.path === "" ? "<root>" : p.path}: ${p.message}`);
    super(`could not decode the tree (${list.length} problem${list.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.problems = list;
  }
}

/**
 * A jitted function disagreed with the function it compiles: on the first call for a new input
 * structure, `jit` also runs `f` on the plain numbers and compares. The usual cause is a branch
 * on a traced value that `jit` cannot see (`===`, `!==`, `?:`, `if`, a comparison): under `jit`
 * every non-static argument is traced, and such a branch takes one side for every input.
 * `.path` names the first output leaf that differs (empty for a scalar output).
 *
 * @example
 * ```ts
 * import { jit, mul, square, JitMismatchError, type Num } from "chainrule";
 * const f = (x: Num) => (x === 3 ? mul(x, 10) : square(x)); // === on a Num is never true under jit
 * try {
 *   jit(f)(3);
 * } catch (e) {
 *   console.log(e instanceof JitMismatchError); // true
 *   console.log((e as JitMismatchError).eagerValue); // 30
 * }
 * ```
 * @category Errors
 */
export class JitMismatchError extends ChainruleError {
  /** The output path of the first differing leaf, e.g. `[1].w[0]`; empty for a scalar output. */
  readonly path: string;
  /** The compiled function's value there (undefined when the output structures differ). */
  readonly jitValue: number | undefined;
  /** The value `f` itself computes there (undefined when the output structures differ). */
  readonly eagerValue: number | undefined;
  constructor(message: string, path: string, jitValue: number | undefined, eagerValue: number | undefined) {
    super(message);
    this.path = typeof path === "string" ? path : "";
    this.jitValue = typeof jitValue === "number" ? jitValue : undefined;
    this.eagerValue = typeof eagerValue === "number" ? eagerValue : undefined;
  }
}
// ---- constructors accept anything -----------------------------------------------------------------
// The error classes are exported, so users construct them too (in tests, in their own wrappers):
// whatever they pass, constructing one never throws. (This module imports nothing, so these
// cannot use describeValue.)

/** `Array.isArray`, false for a value that cannot be inspected (a revoked Proxy). */
function isArray(x: unknown): x is readonly unknown[] {
  try {
    return Array.isArray(x);
  } catch {
    return false;
  }
}

/** `x[key]` when it is a string, else undefined (also when reading it throws). */
function stringField(x: unknown, key: string): string | undefined {
  try {
    const v = typeof x === "object" && x !== null ? (x as Record<string, unknown>)[key] : undefined;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A message for a value that is not a string, without calling its `toString` or `Symbol.toPrimitive`. */
function describe(x: unknown): string {
  if (x === undefined) return "";
  if (typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return String(x);
  if (typeof x === "symbol") return x.toString();
  if (x === null) return "null";
  return typeof x === "function" ? "(a function)" : "(an object)";
}
