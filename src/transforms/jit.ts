/**
 * `jit`: stage a function once per input structure, optimise the graph, and run it as
 * generated JavaScript (or, where code generation is forbidden, by interpreting the graph).
 *
 * - Called with plain numbers, a jitted function fills a flat memory with the argument leaves,
 *   runs the compiled graph and rebuilds the output tree — the user function is not called.
 * - Called with traced values (inside `grad`, `jvp`, another `jit`, …), it re-binds every
 *   equation of the cached graph at the caller's level (`evaluate`), so the enclosing
 *   transform differentiates or stages it: `grad(jit(f))` works.
 * - A graph that closed over a traced value of an enclosing transform (its constants include
 *   tracers) is specific to that trace: it is never cached, and it is evaluated by re-binding.
 */
import { ChainruleError, JitMismatchError, NonFiniteError, TreeStructureError } from "../errors.js";
import { compileGraph, type Executable } from "../jit/compile.js";
import { nanWatch } from "../core/eval.js";
import { evaluate, Graph, varName } from "../core/graph.js";
import { Tracer, type Num } from "../core/num.js";
import { optimize } from "../jit/optimize.js";
import { flatten, flattenAs, unflatten, type TreeDef } from "../tree/tree.js";
import type { Primal } from "../tree/types.js";
import { argRoot, expectFunction, JIT_OPTIONS, positionList, readOptions, stage } from "./common.js";
import { fill, MISMATCH, outputBuilder, TRACED } from "../jit/arguments.js";
import { cacheKey, checkStaticRange, normalizeCacheSize, sameStatic } from "../jit/cache-key.js";
import { checkAgainstEager, RetraceCounter } from "../jit/verify.js";

/**
 * Options of {@link jit}.
 * @example
 * ```ts
 * import { jit, mul, pow, type JitOptions, type Num } from "chainrule";
 * const options: JitOptions = { staticArgnums: 1 };
 * const power = jit((x: Num, p: { n: number }) => pow(x, p.n), options);
 * console.log(power(2, { n: 3 })); // 8
 * void mul;
 * ```
 * @category Transforms
 */
export interface JitOptions<S extends number | readonly number[] = number | readonly number[]> {
  /**
   * Arguments that are not numeric trees (configuration, data, flags): passed to the function
   * as they are and made part of the cache key — primitives by `Object.is`, plain data
   * (arrays, plain objects) by structural equality (same keys in any order, equal values),
   * anything else by identity. They are treated as immutable: do not mutate one and pass it
   * again. Each new value stages and compiles `f` again: data that changes from call to call
   * should be traced (typed `Num`) instead.
   */
  readonly staticArgnums?: S;
  /**
   * Check the compiled function against `f` on the first call of each new input structure:
   * `f` also runs on the plain numbers, and a different result throws {@link JitMismatchError}.
   * Default true; `false` skips that one extra call of `f` per structure.
   */
  readonly verify?: boolean;
  /**
   * How many input structures (with their static values) keep their compiled graph: a positive
   * integer, or `Infinity` for no bound. Default 128. A call with a structure beyond the bound
   * evicts the least recently used one, which is traced and compiled again if it comes back.
   * Each entry holds a graph and its generated code (tens of kilobytes for a small function).
   */
  readonly cacheSize?: number;
}

/**
 * The path of a leaf typed `number` (rather than `Num`) in the type `T`, starting at `P`, or
 * `never` when there is none: such a leaf would be traced by {@link jit} although its type says
 * it is a plain number. `any` and `unknown` leaves are not reported; recursive types are
 * searched 12 levels deep.
 * @example
 * ```ts
 * import type { Num, NumberLeafPath } from "chainrule";
 * const path: NumberLeafPath<{ w: Num[]; labels: number[] }, "p"> = "p.labels[i]";
 * const none: NumberLeafPath<{ w: Num[] }, "p">[] = [];
 * console.log(path, none.length); // p.labels[i] 0
 * ```
 * @typeParam T - the type searched.
 * @typeParam P - the path of `T` itself.
 * @typeParam D - levels already searched (internal counter).
 * @category Transforms
 */
