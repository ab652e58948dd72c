/**
 * Gradient descent with (heavy-ball) momentum.
 */
import { add, mul } from "../primitives/arithmetic.js";
import { unflatten } from "../tree/tree.js";
import {
  checkDecay,
  initState,
  madeState,
  negatedRate,
  readUpdate,
  toSchedule,
  type LearningRate,
  type Optimizer,
  type OptimizerStateKind,
} from "./optimizer.js";

/**
 * The state of {@link momentum} for parameters of type `P`.
 *
 * @example
 * ```ts
 * import { momentum, type MomentumState } from "chainrule";
 * const state: MomentumState<{ w: number[] }> = momentum(0.1).init({ w: [1, 2] });
 * console.log(state); // { count: 0, velocity: { w: [0, 0] } }
 * ```
 * @category Optimizers
 */
export interface MomentumState<P> {
  /** The number of updates made so far. */
  readonly count: number;
  /** The velocity `v`, a tree shaped like the parameters (zeros at first). */
  readonly velocity: P;
}

/**
 * The state kind of {@link momentum}: its state holds a velocity shaped like the parameters.
 *
 * @example
 * ```ts
 * import { momentum, type MomentumStateKind, type Optimizer, type OptimizerState } from "chainrule";
 * const opt: Optimizer<MomentumStateKind> = momentum(0.1);
 * const state: OptimizerState<MomentumStateKind, number[]> = opt.init([1, 2]);
 * console.log(state.velocity); // [0, 0]
 * ```
 * @category Optimizers
 */
export interface MomentumStateKind extends OptimizerStateKind {
  readonly state: MomentumState<this["params"]>;
}

/**
 * Gradient descent with momentum, as optax's `sgd(lr, momentum=beta)`: `v ← β·v + g`, and the
 * update is `−lr · v` (with the new `v`).
 *
 * @param learningRate - a number, or a {@link Schedule} of the update count.
 * @param beta - the momentum decay β in [0, 1), 0.9 by default.
 * @returns an {@link Optimizer} whose state is `{ count, velocity }`.
 * @throws {@link ChainruleError} when `learningRate` is neither a finite number ≥ 0 (or a `Num`)
 * nor a function, or `beta` is not a finite number in [0, 1).
 * @example
 * ```ts
 * import { momentum } from "chainrule";
 * const opt = momentum(0.1, 0.5);
 * const s0 = opt.init([0]);
 * const [u1, s1] = opt.update([1], s0); // v = 1,   update -0.1
 * const [u2] = opt.update([1], s1); //     v = 1.5, update ≈ -0.15
 * console.log(u1, u2);
 * ```
 * @category Optimizers
 */
export function momentum(learningRate: LearningRate, beta = 0.9): Optimizer<MomentumStateKind> {
  const schedule = toSchedule("momentum", learningRate);
  checkDecay("momentum", "beta", beta);
  return {
    init: <P>(params: P): MomentumState<P> => initState("momentum.init", params, ["velocity"]) as unknown as MomentumState<P>,
    update: <P>(grads: P, state: MomentumState<P>, params?: P): [P, MomentumState<P>] => {
      const { count, def, grads: g, trees } = readUpdate("momentum.update", grads, state, params, ["velocity"]);
      const v = trees[0]!;
      const rate = negatedRate("momentum", schedule, count);
      const velocity = g.map((gi, i) => add(gi, mul(beta, v[i]!)));
      const updates = unflatten(def, velocity.map((vi) => mul(vi, rate))) as P;
      return [updates, madeState({ count: count + 1, velocity: unflatten(def, velocity) as P }, def)];
    },
  };
}
