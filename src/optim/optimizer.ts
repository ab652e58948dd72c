/**
 * The optimizer interface (as optax's `GradientTransformation`), learning-rate schedules, and
 * `applyUpdates`. Optimizers are pure: `update` returns new updates and a new state, and
 * nothing they are given is mutated.
 */
import { ChainruleError } from "../errors.js";
import { describeValue, isTracer, type Num } from "../core/num.js";
import { add, neg } from "../primitives/arithmetic.js";
import { expectFunction, readNumber } from "../transforms/common.js";
import { flatten, flattenAs, isPlainObject, unflatten, type TreeDef } from "../tree/tree.js";

/**
 * A learning-rate schedule: the learning rate for the update that follows `count` earlier
 * updates (`count` is `0` on the first update), as optax's schedules.
 *
 * @example
 * ```ts
 * import { adam, type Schedule } from "chainrule";
 * const warmup: Schedule = (count) => 1e-3 * Math.min(1, (count + 1) / 100);
 * const opt = adam(warmup);
 * console.log(opt.init([0]).count); // 0
 * ```
 * @category Optimizers
 */
export type Schedule = (count: number) => Num;

/**
 * A learning rate: a constant, or a {@link Schedule} of the update count.
 *
 * @example
 * ```ts
 * import { sgd, type LearningRate } from "chainrule";
 * const constant: LearningRate = 0.1;
 * const decaying: LearningRate = (count) => 0.1 / (1 + count);
 * console.log(sgd(constant).update(1, { count: 0 })[0], sgd(decaying).update(1, { count: 9 })[0]); // -0.1 -0.01
 * ```
 * @category Optimizers
 */
export type LearningRate = Num | Schedule;

/**
 * The type-level description of an optimizer's state as a function of the parameter tree type:
 * an interface extending this one declares `state` in terms of `this["params"]` (see
 * {@link OptimizerState}). It exists only in types.
 *
 * @example
 * ```ts
 * import type { OptimizerState, OptimizerStateKind } from "chainrule";
 * interface TraceState<P> {
 *   count: number;
 *   trace: P;
 * }
 * interface TraceStateKind extends OptimizerStateKind {
 *   readonly state: TraceState<this["params"]>; // `this` only directly in the property's type
 * }
 * const s: OptimizerState<TraceStateKind, { w: number[] }> = { count: 0, trace: { w: [0, 0] } };
 * console.log(s.trace.w);
 * ```
 * @category Optimizers
 */
export interface OptimizerStateKind {
  /** The parameter tree type; filled in by {@link OptimizerState}. */
  readonly params: unknown;
  /** The state type, written in terms of `this["params"]`. */
  readonly state: unknown;
}

/**
 * The state of an optimizer of kind `K` for parameters of type `P`, e.g.
 * `OptimizerState<AdamStateKind, { w: number[] }>` is `{ count: number; mu: { w: number[] }; nu: { w: number[] } }`.
 *
 * @example
 * ```ts
 * import { adam, type AdamStateKind, type OptimizerState } from "chainrule";
 * const params = { w: [1, 2], b: 0 };
 * const state: OptimizerState<AdamStateKind, typeof params> = adam(0.1).init(params);
 * console.log(state.mu.w); // [0, 0]
 * ```
 * @category Optimizers
 */
export type OptimizerState<K extends OptimizerStateKind, P> = (K & {
  /** The parameter tree type the state is for. */
  readonly params: P;
})["state"];

/**
 * A pure optimizer over parameter trees, in the style of optax's `GradientTransformation`:
 * `init` makes the state for a parameter tree, `update` turns gradients into updates (to add
 * to the parameters with {@link applyUpdates}) and the next state. Parameters, gradients and
 * updates share one tree type `P`; the state's type depends on `P` through the kind `K`.
 * States are plain data (JSON-serialisable); nothing is mutated.
 *
 * @example
 * ```ts
 * import { applyUpdates, grad, sgd, square, sub, type Num, type Optimizer, type OptimizerStateKind } from "chainrule";
 * // Any optimizer: minimise (x - 3)² for a few steps.
 * function minimise<K extends OptimizerStateKind>(opt: Optimizer<K>, steps: number): number {
 *   const g = grad((x: Num) => square(sub(x, 3)));
 *   let x = 0;
 *   let state = opt.init(x);
 *   for (let i = 0; i < steps; i++) {
 *     const [updates, next] = opt.update(g(x), state, x);
 *     x = applyUpdates(x, updates);
 *     state = next;
 *   }
 *   return x;
 * }
 * console.log(minimise(sgd(0.25), 20)); // ≈ 3
 * ```
 * @category Optimizers
 */
