/**
 * Adam (Kingma & Ba, 2015), exactly as optax's `adam`.
 */
import { ChainruleError } from "../errors.js";
import type { Num } from "../core/num.js";
import { add, div, mul, sqrt } from "../primitives/arithmetic.js";
import { unflatten } from "../tree/tree.js";
import {
  checkDecay,
  flattenGrads,
  flattenStateTree,
  negatedRate,
  stateCount,
  toSchedule,
  zerosLike,
  type LearningRate,
  type Optimizer,
  type OptimizerStateKind,
} from "./optimizer.js";

/**
 * Options of {@link adam}; every one is optional.
 *
 * @example
 * ```ts
 * import { adam, type AdamOptions } from "chainrule";
 * const options: AdamOptions = { b1: 0.8, b2: 0.99, eps: 1e-6 };
 * console.log(adam(1e-3, options).init([0]).count); // 0
 * ```
 * @category Optimizers
 */
export interface AdamOptions {
  /** Decay of the first moment (the mean of the gradients), 0.9 by default. */
  readonly b1?: number | undefined;
  /** Decay of the second moment (the mean of the squared gradients), 0.999 by default. */
  readonly b2?: number | undefined;
  /** Added to the denominator, outside the square root: `√v̂ + eps`; 1e-8 by default. */
  readonly eps?: number | undefined;
  /** Added to `v̂` inside the square root: `√(v̂ + epsRoot)`; 0 by default (as optax's `eps_root`). */
  readonly epsRoot?: number | undefined;
}

/**
 * The state of {@link adam} for parameters of type `P`.
 *
 * @example
 * ```ts
 * import { adam, type AdamState } from "chainrule";
 * const state: AdamState<{ w: number[] }> = adam(1e-3).init({ w: [1, 2] });
 * console.log(state); // { count: 0, mu: { w: [0, 0] }, nu: { w: [0, 0] } }
 * JSON.parse(JSON.stringify(state)); // plain data: it survives a JSON round trip
 * ```
 * @category Optimizers
 */
export interface AdamState<P> {
  /** The number of updates made so far (the bias correction uses `count + 1` on the next one). */
  readonly count: number;
  /** The first moment `m`, shaped like the parameters (zeros at first). */
  readonly mu: P;
  /** The second moment `v`, shaped like the parameters (zeros at first). */
  readonly nu: P;
}

/**
 * The state kind of {@link adam}: its state holds two moments shaped like the parameters.
 *
 * @example
 * ```ts
 * import { adam, type AdamStateKind, type Optimizer, type OptimizerState } from "chainrule";
 * const opt: Optimizer<AdamStateKind> = adam(1e-3);
 * const state: OptimizerState<AdamStateKind, number[]> = opt.init([1, 2]);
 * console.log(state.mu, state.nu); // [0, 0] [0, 0]
 * ```
 * @category Optimizers
 */
export interface AdamStateKind extends OptimizerStateKind {
  readonly state: AdamState<this["params"]>;
}

/**
 * The Adam optimizer, computed as optax's `adam`: with `t` the new count,
 * `m ← (1−b1)·g + b1·m`, `v ← (1−b2)·g² + b2·v`, `m̂ = m / (1 − b1ᵗ)`, `v̂ = v / (1 − b2ᵗ)`,
 * and the update is `−lr · m̂ / (√(v̂ + epsRoot) + eps)`. A schedule is evaluated at the count
 * before the update (0 first). The first update is `−lr · g / (|g| + eps)`, about `−lr·sign(g)`.
 *
 * @param learningRate - a number, or a {@link Schedule} of the update count.
 * @param options - `b1` (0.9), `b2` (0.999), `eps` (1e-8), `epsRoot` (0).
 * @returns an {@link Optimizer} whose state is `{ count, mu, nu }`.
 * @throws {@link ChainruleError} when `learningRate` is neither a number nor a function, `b1`
 * or `b2` is not in [0, 1), or `eps`/`epsRoot` is negative.
 * @example
 * ```ts
 * import { adam, applyUpdates, grad, square, sub, type Num } from "chainrule";
 * const loss = (p: { x: Num }) => square(sub(p.x, 3));
 * const opt = adam(0.1);
 * let params = { x: 0 };
 * let state = opt.init(params);
 * for (let i = 0; i < 200; i++) {
 *   const [updates, next] = opt.update(grad(loss)(params), state, params);
 *   params = applyUpdates(params, updates);
 *   state = next;
 * }
 * console.log(params.x.toFixed(2), state.count); // "3.00" 200
 * ```
 * @category Optimizers
 */
export function adam(learningRate: LearningRate, options: AdamOptions = {}): Optimizer<AdamStateKind> {
  const schedule = toSchedule("adam", learningRate);
  const b1 = options.b1 ?? 0.9;
  const b2 = options.b2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const epsRoot = options.epsRoot ?? 0;
  checkDecay("adam", "b1", b1);
  checkDecay("adam", "b2", b2);
  for (const [what, x] of [["eps", eps], ["epsRoot", epsRoot]] as const) {
    if (typeof x !== "number" || !(x >= 0)) throw new ChainruleError(`adam: ${what} must be a number ≥ 0, got ${String(x)}`);
  }
  return {
    // mu and nu are two distinct trees (never aliased), so a state is safe to mutate by hand.
    init: <P>(params: P): AdamState<P> => ({
      count: 0,
      mu: zerosLike("adam.init", params) as P,
      nu: zerosLike("adam.init", params) as P,
    }),
    update: <P>(grads: P, state: AdamState<P>): [P, AdamState<P>] => {
      const count = stateCount("adam.update", state);
      const { leaves, def } = flattenGrads("adam.update", grads);
      const m = flattenStateTree("adam.update", def, state, "mu");
      const v = flattenStateTree("adam.update", def, state, "nu");
      const rate = negatedRate("adam", schedule, count);
      const t = count + 1;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const n = leaves.length;
      const mu = new Array<Num>(n);
      const nu = new Array<Num>(n);
      const updates = new Array<Num>(n);
      for (let i = 0; i < n; i++) {
        const g = leaves[i]!;
        mu[i] = add(mul(1 - b1, g), mul(b1, m[i]!));
        nu[i] = add(mul(1 - b2, mul(g, g)), mul(b2, v[i]!));
        const mHat = div(mu[i]!, c1);
        const vHat = div(nu[i]!, c2);
        updates[i] = mul(div(mHat, add(sqrt(add(vHat, epsRoot)), eps)), rate);
      }
      return [unflatten(def, updates) as P, { count: t, mu: unflatten(def, mu) as P, nu: unflatten(def, nu) as P }];
    },
  };
}
