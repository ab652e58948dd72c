// A small multilayer perceptron (2-16-16-1, tanh), the "two moons" toy dataset and a training
// loop with valueAndGrad + adam. Shared by examples/mlp.mjs (which prints progress) and
// test/mlp.test.ts (which checks the accuracy is reached). Everything is seeded: the same
// config gives the same numbers on every run.
import { add, adam, applyUpdates, dot, mean, neg, softplus, tanh, toNumber, valueAndGrad } from "chainrule";

/** The accuracy the example promises on held-out points. */
export const TARGET_ACCURACY = 0.95;

/** The configuration the example and its test use. */
export const DEFAULT_CONFIG = Object.freeze({
  sizes: [2, 16, 16, 1],
  trainPoints: 100,
  testPoints: 200,
  noise: 0.15,
  steps: 100,
  learningRate: 0.05,
  dataSeed: 1,
  testSeed: 2,
  initSeed: 3,
  logEvery: 10,
});

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) from a uniform PRNG. */
function gaussian(rand) {
  const u = 1 - rand(); // (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Two interleaving half circles ("two moons", as scikit-learn's make_moons): `n` points, half
 * of each class, with Gaussian noise. Labels are 0 (upper moon) and 1 (lower moon). The points
 * are centred and scaled to roughly [-1, 1].
 */
export function makeMoons(n, { noise = 0.15, seed = 1 } = {}) {
  const rand = mulberry32(seed);
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const angle = Math.PI * rand();
    const x = label === 0 ? Math.cos(angle) : 1 - Math.cos(angle);
    const y = label === 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
    xs.push([(x + noise * gaussian(rand) - 0.5) / 1.5, (y + noise * gaussian(rand) - 0.25) / 1.5]);
    ys.push(label);
  }
  return { xs, ys };
}

/**
 * Parameters of an MLP with the given layer sizes: `{ layers: [{ w, b }, …] }`, `w[j]` the
 * weights into unit `j`, drawn from N(0, 1/fanIn) (LeCun initialisation); biases 0.
 */
export function initMlp(sizes, seed) {
  const rand = mulberry32(seed);
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const w = [];
    for (let j = 0; j < sizes[l + 1]; j++) {
      const row = [];
      for (let i = 0; i < fanIn; i++) row.push(gaussian(rand) / Math.sqrt(fanIn));
      w.push(row);
    }
    layers.push({ w, b: new Array(sizes[l + 1]).fill(0) });
  }
  return { layers };
}

/** The network's output (a logit) for one input point: tanh hidden layers, linear output. */
export function forward(params, x) {
  let h = x;
  const last = params.layers.length - 1;
  params.layers.forEach((layer, l) => {
    h = layer.w.map((row, j) => {
      const z = add(dot(row, h), layer.b[j]);
      return l === last ? z : tanh(z);
    });
  });
  return h[0];
}

/**
 * Mean logistic loss over the points: `log(1 + exp(−s·logit))` with `s = ±1` the label's sign,
 * written as softplus so that it never overflows.
 */
export function loss(params, xs, ys) {
  return mean(xs.map((x, i) => {
    const logit = forward(params, x);
    return softplus(ys[i] === 1 ? neg(logit) : logit);
  }));
}

/** The fraction of points classified correctly (logit > 0 means class 1). */
export function accuracy(params, xs, ys) {
  let right = 0;
  xs.forEach((x, i) => {
    if ((toNumber(forward(params, x)) > 0 ? 1 : 0) === ys[i]) right++;
  });
  return right / xs.length;
}

/**
 * Trains the MLP on two moons with full-batch adam. Calls `onProgress({ step, loss, trainAccuracy })`
 * every `logEvery` steps and at the end. Returns the trained parameters, the final loss, the
 * loss before each step (`losses`), the training points, the accuracies on the training points
 * and on held-out points, and the wall-clock time.
 */
export function train(config = {}, onProgress = () => {}) {
  const c = { ...DEFAULT_CONFIG, ...config };
  const start = performance.now();
  const trainSet = makeMoons(c.trainPoints, { noise: c.noise, seed: c.dataSeed });
  const testSet = makeMoons(c.testPoints, { noise: c.noise, seed: c.testSeed });
  const opt = adam(c.learningRate);
  const lossAndGrad = valueAndGrad(loss);
  let params = initMlp(c.sizes, c.initSeed);
  let state = opt.init(params);
  let value = NaN;
  const losses = [];
  for (let step = 1; step <= c.steps; step++) {
    const [l, grads] = lossAndGrad(params, trainSet.xs, trainSet.ys);
    const [updates, next] = opt.update(grads, state, params);
    params = applyUpdates(params, updates);
    state = next;
    value = l;
    losses.push(l);
    if (step % c.logEvery === 0 || step === c.steps) {
      onProgress({ step, loss: l, trainAccuracy: accuracy(params, trainSet.xs, trainSet.ys) });
    }
  }
  return {
    params,
    loss: value,
    losses,
    trainSet,
    trainAccuracy: accuracy(params, trainSet.xs, trainSet.ys),
    testAccuracy: accuracy(params, testSet.xs, testSet.ys),
    seconds: (performance.now() - start) / 1000,
  };
}
