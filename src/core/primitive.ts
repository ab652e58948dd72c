/**
 * What a primitive is: its name, its numeric implementation, its derivative rule and how `jit`
 * writes it as JavaScript — all in one definition. Built-in primitives (in `src/primitives/`)
 * and user primitives (`definePrimitive`) are the same kind of object and go through the same
 * transforms.
 *
 * The natural rule for a scalar primitive is the lecture notes' *local gradient*: the partial
 * derivatives of the output with respect to each input. Rules are written with chainrule's own
 * ops, so they are differentiable themselves — that is what makes `grad(grad(f))` work.
 * The VJP (upstream × local) and JVP (Σ local × tangent) are derived from it in `rules.ts`.
 */
import { ChainruleError } from "../errors.js";
import { evalPrimitive1, evalPrimitive2 } from "./eval.js";
import type { Num } from "./num.js";
import type { Graph } from "./graph.js";
import { bind, bindUnary, bindBinary } from "./trace.js";
import { describeValue } from "./num.js";
import { readFunction, readOptions, type OptionReader } from "../util/options.js";
import { expectNums, expectTangentPair } from "./user-rules.js";

/**
 * Local gradient: `[∂out/∂x₀, ∂out/∂x₁, …]` at the inputs `xs` with output `out`. `needed` has
 * bit `i` set when input `i`'s partial will be used (inputs that are constants to the transform
 * need none); a rule may return 0 for the others, which saves work and keeps a NaN it would
 * compute there (e.g. `log 0` in `pow`'s exponent partial) away from `debugNans`.
 */
export type PartialsRule = (xs: readonly Num[], out: Num, params: unknown, needed: number) => readonly Num[];

/** See {@link Primitive.partialNum}: `∂out/∂x_j` at `(x, y)` with output `out`, all numbers. */
export type PartialNum = (j: number, x: number, y: number, out: number) => number;

/** `needed` with every input's partial wanted. */
export const ALL_PARTIALS = -1;
/** Forward rule: the output tangent, given input tangents (`0` is a zero tangent). */
export type JvpRule = (xs: readonly Num[], out: Num, tangents: readonly Num[], params: unknown) => Num;
/** Reverse rule: one cotangent per input (`0` for none), given the output cotangent. */
export type VjpRule = (xs: readonly Num[], out: Num, cotangent: Num, params: unknown) => readonly Num[];

/** The rules a primitive states; the missing ones are derived (see `rules.ts`). */
export interface RuleSet {
  readonly partials?: PartialsRule;
  readonly jvp?: JvpRule;
  readonly vjp?: VjpRule;
}

/**
 * A primitive's derivative rule: `"zero"` (the gradient is zero everywhere: comparisons,
 * rounding, `stopGradient`), or a rule set with at least one rule. Requiring one at the type
 * level makes a primitive without a rule a compile error.
 */
export type Rule =
  | "zero"
  | (RuleSet & ({ readonly partials: PartialsRule } | { readonly jvp: JvpRule } | { readonly vjp: VjpRule }));

/**
 * Writes a primitive as a JavaScript expression. Its operands are atoms — identifiers the
 * compiler made, or parenthesised numeric literals — so an emitter may repeat an operand
 * but must parenthesise anything it builds that is not a whole expression statement.
 */
export type Emitter = (args: readonly string[]) => string;

