// Trains a small multilayer perceptron (2-16-16-1, tanh — the seed's network, grown a little)
// to separate the two interleaving half circles of the "two moons" dataset, with valueAndGrad
// and adam. Everything is seeded, so every run prints the same numbers.
//
//   npm run example:mlp      (builds, then runs this file)
//
// The model, the data and the training loop live in mlp-model.mjs, shared with
// test/mlp.test.ts, which checks that the target accuracy is reached.
import { DEFAULT_CONFIG, TARGET_ACCURACY, train } from "./mlp-model.mjs";

const c = DEFAULT_CONFIG;
console.log(
  `MLP ${c.sizes.join("-")} (tanh) on two moons: ${c.trainPoints} training points, ${c.testPoints} held out, ` +
    `noise ${c.noise}; full-batch adam(${c.learningRate}) for ${c.steps} steps.`,
);
console.log(`Target: at least ${(TARGET_ACCURACY * 100).toFixed(0)}% accuracy on the held-out points.\n`);

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const result = train(c, ({ step, loss, trainAccuracy }) => {
  console.log(`step ${String(step).padStart(4)}   loss ${loss.toFixed(4)}   training accuracy ${pct(trainAccuracy)}`);
});

console.log(`\nFinal loss ${result.loss.toFixed(4)}; training accuracy ${pct(result.trainAccuracy)}.`);
console.log(`Held-out accuracy ${pct(result.testAccuracy)} (target ≥ ${pct(TARGET_ACCURACY)}): ${result.testAccuracy >= TARGET_ACCURACY ? "reached" : "NOT reached"}.`);
console.log(`Trained in ${result.seconds.toFixed(1)} s.`);
process.exitCode = result.testAccuracy >= TARGET_ACCURACY ? 0 : 1;