export type NumberLeafPath<T, P extends string, D extends number = 0> = 0 extends 1 & T
  ? never // any
  : D extends 12
    ? never
    : [Exclude<T, undefined | null>] extends [never]
      ? never
      : [Exclude<T, undefined | null>] extends [number]
        ? P
        : [Exclude<T, undefined | null>] extends [Num]
          ? never
          : NumberLeafPathIn<Exclude<T, undefined | null>, P, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12][D]>;

/**
 * {@link NumberLeafPath} inside an array, tuple or object type `T` (distributes over unions).
 * @example
 * ```ts
 * import type { Num, NumberLeafPathIn } from "chainrule";
 * const path: NumberLeafPathIn<[Num, number], "x"> = "x[1]";
 * console.log(path); // x[1]
 * ```
 * @typeParam T - the type searched.
 * @typeParam P - the path of `T` itself.
 * @typeParam D - levels already searched (internal counter).
 * @category Transforms
 */
export type NumberLeafPathIn<T, P extends string, D extends number = 0> = T extends readonly unknown[]
  ? number extends T["length"]
    ? NumberLeafPath<T[number], `${P}[i]`, D>
    : { [K in keyof T & `${number}`]: NumberLeafPath<T[K], `${P}[${K}]`, D> }[keyof T & `${number}`]
  : T extends (...args: never[]) => unknown
    ? never
    : T extends object
      ? { [K in keyof T & string]: NumberLeafPath<T[K], `${P}.${K}`, D> }[keyof T & string]
      : never;

/**
 * The message of a compile-time error for parameter `K` of type `T` of a jitted function, or
 * `never` when the parameter is correctly typed (no `number` leaves).
 * @example
 * ```ts
 * import type { JitParamError, Num } from "chainrule";
 * const message: JitParamError<number[], "1"> =
 *   "jit: parameter 1 has a number leaf at args[1][i]; type it Num (it is traced) or mark parameter 1 static with staticArgnums: 1";
 * const none: JitParamError<Num[], "1">[] = [];
 * console.log(message.length > 0, none.length); // true 0
 * ```
 * @typeParam T - the parameter's type.
 * @typeParam K - its position, as a string.
 * @category Transforms
 */
export type JitParamError<T, K extends string> = [NumberLeafPath<T, `args[${K}]`>] extends [infer L extends string]
  ? [L] extends [never]
    ? never
    : L extends `args[${K}]`
      ? `jit: parameter ${K} is typed number; type it Num (it is traced) or mark it static with staticArgnums: ${K}`
      : `jit: parameter ${K} has a number leaf at ${L}; type it Num (it is traced) or mark parameter ${K} static with staticArgnums: ${K}`
  : never;

/**
 * What {@link jit} accepts as `f`: `F` itself when every traced parameter (every position not in
 * `staticArgnums` `S`) is typed with `Num` leaves, otherwise an error message naming the first
 * parameter typed `number` — such data would be traced, and comparing it with `===` or branching
 * on it would silently take one branch for every input. With `S` not known at compile time
 * (a `JitOptions` variable), every parameter is accepted.
 * @example
 * ```ts
 * import { jit, mul, type JitChecked, type Num } from "chainrule";
 * const f = (x: Num, k: number) => mul(x, k);
 * const ok: JitChecked<typeof f, 1> = f; // k is static: accepted
 * // const bad: JitChecked<typeof f, never> = f; // error: "jit: parameter 1 is typed number; …"
 * console.log(jit(ok, { staticArgnums: 1 })(2, 3)); // 6
 * ```
 * @typeParam F - the function given to `jit`.
 * @typeParam S - its `staticArgnums`, as written.
 * @category Transforms
 */
