// Fitting the frequency ω and the damping ζ of a damped oscillator x'' + 2ζωx' + ω²x = 0 to
// noisy observations of its position. The simulation is a scan over 1,000 steps of the
// classical Runge–Kutta method (RK4): the carry is the state [x, v], each step outputs the new
// position. The loss is the mean squared error against the observations; adam follows
// jit(valueAndGrad(loss)). Shared by examples/ode-fit.mjs (which prints the progress) and
// test/ode-fit.test.ts (which checks that ω and ζ are recovered).
import { adam, add, applyUpdates, jit, mean, mul, neg, scan, square, sub, valueAndGrad } from "chainrule";
import { mulberry32 } from "./mlp-model.mjs";

/** The settings of the experiment: the truth, the observations, the first guess and the optimizer. */
export const DEFAULT_CONFIG = Object.freeze({
  truth: Object.freeze({ omega: 2, zeta: 0.15 }),
  start: Object.freeze({ omega: 1.6, zeta: 0.4 }),
  x0: 1,
  v0: 0,
  steps: 1000, // RK4 steps
  dt: 0.01, // so the observations cover 10 time units, three periods
  noise: 0.05, // standard deviation of the noise on each observed position
  seed: 7,
  iterations: 300,
  learningRate: 0.03,
  logEvery: 25,
});

/** How close the fit must come to the truth (relative error of ω and of ζ). */
export const TOLERANCE = Object.freeze({ omega: 0.01, zeta: 0.05 });

/** A standard normal sample (Box–Muller) from a uniform PRNG. */
function gaussian(rand) {
  const u = 1 - rand(); // in (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * The positions after each of `steps` RK4 steps of size `dt` from (x0, v0), for parameters
 * `{ omega, zeta }` (numbers or traced values): one scan over the steps.
 */
export function simulate({ omega, zeta }, { x0, v0, steps, dt }) {
  const damping = mul(2, mul(zeta, omega)); // 2ζω
  const stiffness = mul(omega, omega); // ω²
  // the acceleration x'' = −2ζω·v − ω²·x
  const accel = (x, v) => neg(add(mul(damping, v), mul(stiffness, x)));
  const h = dt / 2;
  const [, positions] = scan(
    ([x, v]) => {
      const k1x = v;
      const k1v = accel(x, v);
      const k2x = add(v, mul(h, k1v));
      const k2v = accel(add(x, mul(h, k1x)), k2x);
      const k3x = add(v, mul(h, k2v));
      const k3v = accel(add(x, mul(h, k2x)), k3x);
      const k4x = add(v, mul(dt, k3v));
      const k4v = accel(add(x, mul(dt, k3x)), k4x);
      const nx = add(x, mul(dt / 6, add(add(k1x, mul(2, k2x)), add(mul(2, k3x), k4x))));
      const nv = add(v, mul(dt / 6, add(add(k1v, mul(2, k2v)), add(mul(2, k3v), k4v))));
      return [[nx, nv], nx];
    },
    [x0, v0],
    null,
    { length: steps },
  );
  return positions;
}

/** The observations: the true trajectory plus Gaussian noise of a fixed seed. */
export function observe(config = DEFAULT_CONFIG) {
  const rand = mulberry32(config.seed);
  return simulate(config.truth, config).map((x) => x + config.noise * gaussian(rand));
}

/** The mean squared error between the simulated positions for `params` and `observed`. */
export function makeLoss(observed, config = DEFAULT_CONFIG) {
  return (params) => {
    const xs = simulate(params, config);
    return mean(xs.map((x, i) => square(sub(x, observed[i]))));
  };
}

/**
 * Fits { omega, zeta } with adam from `config.start`; calls `onProgress({ iteration, loss, params })`
 * every `config.logEvery` iterations. Returns the fitted parameters, the final loss and the time taken.
 */
export function fit(config = DEFAULT_CONFIG, onProgress = () => {}) {
  const started = performance.now();
  const observed = observe(config);
  const step = jit(valueAndGrad(makeLoss(observed, config)));
  const optimizer = adam(config.learningRate);
  let params = { ...config.start };
  let state = optimizer.init(params);
  let loss = NaN;
  for (let iteration = 0; iteration < config.iterations; iteration++) {
    const [value, grads] = step(params);
    loss = value;
    if (iteration % config.logEvery === 0) onProgress({ iteration, loss, params });
    const [updates, next] = optimizer.update(grads, state);
    params = applyUpdates(params, updates);
    state = next;
  }
  loss = step(params)[0];
  return { params, loss, seconds: (performance.now() - started) / 1000 };
}
