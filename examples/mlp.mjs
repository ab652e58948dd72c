// Trains a small multilayer perceptron (2-16-16-1, tanh — the lecture notes' small network, grown a little)
// to separate the two interleaving half circles of the "two moons" dataset, with valueAndGrad
// and adam. Everything is seeded, so every run prints the same numbers (but the steps per
// second). Draws the loss curve and the decision boundary as SVG files in examples/out/ (or the
// folder given as the first argument).
//
//   npm run example:mlp      (builds, then runs this file)
//
// The model, the data and the training loop live in mlp-model.mjs, shared with
// test/mlp.test.ts, which checks that the target accuracy is reached; the pictures are drawn by
// mlp-pictures.mjs, shared with scripts/docs-pictures.mjs.
import { mkdirSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG, TARGET_ACCURACY, train } from "./mlp-model.mjs";
import { decisionBoundarySvg, lossCurveSvg } from "./mlp-pictures.mjs";
import { progressLine } from "./progress.mjs";

const c = DEFAULT_CONFIG;
console.log(
  `MLP ${c.sizes.join("-")} (tanh) on two moons: ${c.trainPoints} training points, ${c.testPoints} held out, ` +
    `noise ${c.noise}; full-batch adam(${c.learningRate}) for ${c.steps} steps.`,
);
console.log(`Target: at least ${(TARGET_ACCURACY * 100).toFixed(0)}% accuracy on the held-out points.\n`);

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const progress = progressLine({ total: c.steps });
const result = train(c, ({ step, loss, trainAccuracy }) => progress.report(step, { loss, "training accuracy": pct(trainAccuracy) }));
progress.done();

console.log(`\nFinal loss ${result.loss.toFixed(4)}; training accuracy ${pct(result.trainAccuracy)}.`);
console.log(`Held-out accuracy ${pct(result.testAccuracy)} (target ≥ ${pct(TARGET_ACCURACY)}): ${result.testAccuracy >= TARGET_ACCURACY ? "reached" : "NOT reached"}.`);
console.log(`Trained in ${result.seconds.toFixed(1)} s.`);

const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL("./out/", import.meta.url)));
mkdirSync(outDir, { recursive: true });
const files = [
  ["mlp-loss.svg", lossCurveSvg(result.losses)],
  ["mlp-decision-boundary.svg", decisionBoundarySvg(result.params, result.trainSet.xs, result.trainSet.ys)],
];
console.log(`\nThe loss curve and the decision boundary are in ${relative(process.cwd(), outDir) || "."}/:`);
for (const [name, svg] of files) {
  writeFileSync(resolve(outDir, name), svg);
  console.log(`  ${relative(process.cwd(), resolve(outDir, name))}`);
}
process.exitCode = result.testAccuracy >= TARGET_ACCURACY ? 0 : 1;