export type JitChecked<F extends (...args: any[]) => unknown, S> = [JitErrors<Parameters<F>, S>] extends [never] ? F : JitErrors<Parameters<F>, S>;

/**
 * The messages of {@link JitParamError} for every traced parameter of the parameter list `P`
 * with static positions `S` (never when all are correctly typed).
 * @example
 * ```ts
 * import type { JitErrors, Num } from "chainrule";
 * const none: JitErrors<[Num, number], 1>[] = [];
 * console.log(none.length); // 0
 * ```
 * @typeParam P - the parameter types.
 * @typeParam S - the static positions (a number or a tuple of numbers).
 * @category Transforms
 */
export type JitErrors<P extends readonly unknown[], S> =
  number extends (S extends readonly (infer E)[] ? E : S)
    ? never // static positions not known at compile time
    : number extends P["length"]
      ? [S] extends [never]
        ? JitParamError<P[number], "i"> // rest parameters
        : never
      : {
          [K in keyof P & `${number}`]: K extends `${(S extends readonly (infer E)[] ? E : S) & number}` ? never : JitParamError<P[K], K>;
        }[keyof P & `${number}`];

/**
 * What {@link jit} made of a function for one input structure, for debugging: the optimised
 * graph and the generated JavaScript. `String(lowered)` prints both.
 * @example
 * ```ts
 * import { grad, jit, mul, sin, type Lowered, type Num } from "chainrule";
 * const lowered: Lowered = jit(grad((x: Num) => mul(x, sin(x)))).lower(1);
 * console.log(lowered.graph.equations().length > 0); // true
 * ```
 * @category Transforms
 */
export interface Lowered {
  /** The optimised graph that runs (folded, simplified, CSE'd, without dead code). */
  readonly graph: Graph;
  /** How it runs: generated code, the interpreter, or re-binding (graphs that closed over a traced value). */
  readonly strategy: "compiled" | "interpreted" | "evaluated";
  /** The generated JavaScript, or undefined when the graph is interpreted or evaluated. */
  readonly source: string | undefined;
  /** Counts: equations of the optimised graph, statements and loops emitted, generated functions. */
  readonly stats: {
    /** Equations of the optimised graph. */
    readonly equations: number;
    /** Statements emitted (a re-rolled loop body counts once). */
    readonly statements: number;
    /** Loops found by re-rolling. */
    readonly loops: number;
    /** Generated functions ("chunks") the top-level code is split into. */
    readonly chunks: number;
  };
  /** The graph, then the source. */
  toString(): string;
}

/**
 * The function {@link jit} returns: `f`'s parameters, `f`'s result with numbers for `Num`s,
 * and `lower(...args)` to inspect the compiled form.
 * @example
 * ```ts
 * import { jit, add, mul, type Jitted, type Num } from "chainrule";
 * const f = (x: Num, y: Num) => add(mul(x, x), y);
 * const fast: Jitted<typeof f> = jit(f);
 * console.log(fast(3, 1)); // 10
 * ```
 * @typeParam F - the type of the function given to `jit`.
 * @category Transforms
 */
export type Jitted<F extends (...args: any[]) => unknown> = ((...args: Parameters<F>) => Primal<ReturnType<F>>) & {
  /** The optimised graph and generated source for arguments shaped like `args` (compiles if needed, does not run). */
  readonly lower: (...args: Parameters<F>) => Lowered;
};

/** One staged and optimised graph, for one input structure (and static values). */
interface Entry {
  readonly nargs: number;
  /** The argument values at static positions (undefined elsewhere). */
  readonly statics: readonly unknown[];
  /** Tree structure of each non-static argument (undefined at static positions). */
  readonly defs: readonly (TreeDef | undefined)[];
  /** Whether NaN debugging (`debugNans`) was active when the graph was staged. */
  readonly debug: boolean;
  /** The graph as staged: kept only where it is needed (NaN debugging, NaN messages). */
  readonly staged: Graph | undefined;
  readonly graph: Graph;
  readonly origin: Int32Array;
  /** False when the graph has traced constants (it closed over an enclosing transform's value). */
  readonly compilable: boolean;
  exec: Executable | undefined;
  memory: Float64Array | undefined;
  build: ((m: Float64Array) => unknown) | undefined;
  busy: boolean;
}


