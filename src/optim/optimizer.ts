/**
 * The optimizer interface (as optax's `GradientTransformation`), learning-rate schedules, and
 * `applyUpdates`. Optimizers are pure: `update` returns new updates and a new state, and
 * nothing they are given is mutated.
 */
import { ChainruleError } from "../errors.js";
import { Tracer, type Num } from "../core/num.js";
import { add, neg } from "../primitives/arithmetic.js";
import { flatten, flattenAs, unflatten, type TreeDef } from "../tree/tree.js";

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
   * The updates for `grads` (a tree shaped like the parameters) and the next state; `params`
   * is accepted for optimizers that need it (weight decay) and is otherwise ignored.
   * @throws {@link TreeStructureError} when `grads` or the trees in `state` have another shape.
   * @throws {@link ChainruleError} when `state` is not an optimizer state.
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

/** Checks a learning rate given to an optimizer factory and turns it into a schedule. */
export function toSchedule(name: string, learningRate: LearningRate): Schedule {
  if (typeof learningRate === "function") return learningRate;
  if (typeof learningRate === "number" || learningRate instanceof Tracer) return () => learningRate;
  throw new ChainruleError(`${name}: the learning rate must be a number or a schedule (count) => number, got ${String(learningRate)}`);
}

/** Checks a hyperparameter that must lie in [0, 1). */
export function checkDecay(name: string, what: string, x: number): void {
  if (typeof x !== "number" || !(x >= 0 && x < 1)) {
    throw new ChainruleError(`${name}: ${what} must be a number in [0, 1), got ${String(x)}`);
  }
}

/** The learning rate for the update after `count` earlier ones, negated (updates are −lr·…). */
export function negatedRate(name: string, schedule: Schedule, count: number): Num {
  const lr = schedule(count);
  if (typeof lr !== "number" && !(lr instanceof Tracer)) {
    throw new ChainruleError(`${name}: the learning-rate schedule returned ${String(lr)} for count ${count}; it must return a number`);
  }
  return neg(lr);
}

/** Reads the count of a state, checking that the state looks like one. */
export function stateCount(name: string, state: unknown): number {
  const count = typeof state === "object" && state !== null ? (state as { count?: unknown }).count : undefined;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new ChainruleError(
      `${name}: state must be the state returned by init or by the previous update (an object with an integer count), got ${typeof state === "object" && state !== null ? `count ${String(count)}` : String(state)}`,
    );
  }
  return count;
}

/** Flattens the gradients of an update. */
export function flattenGrads(name: string, grads: unknown): { leaves: Num[]; def: TreeDef } {
  return flatten(grads, "", `${name}: grads`);
}

/** Flattens a tree kept in the state (`mu`, `velocity`), which must mirror the gradients. */
export function flattenStateTree(name: string, def: TreeDef, state: object, key: string): Num[] {
  return flattenAs(def, (state as Record<string, unknown>)[key], key, `${name}: state`);
}

/** A tree of zeros shaped like `params`. */
export function zerosLike(name: string, params: unknown): unknown {
  const { leaves, def } = flatten(params, "", `${name}: params`);
  return unflatten(def, leaves.map(() => 0));
}