export interface Optimizer<K extends OptimizerStateKind> {
  /**
   * The initial state for `params` (only their shape matters): a new plain object.
   * @throws {@link TreeStructureError} when `params` is not a tree of numbers.
   */
  init<P>(params: P): OptimizerState<K, P>;
  /**
   * The updates for `grads` (a tree shaped like the parameters) and the next state. `grads` is
   * checked against the parameters' structure: `params` when given (optimizers that need the
   * values, such as weight decay, use them too), else the structure the state was made for
   * (recorded by `init` and `update`; for a state read back from JSON, its own trees).
   * @throws {@link TreeStructureError} naming the path when `grads` (or a tree in `state`) does
   *   not have the parameters' structure.
   * @throws {@link ChainruleError} when `state` is not a state of this optimizer (another
   *   optimizer's, or mangled).
   */
  update<P>(
    grads: P,
    state: OptimizerState<K, NoInfer<P>>,
    params?: NoInfer<P>,
  ): [updates: P, state: OptimizerState<K, P>];
}

/**
 * Adds `updates` (from an optimizer's `update`) to `params`, leaf by leaf: a new tree
 * `params + updates`. Nothing is mutated. Works on traced values too, so a training step can
 * itself be differentiated.
 *
 * @param params - a tree of numbers.
 * @param updates - a tree of the same shape.
 * @returns a new tree shaped like `params`.
 * @throws {@link TreeStructureError} naming the path where `updates` differs from `params`.
 * @example
 * ```ts
 * import { applyUpdates } from "chainrule";
 * console.log(applyUpdates({ w: [1, 2], b: 3 }, { w: [0.5, -0.5], b: -1 })); // { w: [1.5, 1.5], b: 2 }
 * ```
 * @category Optimizers
 */
export function applyUpdates(params: number, updates: number): number;
export function applyUpdates<P>(params: P, updates: NoInfer<P>): P;
export function applyUpdates<P>(params: P, updates: NoInfer<P>): P {
  const { leaves, def } = flatten(params, "", "applyUpdates: params");
  const u = flattenAs(def, updates, "", "applyUpdates: updates");
  return unflatten(def, leaves.map((p, i) => add(p, u[i]!))) as P;
}

// ---- Helpers shared by the optimizers ----------------------------------------------------------

const LEARNING_RATE = "a finite number ≥ 0, a Num, or a schedule (count) => number";

/** Checks a learning rate given to an optimizer factory and turns it into a schedule. */
export function toSchedule(name: string, learningRate: LearningRate): Schedule {
  if (typeof learningRate === "function") {
    expectFunction(learningRate, name, "a learning-rate schedule (count) => number");
    return learningRate;
  }
  if (isTracer(learningRate)) return () => learningRate;
  if (typeof learningRate === "number" && Number.isFinite(learningRate) && learningRate >= 0) return () => learningRate;
  throw new ChainruleError(
    `${name}: the learning rate must be a number or a schedule: ${LEARNING_RATE}, got ${describeValue(learningRate)}` +
      (typeof learningRate === "number" && learningRate < 0 ? " (to maximise, minimise the negated objective)" : ""),
  );
}

const readDecay = readNumber("in [0, 1)", (x) => x >= 0 && x < 1);

/** Checks a hyperparameter that must lie in [0, 1). */
export function checkDecay(name: string, what: string, x: number): void {
  readDecay(x, `${name}: ${what}`);
}