/**
 * Compiles `f`: traces it once per input tree structure (and static argument values) with
 * abstract values, optimises the graph — including every derivative that transforms inside
 * `f` produced, as in `jit(grad(f))` — and runs it as generated JavaScript. Calling again with
 * arguments of the same structure runs the compiled code without calling `f`.
 *
 * Inside `jit`, values are abstract: `toNumber`, and JavaScript comparisons on a `Num`, throw
 * `ConcretizationError` — select with `where`, or mark the argument static. Every non-static
 * argument is traced, data included: a traced parameter typed `number` is a compile-time error
 * (type it `Num`), and `===` or `?:` on a `Num`, which JavaScript cannot intercept, is caught by
 * running `f` itself on the first call of each new argument structure and comparing (option
 * `verify`). `f` must be pure: a change to a global or closed-over variable after the first
 * call is not seen.
 *
 * `jit` composes both ways: `jit(grad(f))` compiles the gradient, `grad(jit(f))` differentiates
 * the compiled graph. Where the runtime forbids code generation (a strict Content-Security-Policy),
 * the graph is interpreted instead, with the same results. Results equal `f`'s up to
 * floating-point rounding (and the sign of a zero).
 *
 * @param f - a function over `Num` trees; its output may be any tree of `Num`.
 * @param options - `staticArgnums`: arguments that are not numeric trees, part of the cache key
 *   (a new value stages `f` again; jit warns when one keeps changing); `verify` (default true):
 *   check the first call of each new structure against `f`; `cacheSize`: how many input
 *   structures keep their compiled form (default 128, least recently used evicted first).
 * @returns a function with `f`'s parameters returning `f`'s result as plain numbers, with a
 *   `lower(...args)` method that shows the optimised graph and the generated source.
 * @throws {@link ChainruleError} when a non-static argument is not a tree of numbers (a
 *   {@link TreeStructureError} naming the path), a static argument contains itself, `staticArgnums`
 *   is invalid or out of range, or `cacheSize` is not a positive integer or `Infinity`.
 * @throws {@link ConcretizationError} when `f` asks for the number of an abstract value (the
 *   message names the argument leaf when it is one).
 * @throws {@link JitMismatchError} when, on the first call of a new structure, the compiled
 *   result differs from `f`'s own: `f` branched on a traced value where `jit` cannot see it.
 * @example
 * ```ts
 * import { jit, grad, mul, sin, sum, type Num } from "chainrule";
 * const f = (x: Num[]) => sum(x.map((xi) => mul(xi, sin(xi))));
 * const df = jit(grad(f)); // traced and compiled on the first call
 * console.log(df([1, 2, 3])); // [sin 1 + cos 1, sin 2 + 2 cos 2, sin 3 + 3 cos 3]
 * console.log(df([4, 5, 6])); // same structure: runs the compiled code, f is not called
 * console.log(jit((x: Num, k: number) => mul(x, k), { staticArgnums: 1 })(2, 10)); // 20
 * console.log(String(df.lower([1, 2, 3]))); // the optimised graph and the generated JavaScript
 * ```
 * @typeParam F - the type of `f`; the result's type follows from its parameters and result.
 * @typeParam S - `staticArgnums` as written (positions exempt from the `number` check).
 * @category Transforms
 */
