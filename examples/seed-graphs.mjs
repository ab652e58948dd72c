// The lecture notes' three worked examples (backpropagation on computation graphs) as functions,
// with the points where the notes evaluate them and the annotated graphs `explain` makes of
// them. Shared by examples/seed.mjs (prints and draws them) and scripts/docs-pictures.mjs
// (draws them, with a few more, for docs/backpropagation.md).
import { add, div, exp, explain, mul, neg, sigmoid, square, sub } from "chainrule";

// ---- 1. f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4 ---------------------------------------
export const addMul = ({ x, y, z }) => mul(add(x, y), z);
export const ADD_MUL_POINT = { x: -2, y: 5, z: -4 };

// ---- 2. The sigmoid neuron f(w, x) = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) --------------------------
export const neuron = (w, x) => div(1, add(1, exp(neg(add(add(mul(w[0], x[0]), mul(w[1], x[1])), w[2])))));
export const NEURON_POINT = { w: [2, -3, -3], x: [-1, -2] };

// ---- 3. Backpropagation through a small network ----------------------------------------------------
// z = w1·x1 + w2·x2 + b, a = σ(z); two units above it, z' = w3·a + b1 and z'' = w4·a + b2,
// with outputs y1 = σ(z'), y2 = σ(z'') and loss = (y1 - t1)² + (y2 - t2)².
// The notes derive dLoss/dw1 = (dLoss/dz' · w3 + dLoss/dz'' · w4) · σ'(z) · x1.
export const NETWORK = {
  params: { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 },
  x: [1.5, -0.5],
  target: [1, 0],
};
export const networkLoss = (p, x, t) => {
  const a = sigmoid(add(add(mul(p.w1, x[0]), mul(p.w2, x[1])), p.b));
  const y1 = sigmoid(add(mul(p.w3, a), p.b1));
  const y2 = sigmoid(add(mul(p.w4, a), p.b2));
  return add(square(sub(y1, t[0])), square(sub(y2, t[1])));
};

/**
 * The three annotated graphs, each `{ name, title, graph }`: `graph` is `explain`'s graph
 * (every node's value and gradient), `name` the picture's file name without `.svg`.
 */
export function seedGraphs() {
  return [
    {
      name: "1-add-mul",
      title: "f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4",
      graph: explain(addMul)(ADD_MUL_POINT),
    },
    {
      name: "2-sigmoid-neuron",
      title: "f(w, x) = 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) at w = [2, -3, -3], x = [-1, -2]",
      // Traced through a record so that the inputs are named w[0], …, x[1] in the graph.
      graph: explain(({ w, x }) => neuron(w, x))(NEURON_POINT),
    },
    {
      name: "3-small-network",
      title: "loss = (σ(w3·a + b1) − t[0])² + (σ(w4·a + b2) − t[1])², a = σ(w1·x1 + w2·x2 + b) at t = [1, 0]",
      // The targets are inputs (named t[0], t[1]), not constants: a constant target 0 would be
      // drawn as a node "− 0" that subtracts nothing.
      graph: explain(({ t, ...p }) => networkLoss(p, NETWORK.x, t))({ ...NETWORK.params, t: NETWORK.target }),
    },
  ];
}