/** The learning rate for the update after `count` earlier ones, negated (updates are −lr·…). */
export function negatedRate(name: string, schedule: Schedule, count: number): Num {
  const lr = schedule(count);
  if (!isTracer(lr) && !(typeof lr === "number" && Number.isFinite(lr) && lr >= 0)) {
    throw new ChainruleError(`${name}: the learning-rate schedule returned ${describeValue(lr)} for count ${count}; it must return a finite number ≥ 0 or a Num`);
  }
  return neg(lr);
}

/**
 * The parameters' structure of the states that `init` and `update` made (a state made by hand or
 * read from JSON has none), so that `update` can check the gradients against the parameters —
 * also for `sgd`, whose state holds no tree. Weak: a state that is dropped takes its entry along.
 */
const structures = new WeakMap<object, TreeDef>();

/** Makes the initial state for `params`: `{ count: 0 }` and a tree of zeros for each of `trees`. */
export function initState(name: string, params: unknown, trees: readonly string[]): Record<string, unknown> {
  const { leaves, def } = flatten(params, "", `${name}: params`);
  const state: Record<string, unknown> = { count: 0 };
  // Distinct trees (never aliased), so that a state is safe to mutate by hand.
  for (const k of trees) state[k] = unflatten(def, leaves.map(() => 0));
  structures.set(state, def);
  return state;
}

/** What an update works on, checked: the state's count, the leaves of its trees, and the gradient leaves. */
export interface UpdateInputs {
  readonly count: number;
  /** The parameters' structure (the gradients'). */
  readonly def: TreeDef;
  readonly grads: Num[];
  /** The leaves of each state tree, in the order of `trees`. */
  readonly trees: Num[][];
}

/**
 * Checks the inputs of `update`: `state` must be a state of this optimizer (a plain object with
 * exactly the keys `count` and `trees`, as `init` makes it), and the gradients and the state's
 * trees must have the parameters' structure — taken from `params` when given, else from the
 * state (as recorded when it was made, or its first tree). A mismatch in `grads` blames the
 * gradients, one in the state blames the state, each with the path.
 */
export function readUpdate(name: string, grads: unknown, state: unknown, params: unknown, trees: readonly string[]): UpdateInputs {
  const expected = ["count", ...trees];
  const shape = `{ ${expected.join(", ")} }`;
  let keys: string[];
  try {
    keys = isPlainObject(state) ? Object.keys(state) : [];
  } catch {
    keys = [];
  }
  const record = state as Record<string, unknown>;
  if (keys.length === 0) {
    throw new ChainruleError(`${name}: state must be the state returned by init or by the previous update, ${shape}, got ${describeValue(state)}`);
  }
  const count = record.count;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
    throw new ChainruleError(
      `${name}: state must be the state returned by init or by the previous update (an object with an integer count ≥ 0), got count ${describeValue(count)}`,
    );
  }
  if (keys.length !== expected.length || !expected.every((k) => keys.includes(k))) {
    const shown = keys.slice(0, 8).map((k) => (k.length > 20 ? k.slice(0, 20) + "…" : k));
    throw new ChainruleError(
      `${name}: state must be the state returned by init or by the previous update of this optimizer, ${shape}, got an object with keys ${shown.join(", ")}${keys.length > 8 ? ", …" : ""} (the state of another optimizer?)`,
    );
  }
  let def: TreeDef | undefined;
  if (params !== undefined) def = flatten(params, "", `${name}: params`).def;
  else def = structures.get(state as object) ?? (trees.length > 0 ? flatten(record[trees[0]!], trees[0]!, `${name}: state`).def : undefined);
  const stateWhat = `${name}: state (it must have the parameters' structure: pass the state returned by init(params) or by the previous update)`;
  const treeLeaves = trees.map((k) => flattenAs(def!, record[k], k, stateWhat));
  if (def === undefined) {
    const flat = flatten(grads, "", `${name}: grads`);
    return { count, def: flat.def, grads: flat.leaves, trees: treeLeaves };
  }
  return { count, def, grads: flattenAs(def, grads, "", `${name}: grads (they must have the parameters' structure)`), trees: treeLeaves };
}

/** Records the parameters' structure of a state that `update` returns. */
export function madeState<S extends object>(state: S, def: TreeDef): S {
  structures.set(state, def);
  return state;
}