export function jit<F extends (...args: any[]) => unknown, const S extends number | readonly number[] = never>(
  f: JitChecked<F, S>,
  options?: JitOptions<S>,
): Jitted<F>;
export function jit(f: (...args: unknown[]) => unknown, options: JitOptions = {}): Jitted<(...args: unknown[]) => unknown> {
  expectFunction(f, "jit");
  const read = readOptions(options, JIT_OPTIONS, "jit");
  const statics: ReadonlySet<number> = new Set(positionList(read.staticArgnums));
  const staticList = [...statics];
  const verify = read.verify ?? true;
  const cacheSize = normalizeCacheSize(read.cacheSize);
  // Least recently used first (a Map iterates in insertion order; a hit is moved to the end).
  const cache = new Map<string, Entry>();
  let last: Entry | undefined;
  /** Entries not yet checked against an eager call of `f` (with `verify`), and their cache keys. */
  const unchecked = new Map<Entry, string>();
  const retraces = new RetraceCounter(staticList);

  /** The entry for `args`, staging `f` if needed; with the argument leaves when they are not all numbers. */
  const lookup = (args: readonly unknown[], debug: boolean): Entry => {
    checkStaticRange(statics, args.length);
    const defs: (TreeDef | undefined)[] = [];
    for (let i = 0; i < args.length; i++) {
      defs.push(statics.has(i) ? undefined : flatten(args[i], argRoot(i, args.length), "jit: argument (mark non-numeric arguments with staticArgnums)").def);
    }
    const key = cacheKey(args, defs, statics, debug);
    let e = cache.get(key);
    if (e !== undefined) {
      cache.delete(key);
      cache.set(key, e);
    } else {
      const staged = stage(f, args, [...statics], "jit").graph;
      const { graph, origin } = optimize(staged);
      const compilable = graph.consts.concrete;
      e = {
        nargs: args.length,
        statics: args.map((a, i) => (statics.has(i) ? a : undefined)),
        defs,
        debug,
        staged: debug || staged.checkNans ? staged : undefined,
        graph,
        origin,
        compilable,
        exec: undefined,
        memory: undefined,
        build: undefined,
        busy: false,
      };
      // A graph holding an enclosing transform's tracers is only valid during that trace.
      if (compilable) {
        cache.set(key, e);
        if (verify) unchecked.set(e, key);
        if (cache.size > cacheSize) {
          const oldest = cache.keys().next().value!;
          const evicted = cache.get(oldest)!;
          cache.delete(oldest);
          unchecked.delete(evicted);
        }
      }
      retraces.staged(args);
    }
    if (e.compilable) last = e;
    return e;
  };

  const jitted = (...args: unknown[]): unknown => {
    const debug = nanWatch.hook !== undefined;
    let e = last;
    let r: unknown = MISS;
    // Fast path: same structure and static values as the last call.
    if (e !== undefined && e.debug === debug && e.nargs === args.length && staticsEqual(e, args, staticList)) r = runEntry(e, args);
    if (r === MISS) {
      e = lookup(args, debug);
      r = runEntry(e, args);
      if (r === MISS) throw new ChainruleError("jit: internal error: the arguments do not match the graph staged for them");
    }
    if (unchecked.size !== 0) checkFirstCall(e!, args, r);
    return r;
  };

  /** On the first run of a new entry with plain numbers, compares its result `r` with `f` itself. */
  const checkFirstCall = (e: Entry, args: readonly unknown[], r: unknown): void => {
    const key = unchecked.get(e);
    if (key === undefined || !plainNumbers(e, args)) return;
    unchecked.delete(e);
    try {
      checkAgainstEager(e.graph.outputDef!, r, f(...args));
    } catch (err) {
      // A mismatching (or throwing) entry is dropped, so every call fails the same way
      // instead of later calls running a wrong graph.
      cache.delete(key);
      if (last === e) last = undefined;
      throw err;
    }
  };

  const lower = (...args: unknown[]): Lowered => {
    const e = lookup(args, nanWatch.hook !== undefined);
    const exec = e.compilable ? executable(e) : undefined;
    const graph = e.graph;
    const stats = exec?.stats ?? { equations: graph.size - graph.inputs.length, statements: 0, loops: 0, chunks: 0 };
    const strategy = exec?.strategy ?? "evaluated";
    const source = exec?.source;
    return {
      graph,
      strategy,
      source,
      stats,
      toString: () =>
        `${String(graph)}\n// strategy: ${strategy}; ${stats.equations} equations, ${stats.statements} statements, ${stats.loops} loops, ${stats.chunks} functions` +
        (source === undefined ? "" : `\n${source}`),
    };
  };

  return Object.assign(jitted, { lower }) as unknown as Jitted<(...args: unknown[]) => unknown>;
}

