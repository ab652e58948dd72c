// chainrule in a browser page: the lecture notes' gradients, and the small network trained by plain
// gradient descent with its loss plotted by chainrule/draw's plotSvg. Imports the built package (dist/), so
// `npm run build` first; serve the repository root (`npm run serve`) and open
// /examples/browser/index.html. test-browser/browser.test.ts drives this page in Chromium and
// reads `window.chainruleDemo`.
import { add, div, exp, explain, grad, mean, mul, neg, sigmoid, square, sub, treeMap, valueAndGrad } from "../../dist/index.js";

const results = { seed1: undefined, seed2: undefined, losses: [], plot: false, svg: false, done: false, error: undefined };
window.chainruleDemo = results;

const fmt = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(4));
function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  for (const [name, value] of rows) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td>${name}</td><td>${fmt(value)}</td>`;
    body.append(tr);
  }
}

// ---- 1. (x + y) · z ----------------------------------------------------------------------------
const f = (x, y, z) => mul(add(x, y), z);
const [fValue, [dx, dy, dz]] = valueAndGrad(f, { argnums: [0, 1, 2] })(-2, 5, -4);
results.seed1 = { value: fValue, grads: [dx, dy, dz] };
fillTable("seed1", [["f", fValue], ["∂f/∂x", dx], ["∂f/∂y", dy], ["∂f/∂z", dz]]);

// ---- 2. the sigmoid neuron ---------------------------------------------------------------------
const neuron = ({ w, x }) => div(1, add(1, exp(neg(add(add(mul(w[0], x[0]), mul(w[1], x[1])), w[2])))));
const point = { w: [2, -3, -3], x: [-1, -2] };
const [nValue, nGrad] = valueAndGrad(neuron)(point);
results.seed2 = { value: nValue, dw: nGrad.w, dx: nGrad.x };
fillTable("seed2", [
  ["f", nValue],
  ...nGrad.w.map((g, i) => [`∂f/∂w${i}`, g]),
  ...nGrad.x.map((g, i) => [`∂f/∂x${i}`, g]),
]);

// ---- 3. the small network, trained -------------------------------------------------------------
// The notes' network: one hidden unit a = σ(z) feeding two outputs z' = w3·a + b1, z'' = w4·a + b2.
// Data: points of the plane, labelled by which side of the line x2 = x1 they lie on.
const data = [
  [[1.5, -0.5], [1, 0]], [[2, 1], [1, 0]], [[0.5, -1.5], [1, 0]], [[1, 0.2], [1, 0]],
  [[-0.5, 1.5], [0, 1]], [[-1, 0.5], [0, 1]], [[0.2, 1.8], [0, 1]], [[-2, -1], [0, 1]],
];
const forward = (p, [x1, x2]) => {
  const a = sigmoid(add(add(mul(p.w1, x1), mul(p.w2, x2)), p.b));
  return [sigmoid(add(mul(p.w3, a), p.b1)), sigmoid(add(mul(p.w4, a), p.b2))];
};
const loss = (p) =>
  mean(data.map(([x, [t1, t2]]) => {
    const [y1, y2] = forward(p, x);
    return add(square(sub(y1, t1)), square(sub(y2, t2)));
  }));

let params = { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 };
const learningRate = 2;
const steps = 300;
const lossAndGrad = valueAndGrad(loss);
for (let step = 0; step < steps; step++) {
  const [value, g] = lossAndGrad(params);
  results.losses.push(value);
  params = treeMap((p, dp) => p - learningRate * dp, params, g);
}
results.losses.push(loss(params));
results.params = params;

// Check one gradient against the notes' formula, dLoss/dw1 = (dLoss/dz'·w3 + dLoss/dz''·w4)·σ'(z)·x1,
// on the notes' single example.
{
  const p = { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 };
  const x = [1.5, -0.5];
  const t = [1, 0];
  const s = (v) => 1 / (1 + Math.exp(-v));
  const a = s(p.w1 * x[0] + p.w2 * x[1] + p.b);
  const y1 = s(p.w3 * a + p.b1);
  const y2 = s(p.w4 * a + p.b2);
  const byHand = (2 * (y1 - t[0]) * y1 * (1 - y1) * p.w3 + 2 * (y2 - t[1]) * y2 * (1 - y2) * p.w4) * a * (1 - a) * x[0];
  const one = (q) => {
    const [o1, o2] = forward(q, x);
    return add(square(sub(o1, t[0])), square(sub(o2, t[1])));
  };
  results.dLossDw1 = { byHand, byChainrule: grad(one)(p).w1 };
}

const first = results.losses[0];
const last = results.losses[results.losses.length - 1];
document.getElementById("summary").textContent =
  `Loss ${first.toFixed(4)} → ${last.toFixed(4)} after ${steps} steps of gradient descent (η = ${learningRate}). ` +
  `dLoss/dw1 by the notes' formula ${results.dLossDw1.byHand.toFixed(6)}, by grad ${results.dLossDw1.byChainrule.toFixed(6)}.`;

// ---- pictures from chainrule/draw: the loss curve (plotSvg, plain SVG) and the neuron's graph ---
// (toSvg: Graphviz in WebAssembly, loaded by the first call)
// A promise chain, not top-level await: the documentation site runs this file bundled as a
// classic script (scripts/site-example.mjs), which also works from file://.
import("../../dist/draw/index.js")
  .then(({ plotSvg, toSvg }) => {
    document.getElementById("loss").innerHTML = plotSvg([{ y: results.losses, label: "training loss" }], {
      title: "The small network's loss",
      xLabel: "step",
      yLabel: "loss",
    });
    results.plot = document.querySelector("#loss svg") !== null;
    return toSvg(explain(neuron)(point), { title: "the sigmoid neuron: values (green) and gradients (red)" });
  })
  .then((svg) => {
    document.getElementById("graph").innerHTML = svg;
    results.svg = document.querySelector("#graph svg") !== null;
  })
  .catch((e) => {
    results.error = `drawing failed: ${e instanceof Error ? e.message : String(e)}`;
  })
  .then(() => {
    results.done = true;
    const status = document.getElementById("status");
    status.textContent = results.error === undefined ? "done" : results.error;
    if (results.error !== undefined) status.className = "failed";
  });