/** A primitive operation: the unit that traces record and rules are attached to. */
export interface Primitive {
  /**
   * Index in the table of all primitives (graphs store this number, not the object), or
   * `UNLISTED` for a per-function primitive, which a graph keeps in its own list instead.
   */
  readonly id: number;
  /** Name shown in graphs and messages; matches `/^[A-Za-z_][A-Za-z0-9_]*$/`. */
  readonly name: string;
  /**
   * The public primitive printed graphs show instead of `name`, for an internal primitive that
   * computes the same value as far as a reader is concerned (`scale` is shown as `mul`).
   */
  readonly shownAs?: string | undefined;
  /** Number of inputs, or -1 when it takes any number. */
  readonly arity: number;
  /** The value on plain numbers. */
  readonly impl: (...xs: number[]) => number;
  /**
   * The value from an array of inputs (variadic built-ins): a call that spreads a long array
   * into `impl` would overflow the stack, so any number of inputs goes through this.
   */
  readonly implArray?: ((xs: ArrayLike<number>) => number) | undefined;
  /** The derivative rule. */
  readonly rule: Rule;
  /** How `jit` writes it as JavaScript; without one, `jit` calls `impl`. */
  readonly emit: Emitter | undefined;
  /** True for built-ins (their emitted code is trusted). */
  readonly builtin: boolean;
  /**
   * Some one- and two-input built-ins: the partial in input `j` on plain numbers (`y` is 0 for one
   * input), equal to `rule.partials` there. The eager backward pass calls it, without arrays.
   */
  readonly partialNum?: PartialNum | undefined;
  /**
   * Set for the primitives with several outputs that carry sub-graphs (the loops: `scan`,
   * `whileLoop`, `cond`, `checkpoint`): they are applied with `bindMulti` and every
   * interpreter handles them through these rules instead of `impl`/`rule`.
   */
  readonly multi?: MultiRules | undefined;
}

/**
 * The rules of a primitive with several outputs (see {@link Primitive.multi}). Every rule that
 * computes with `Num`s does so with chainrule's ops (`bind`/`bindMulti`) on the values one
 * level down, so that enclosing transforms see — and differentiate — that work too.
 */
export interface MultiRules {
  /** The number of outputs of an application with `params` to `inputCount` inputs. */
  outputCount(params: unknown, inputCount: number): number;
  /** The outputs on plain numbers. */
  evaluate(xs: readonly number[], params: unknown): number[];
  /** Forward mode: the outputs and their tangents, for input tangents `ts` (0 = none). */
  jvp(xs: readonly Num[], ts: readonly Num[], params: unknown): { outputs: Num[]; tangents: Num[] };
  /** Reverse mode, forward half: the outputs, and what the backward half needs (kept with the tape). */
  vjpForward(xs: readonly Num[], params: unknown): { outputs: Num[]; residuals: unknown };
  /** Reverse mode, backward half: one cotangent per input (0 = none) for output cotangents `cts`. */
  vjpBackward(xs: readonly Num[], residuals: unknown, cts: readonly Num[], params: unknown): Num[];
  /**
   * For `jit`'s optimiser: the same application computing only the outputs `live` marks (1), or
   * undefined to keep all. `keep` lists the outputs still computed, in order.
   */
  prune?(params: unknown, live: ArrayLike<number>): { readonly params: unknown; readonly keep: readonly number[] } | undefined;
  /** The code generated for an application (a loop's kernel), shown in `jit(f).lower(…).source`. */
  code?(params: unknown): string | undefined;
  /** For printed graphs: a short description of `params` and the bodies to print below the equation. */
  show?(params: unknown): { readonly details: string; readonly bodies: readonly { readonly name: string; readonly graph: Graph }[] };
}