const MISS: unique symbol = Symbol("miss");

// ---- misuse checks: the first-call comparison and the retrace warning ---------------------------

/** Whether every non-static argument leaf is a plain number (a top-level call, not inside a transform). */
function plainNumbers(e: Entry, args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    if (e.defs[i] === undefined) continue;
    const { leaves } = flatten(args[i], argRoot(i, args.length), "jit: argument");
    for (const x of leaves) if (typeof x !== "number") return false;
  }
  return true;
}

/** Runs `e` on `args`, or returns MISS when they do not have its structure. */
function runEntry(e: Entry, args: readonly unknown[]): unknown {
  if (e.compilable && (!e.debug || e.graph.checkNans)) {
    const exec = executable(e);
    const owner = !e.busy; // a user primitive may call this jitted function again while it runs
    const m = owner ? e.memory! : exec.newMemory();
    let off = 0;
    for (let i = 0; i < args.length && off >= 0; i++) {
      const d = e.defs[i];
      if (d !== undefined) off = fill(d, args[i], m, off);
    }
    if (off === MISMATCH) return MISS;
    if (off !== TRACED) {
      if (owner) e.busy = true;
      try {
        exec.run(m);
        return e.build!(m);
      } finally {
        if (owner) e.busy = false;
      }
    }
  }
  // Traced arguments, traced constants, or NaN debugging on an unchecked graph: re-bind every
  // equation at the caller's level, so enclosing transforms (and debugNans) see each operation.
  const leaves: Num[] = [];
  for (let i = 0; i < args.length; i++) {
    const d = e.defs[i];
    if (d === undefined) continue;
    let ls: Num[];
    try {
      ls = flattenAs(d, args[i], argRoot(i, args.length), "jit: argument");
    } catch {
      return MISS;
    }
    for (const x of ls) leaves.push(x);
  }
  const g = e.debug && !e.graph.checkNans ? e.staged! : e.graph;
  const vals = evaluate(g, leaves);
  const out = g.outputs.map((r) => (r >= 0 ? vals.get(r) : g.constant(r)));
  return unflatten(g.outputDef!, out);
}

/** The compiled form of `e`, made on first use. */
function executable(e: Entry): Executable {
  if (e.exec === undefined) {
    const { origin } = e;
    // Name the equation as it was staged (what makeGraph prints), when that graph was kept.
    const staged = e.staged ?? e.graph;
    const exec = compileGraph(e.graph, {
      onNan: (v) => {
        const o = e.staged === undefined ? v : origin[v]!;
        const p = staged.prim(o);
        const text = `${varName(o)} = ${p.name}(${staged.operandNames(o).join(", ")})`;
        return new NonFiniteError(`jit: ${p.name} produced NaN in equation ${text} (NaN checking is on for this graph)`);
      },
    });
    e.memory = exec.newMemory();
    e.build = outputBuilder(e.graph.outputDef!, exec.outputSlots);
    e.exec = exec;
  }
  return e.exec;
}

function staticsEqual(e: Entry, args: readonly unknown[], statics: readonly number[]): boolean {
  for (let i = 0; i < statics.length; i++) {
    const k = statics[i]!;
    if (!sameStatic(e.statics[k], args[k])) return false;
  }
  return true;
}
