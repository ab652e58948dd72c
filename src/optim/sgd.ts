/**
 * Stochastic gradient descent.
 */
import { mul } from "../primitives/arithmetic.js";
import { unflatten } from "../tree/tree.js";
import {
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
 * The state of {@link sgd}: how many updates were made (what a schedule is evaluated at).
 *
 * @example
 * ```ts
 * import { sgd, type SgdState } from "chainrule";
 * const state: SgdState = sgd(0.1).init({ w: [1, 2] });
 * console.log(state); // { count: 0 }
 * ```
 * @category Optimizers
 */
export interface SgdState {
  /** The number of updates made so far. */
  readonly count: number;
}

/**
 * The state kind of {@link sgd} (its state does not depend on the parameters).
 *
 * @example
 * ```ts
 * import { sgd, type Optimizer, type SgdStateKind } from "chainrule";
 * const opt: Optimizer<SgdStateKind> = sgd(0.1);
 * console.log(opt.init([1]).count); // 0
 * ```
 * @category Optimizers
 */
export interface SgdStateKind extends OptimizerStateKind {
  readonly state: SgdState;
}

/**
 * Plain (stochastic) gradient descent, as optax's `sgd` without momentum: the update is
 * `−lr · g`.
 *
 * @param learningRate - a number, or a {@link Schedule} of the update count.
 * @returns an {@link Optimizer} whose state is `{ count }`.
 * @throws {@link ChainruleError} when `learningRate` is neither a finite number ≥ 0 (or a `Num`)
 * nor a function.
 * @example
 * ```ts
 * import { applyUpdates, sgd } from "chainrule";
 * const opt = sgd(0.1);
 * const params = { w: [1, 2], b: 0 };
 * const [updates, state] = opt.update({ w: [1, -1], b: 2 }, opt.init(params));
 * console.log(updates); // { w: [-0.1, 0.1], b: -0.2 }
 * console.log(applyUpdates(params, updates), state); // { w: [0.9, 2.1], b: -0.2 } { count: 1 }
 * ```
 * @category Optimizers
 */
export function sgd(learningRate: LearningRate): Optimizer<SgdStateKind> {
  const schedule = toSchedule("sgd", learningRate);
  return {
    init: (params) => initState("sgd.init", params, []) as unknown as SgdState,
    update: <P>(grads: P, state: SgdState, params?: P): [P, SgdState] => {
      const { count, def, grads: g } = readUpdate("sgd.update", grads, state, params, []);
      const rate = negatedRate("sgd", schedule, count);
      const updates = unflatten(def, g.map((gi) => mul(gi, rate))) as P;
      return [updates, madeState({ count: count + 1 }, def)];
    },
  };
}