/** Makes a primitive with several outputs (see {@link MultiRules}); `impl`/`rule` are unused. */
export function multiPrimitive(name: string, multi: MultiRules): Primitive {
  return withId({
    name,
    arity: -1,
    impl: () => {
      throw new ChainruleError(`${name} has several outputs: it is applied with bindMulti`);
    },
    rule: "zero",
    emit: undefined,
    builtin: false,
    multi,
  });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const registry = new Map<string, Primitive>();
const table: Primitive[] = [];

/** The `id` of a primitive that is not in the table (see {@link unlistedPrimitive}). */
export const UNLISTED = -1;

/** The primitive with table index `id`. */
export function primitiveById(id: number): Primitive {
  return table[id]!;
}

/** The number of primitives in the table (it only grows: for tests that it does not). */
export function primitiveCount(): number {
  return table.length;
}

/** Gives a primitive definition its table index. */
function withId(def: Omit<Primitive, "id">): Primitive {
  const p = shaped(def, table.length);
  table.push(p);
  return p;
}

/**
 * The primitive object for `def`: every primitive has the same fields in the same order (one
 * hidden class), so that the hot paths' loads of `impl`, `rule` and `partialNum` stay
 * monomorphic (objects spread from definitions with different optional keys have many).
 */
function shaped(def: Omit<Primitive, "id">, id: number): Primitive {
  return {
    id,
    name: def.name,
    shownAs: def.shownAs,
    arity: def.arity,
    impl: def.impl,
    implArray: def.implArray,
    rule: def.rule,
    emit: def.emit,
    builtin: def.builtin,
    multi: def.multi,
    partialNum: def.partialNum,
  };
}

/** The definition of a built-in primitive: every field is required, so none can be forgotten. */
export interface BuiltinDefinition {
  readonly name: string;
  readonly arity: number;
  readonly impl: (...xs: number[]) => number;
  /** Required for variadic built-ins (arity -1); see {@link Primitive.implArray}. */
  readonly implArray?: (xs: ArrayLike<number>) => number;
  readonly rule: Rule;
  readonly emit: Emitter;
  /** See {@link Primitive.shownAs}. */
  readonly shownAs?: string;
  /** See {@link Primitive.partialNum}. */
  readonly partialNum?: PartialNum;
}

/** The name a printed graph shows for `p`: a public primitive's name, or a user primitive's. */
export function shownName(p: Primitive): string {
  return p.shownAs ?? p.name;
}

/** Registers a built-in primitive. */
export function builtin(def: BuiltinDefinition): Primitive {
  if (def.arity < 0 && def.implArray === undefined) throw new ChainruleError(`internal error: variadic built-in ${def.name} needs implArray`);
  return register({ ...def, builtin: true });
}

/** Makes an internal primitive that is in the table but not registered by name (`INPUT`). */
export function anonymousPrimitive(def: Omit<Primitive, "builtin" | "id">): Primitive {
  return withId({ ...def, builtin: false });
}

/**
 * Makes a per-function primitive (those of `customVjp`/`customJvp`), in no global table:
 * it lives as long as the function that made it and the graphs that use it (each graph keeps
 * its own list of such primitives), so custom functions made in a loop are collected.
 */
export function unlistedPrimitive(def: Omit<Primitive, "builtin" | "id">): Primitive {
  return shaped({ ...def, builtin: false }, UNLISTED);
}

function register(def: Omit<Primitive, "id">): Primitive {
  checkName(def.name, "primitive name");
  if (registry.has(def.name)) {
    throw new ChainruleError(`a primitive named ${JSON.stringify(def.name)} already exists: choose another name`);
  }
  const p = withId(def);
  registry.set(p.name, p);
  return p;
}

/** A primitive name: a string (not a String object, which would print like one) matching {@link NAME}. */
function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string") {
    throw new ChainruleError(`${what} must be a string such as "mySin", got ${describeValue(name)}`);
  }
  if (!NAME.test(name)) {
    throw new ChainruleError(
      `${what} ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + "…" : name)} is not valid: use letters, digits and _ only, not starting with a digit (/^[A-Za-z_][A-Za-z0-9_]*$/)`,
    );
  }
}

const readName: OptionReader<string> = (value, where) => {
  checkName(value, where);
  return value;
};

/** The keys of a {@link PrimitiveSpec}, each checked. */
const SPEC = { name: readName, impl: readFunction, partials: readFunction, jvp: readFunction, vjp: readFunction };

// ---- The functions users call. A call on plain numbers evaluates at once; anything else binds.

/** The user-facing function of a one-input primitive. */
export function op1(p: Primitive): (x: Num) => Num {
  return (x) => (typeof x === "number" ? evalPrimitive1(p, x) : bindUnary(p, x));
}

/** The user-facing function of a two-input primitive. */
export function op2(p: Primitive): (x: Num, y: Num) => Num {
  return (x, y) => (typeof x === "number" && typeof y === "number" ? evalPrimitive2(p, x, y) : bindBinary(p, x, y));
}

// ---- User primitives ------------------------------------------------------------------------

/**
 * The specification of a user primitive for {@link definePrimitive}. Give `impl` and at least
 * one rule; rules are written with chainrule's ops, so they are differentiable themselves and
 * the primitive works at every order. Missing rules are derived from the ones given.
 *
 * @example
 * ```ts
 * import { definePrimitive, grad, mul, type Num, type PrimitiveSpec } from "chainrule";
 * // cube(x) = x³ with its local gradient 3x², written with chainrule's ops.
 * const spec: PrimitiveSpec = {
 *   name: "cube",
 *   impl: (x) => x * x * x,
 *   partials: ([x]) => [mul(3, mul(x!, x!))],
 * };
 * const cube = definePrimitive(spec);
 * console.log(grad((x: Num) => cube(x))(2)); // 12
 * ```
 * @category Transforms
 */
