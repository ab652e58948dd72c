// Draws the pictures of the guides into docs/images/: the lecture notes' three annotated
// computation graphs (the same functions examples/seed.mjs draws, from examples/seed-graphs.mjs)
// and two more for docs/backpropagation.md. Each is `explain(f)(...args)` rendered by
// `toSvg` from chainrule/draw: every node with its forward value above (green) and the
// gradient of the output below (red). And the MLP example's loss curve and decision boundary
// for docs/training.md (examples/mlp-pictures.mjs, after the same seeded training as
// examples/mlp.mjs).
//
//   npm run docs:pictures              (builds, then writes docs/images/*.svg)
//   node scripts/docs-pictures.mjs --check   (fails if a committed picture is out of date)
//
// test/docs-pictures.test.ts runs the check, so the committed pictures never go stale.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { add, explain, mul, sigmoid } from "chainrule";
import { toSvg } from "chainrule/draw";
import { seedGraphs } from "../examples/seed-graphs.mjs";
import { DEFAULT_CONFIG, train } from "../examples/mlp-model.mjs";
import { decisionBoundarySvg, lossCurveSvg } from "../examples/mlp-pictures.mjs";

/** Where the pictures go. */
export const IMAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../docs/images");

/** The graphs to draw, each `{ name, title, graph }` (the file is `name.svg`). */
export function docsGraphs() {
  return [
    ...seedGraphs(),
    {
      // The same neuron with the sigmoid as one node: its local gradient is σ(z)(1 − σ(z)).
      name: "2b-sigmoid-gate",
      title: "f(w, x) = σ(w0·x0 + w1·x1 + w2) at w = [2, -3, -3], x = [-1, -2]",
      graph: explain(({ w, x }) => sigmoid(add(add(mul(w[0], x[0]), mul(w[1], x[1])), w[2])))({ w: [2, -3, -3], x: [-1, -2] }),
    },
    {
      // A value used twice: the gradients flowing back along both edges are added.
      name: "fan-out",
      title: "f(a, b) = a·b + a at a = 3, b = -2",
      graph: explain(({ a, b }) => add(mul(a, b), a))({ a: 3, b: -2 }),
    },
  ];
}

/** The pictures that are not graphs: names (the file is `name.svg`) of {@link trainingPictures}. */
export const TRAINING_PICTURES = ["mlp-loss", "mlp-decision-boundary"];

/** The MLP example's pictures, `[{ name, svg }]`, after its seeded training (about a second). */
export function trainingPictures() {
  const result = train(DEFAULT_CONFIG);
  return [
    { name: "mlp-loss", svg: lossCurveSvg(result.losses) },
    { name: "mlp-decision-boundary", svg: decisionBoundarySvg(result.params, result.trainSet.xs, result.trainSet.ys) },
  ];
}

/** Renders every picture: `[{ file, svg }]`, `file` relative to {@link IMAGES_DIR}. */
export async function renderPictures() {
  const out = [];
  for (const { name, title, graph } of docsGraphs()) out.push({ file: `${name}.svg`, svg: await toSvg(graph, { title }) });
  for (const { name, svg } of trainingPictures()) out.push({ file: `${name}.svg`, svg });
  return out;
}

/** The pictures whose committed file differs from what `renderPictures` makes (or is missing). */
export async function stalePictures(dir = IMAGES_DIR) {
  const stale = [];
  for (const { file, svg } of await renderPictures()) {
    let committed;
    try {
      committed = readFileSync(join(dir, file), "utf8");
    } catch {
      committed = undefined;
    }
    if (committed !== svg) stale.push(file);
  }
  return stale;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const stale = await stalePictures();
    if (stale.length > 0) {
      console.error(`out of date in docs/images/: ${stale.join(", ")} (run npm run docs:pictures)`);
      process.exitCode = 1;
    } else console.log("docs/images/ is up to date");
  } else {
    mkdirSync(IMAGES_DIR, { recursive: true });
    for (const { file, svg } of await renderPictures()) {
      writeFileSync(join(IMAGES_DIR, file), svg);
      console.log(`wrote docs/images/${file}`);
    }
  }
}
