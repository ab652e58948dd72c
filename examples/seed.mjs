// The worked examples of the lecture notes chainrule grew from (backpropagation on computation
// graphs), computed live. Each graph is printed with every node's forward value and the
// gradient of the output with respect to it, and drawn as the notes' figures are, as SVG files
// in examples/out/ (or the folder given as the first argument).
//
//   npm start          (builds, then runs this file)
import { mkdirSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { add, div, exp, explain, grad, mul, neg, sigmoid, square, sub, valueAndGrad } from "chainrule";
import { toSvg } from "chainrule/draw";

const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL("./out/", import.meta.url)));
mkdirSync(outDir, { recursive: true });
const written = [];
/** Draws an explained graph to outDir/name.svg. */
const draw = async (name, graph, title) => {
  const file = resolve(outDir, `${name}.svg`);
  writeFileSync(file, await toSvg(graph, { title }));
  written.push(file);
};

const round2 = (x) => Math.round(x * 100) / 100;
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === "number" ? round2(x) : x));

// ---- 1. f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4 -------------------------------------
console.log("1. f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4\n");
const f = ({ x, y, z }) => mul(add(x, y), z);
const fGraph = explain(f)({ x: -2, y: 5, z: -4 });
console.log(String(fGraph));
await draw("1-add-mul", fGraph, "f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4");
const [fValue, fGrad] = valueAndGrad(f)({ x: -2, y: 5, z: -4 });
console.log(`\nf = ${fValue}; df/dx = ${fGrad.x}, df/dy = ${fGrad.y}, df/dz = ${fGrad.z}`);
console.log("(q = x + y = 3; df/dz = q = 3; df/dq = z = -4; df/dx = df/dq · dq/dx = -4)\n");

// ---- 2. The sigmoid neuron f(w, x) = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) ----------------------
console.log("2. f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))) at w = [2, -3, -3], x = [-1, -2]\n");
const neuron = (w, x) => div(1, add(1, exp(neg(add(add(mul(w[0], x[0]), mul(w[1], x[1])), w[2])))));
// Traced through a record so that the inputs are named w[0], …, x[1] in the graph.
const nGraph = explain(({ w, x }) => neuron(w, x))({ w: [2, -3, -3], x: [-1, -2] });
console.log(String(nGraph));
await draw("2-sigmoid-neuron", nGraph, "f(w, x) = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) at w = [2, -3, -3], x = [-1, -2]");
const [nValue, [dw, dx]] = valueAndGrad(neuron, { argnums: [0, 1] })([2, -3, -3], [-1, -2]);
console.log(`\nf ≈ ${round2(nValue)}; df/dw ≈ ${show(dw)}; df/dx ≈ ${show(dx)}\n`);

// ---- 3. Backpropagation through a small network -------------------------------------------------
// z = w1·x1 + w2·x2 + b, a = σ(z); two units above it, z' = w3·a + b' and z'' = w4·a + b'',
// with outputs y1 = σ(z'), y2 = σ(z'') and loss = (y1 - t1)² + (y2 - t2)².
// The notes derive dLoss/dw1 = (dLoss/dz' · w3 + dLoss/dz'' · w4) · σ'(z) · x1.
console.log("3. A small network: dLoss/dw1 = (dLoss/dz' * w3 + dLoss/dz'' * w4) * sigma'(z) * x1\n");
const params = { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 };
const x = [1.5, -0.5];
const target = [1, 0];
const loss = (p, x, t) => {
  const a = sigmoid(add(add(mul(p.w1, x[0]), mul(p.w2, x[1])), p.b));
  const y1 = sigmoid(add(mul(p.w3, a), p.b1));
  const y2 = sigmoid(add(mul(p.w4, a), p.b2));
  return add(square(sub(y1, t[0])), square(sub(y2, t[1])));
};
const lossGraph = explain((p) => loss(p, x, target))(params);
console.log(String(lossGraph));
await draw("3-small-network", lossGraph, "loss = (σ(w3·a + b1) − 1)² + (σ(w4·a + b2) − 0)², a = σ(w1·x1 + w2·x2 + b)");

// The notes' formula, by hand, in plain numbers:
const s = (v) => 1 / (1 + Math.exp(-v));
const z = params.w1 * x[0] + params.w2 * x[1] + params.b;
const a = s(z);
const zp = params.w3 * a + params.b1;
const zpp = params.w4 * a + params.b2;
const dLdzp = 2 * (s(zp) - target[0]) * s(zp) * (1 - s(zp)); // dLoss/dy1 · σ'(z')
const dLdzpp = 2 * (s(zpp) - target[1]) * s(zpp) * (1 - s(zpp));
const byHand = (dLdzp * params.w3 + dLdzpp * params.w4) * s(z) * (1 - s(z)) * x[0];
const byChainrule = grad(loss)(params, x, target).w1;
console.log(`\ndLoss/dw1 by the notes' formula: ${byHand}`);
console.log(`dLoss/dw1 by grad(loss):         ${byChainrule}`);
console.log(Math.abs(byHand - byChainrule) < 1e-15 ? "They agree." : "They DISAGREE.");

console.log(`\nThe graphs, drawn with each node's value (green) and gradient (red), are in ${relative(process.cwd(), outDir) || "."}/:`);
for (const file of written) console.log(`  ${relative(process.cwd(), file)}`);