export interface PrimitiveSpec {
  /** Unique name, matching `/^[A-Za-z_][A-Za-z0-9_]*$/`; shown in graphs. */
  readonly name: string;
  /** The value on plain numbers. Its `length` fixes the arity (0, e.g. rest parameters: any). */
  readonly impl: (...xs: number[]) => number;
  /** Local gradient `[∂out/∂x₀, …]` at `xs`, where `out` is the primitive's value there. */
  readonly partials?: (xs: readonly Num[], out: Num) => readonly Num[];
  /** Forward rule: `[out, tangentOut]` for `primals` moving along `tangents`. */
  readonly jvp?: (primals: readonly Num[], tangents: readonly Num[]) => readonly [Num, Num];
  /** Reverse rule: one cotangent per input, given the output's cotangent. */
  readonly vjp?: (primals: readonly Num[], cotangent: Num) => readonly Num[];
}

/**
 * Registers a new scalar primitive so that every transform (including `jit` and higher
 * orders) supports it, and returns the function that applies it.
 *
 * @param spec - name, numeric implementation and at least one derivative rule.
 * @returns the primitive as a function over `Num`s.
 * @throws {@link ChainruleError} when the name is invalid or taken, or no rule is given.
 * @example
 * ```ts
 * import { definePrimitive, grad, cos, neg, sin, type Num } from "chainrule";
 * // sin, as if it were not built in; its rule uses chainrule's ops, so grad(grad(mySin)) works.
 * const mySin = definePrimitive({
 *   name: "mySin",
 *   impl: (x) => Math.sin(x),
 *   partials: ([x]) => [cos(x!)],
 * });
 * console.log(grad((x: Num) => mySin(x))(0)); // 1
 * console.log(grad(grad((x: Num) => mySin(x)))(0)); // 0 (= -sin 0)
 * void neg; void sin;
 * ```
 * @category Transforms
 */
export function definePrimitive(spec: PrimitiveSpec): (...xs: Num[]) => Num {
  if (spec === undefined) throw new ChainruleError("definePrimitive expects a spec object { name, impl, partials?/jvp?/vjp? }");
  const { name, impl, partials, jvp, vjp } = readOptions(spec, SPEC, "definePrimitive", "spec") as Partial<PrimitiveSpec>;
  if (name === undefined) throw new ChainruleError('definePrimitive: spec.name is missing: give a name such as "mySin" (shown in graphs)');
  if (impl === undefined) throw new ChainruleError(`definePrimitive(${JSON.stringify(name)}): impl must be a function (...xs: number[]) => number`);
  if (partials === undefined && jvp === undefined && vjp === undefined) {
    throw new ChainruleError(
      `definePrimitive(${JSON.stringify(name)}): give at least one derivative rule (partials, jvp or vjp); the others are derived from it`,
    );
  }
  const arity = impl.length === 0 ? -1 : impl.length;
  const rules: { partials?: PartialsRule; jvp?: JvpRule; vjp?: VjpRule } = {};
  if (partials !== undefined) rules.partials = (xs, out) => expectNums(partials(xs, out), xs.length, name, "partials");
  if (jvp !== undefined) rules.jvp = (xs, _out, ts) => expectTangentPair(jvp(xs, ts), name, "jvp");
  if (vjp !== undefined) rules.vjp = (xs, _out, ct) => expectNums(vjp(xs, ct), xs.length, name, "vjp");
  const p = register({
    name,
    arity,
    impl,
    rule: rules as Rule,
    emit: undefined,
    builtin: false,
  });
  return (...xs: Num[]) => {
    if (arity >= 0 && xs.length !== arity) {
      throw new ChainruleError(`${name} takes ${arity} argument${arity === 1 ? "" : "s"}, got ${xs.length}`);
    }
    return bind(p, xs);
  };
}
