/**
 * Adam (Kingma & Ba, 2015), exactly as optax's `adam`.
 */
import type { Num } from "../core/num.js";
import { add, div, mul, sqrt } from "../primitives/arithmetic.js";
import { readNumber, readOptions } from "../transforms/common.js";
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

const ADAM_OPTIONS = {
  b1: readNumber("in [0, 1)", (x) => x >= 0 && x < 1),
  b2: readNumber("in [0, 1)", (x) => x >= 0 && x < 1),
  eps: readNumber("≥ 0", (x) => x >= 0),
  epsRoot: readNumber("≥ 0", (x) => x >= 0),
};

/**
 * The Adam optimizer, computed as optax's `adam`: with `t` the new count,
 * `m ← (1−b1)·g + b1·m`, `v ← (1−b2)·g² + b2·v`, `m̂ = m / (1 − b1ᵗ)`, `v̂ = v / (1 − b2ᵗ)`,
 * and the update is `−lr · m̂ / (√(v̂ + epsRoot) + eps)`. A schedule is evaluated at the count
 * before the update (0 first). The first update is `−lr · g / (|g| + eps)`, about `−lr·sign(g)`.
 *
 * @param learningRate - a number, or a {@link Schedule} of the update count.
 * @param options - `b1` (0.9), `b2` (0.999), `eps` (1e-8), `epsRoot` (0).
 * @returns an {@link Optimizer} whose state is `{ count, mu, nu }`.
 * @throws {@link ChainruleError} when `learningRate` is neither a finite number ≥ 0 (or a `Num`)
 * nor a function, `b1` or `b2` is not in [0, 1), `eps`/`epsRoot` is negative or not finite, or
 * `options` has an unknown key.
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
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0 } = readOptions(options, ADAM_OPTIONS, "adam");
  return {
    init: <P>(params: P): AdamState<P> => initState("adam.init", params, ["mu", "nu"]) as unknown as AdamState<P>,
    update: <P>(grads: P, state: AdamState<P>, params?: P): [P, AdamState<P>] => {
      const { count, def, grads: leaves, trees } = readUpdate("adam.update", grads, state, params, ["mu", "nu"]);
      const [m, v] = trees as [Num[], Num[]];
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
      return [unflatten(def, updates) as P, madeState({ count: t, mu: unflatten(def, mu) as P, nu: unflatten(def, nu) as P }, def)];
    },
  };
}
