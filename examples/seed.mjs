// The worked examples of the lecture notes chainrule grew from (backpropagation on computation
// graphs), computed live. Each graph is printed with every node's forward value and the
// gradient of the output with respect to it, and drawn as the notes' figures are, as SVG files
// in examples/out/ (or the folder given as the first argument). The functions themselves are
// in seed-graphs.mjs (shared with scripts/docs-pictures.mjs, which draws docs/images/).
//
//   npm start          (builds, then runs this file)
import { mkdirSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { grad, valueAndGrad } from "chainrule";
import { toSvg } from "chainrule/draw";
import { ADD_MUL_POINT, NETWORK, NEURON_POINT, addMul, networkLoss, neuron, seedGraphs } from "./seed-graphs.mjs";

const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL("./out/", import.meta.url)));
mkdirSync(outDir, { recursive: true });
const written = [];
const graphs = new Map(seedGraphs().map((g) => [g.name, g]));
/** Prints an explained graph and draws it to outDir/name.svg. */
const showAndDraw = async (name) => {
  const { graph, title } = graphs.get(name);
  console.log(String(graph));
  const file = resolve(outDir, `${name}.svg`);
  writeFileSync(file, await toSvg(graph, { title }));
  written.push(file);
};

const round2 = (x) => Math.round(x * 100) / 100;
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === "number" ? round2(x) : x));

// ---- 1. f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4 -------------------------------------
console.log("1. f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4\n");
await showAndDraw("1-add-mul");
const [fValue, fGrad] = valueAndGrad(addMul)(ADD_MUL_POINT);
console.log(`\nf = ${fValue}; df/dx = ${fGrad.x}, df/dy = ${fGrad.y}, df/dz = ${fGrad.z}`);
console.log("(q = x + y = 3; df/dz = q = 3; df/dq = z = -4; df/dx = df/dq · dq/dx = -4)\n");

// ---- 2. The sigmoid neuron f(w, x) = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) ----------------------
console.log("2. f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))) at w = [2, -3, -3], x = [-1, -2]\n");
await showAndDraw("2-sigmoid-neuron");
const [nValue, [dw, dx]] = valueAndGrad(neuron, { argnums: [0, 1] })(NEURON_POINT.w, NEURON_POINT.x);
console.log(`\nf ≈ ${round2(nValue)}; df/dw ≈ ${show(dw)}; df/dx ≈ ${show(dx)}\n`);

// ---- 3. Backpropagation through a small network -------------------------------------------------
// z = w1·x1 + w2·x2 + b, a = σ(z); two units above it, z' = w3·a + b' and z'' = w4·a + b'',
// with outputs y1 = σ(z'), y2 = σ(z'') and loss = (y1 - t1)² + (y2 - t2)².
// The notes derive dLoss/dw1 = (dLoss/dz' · w3 + dLoss/dz'' · w4) · σ'(z) · x1.
console.log("3. A small network: dLoss/dw1 = (dLoss/dz' * w3 + dLoss/dz'' * w4) * sigma'(z) * x1\n");
await showAndDraw("3-small-network");

// The notes' formula, by hand, in plain numbers:
const { params, x, target } = NETWORK;
const s = (v) => 1 / (1 + Math.exp(-v));
const z = params.w1 * x[0] + params.w2 * x[1] + params.b;
const zp = params.w3 * s(z) + params.b1;
const zpp = params.w4 * s(z) + params.b2;
const dLdzp = 2 * (s(zp) - target[0]) * s(zp) * (1 - s(zp)); // dLoss/dy1 · σ'(z')
const dLdzpp = 2 * (s(zpp) - target[1]) * s(zpp) * (1 - s(zpp));
const byHand = (dLdzp * params.w3 + dLdzpp * params.w4) * s(z) * (1 - s(z)) * x[0];
const byChainrule = grad(networkLoss)(params, x, target).w1;
console.log(`\ndLoss/dw1 by the notes' formula: ${byHand}`);
console.log(`dLoss/dw1 by grad(loss):         ${byChainrule}`);
console.log(Math.abs(byHand - byChainrule) < 1e-15 ? "They agree." : "They DISAGREE.");

console.log(`\nThe graphs, drawn with each node's value (green) and gradient (red), are in ${relative(process.cwd(), outDir) || "."}/:`);
for (const file of written) console.log(`  ${relative(process.cwd(), file)}`);
