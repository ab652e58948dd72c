// The MLP example's pictures: the loss curve (plotSvg from chainrule/draw) and the decision
// boundary (a grid of cells coloured by the network's prediction, with the training points on
// top). Used by examples/mlp.mjs (examples/out/) and scripts/docs-pictures.mjs (docs/images/).
import { toNumber } from "chainrule";
import { plotSvg } from "chainrule/draw";
import { forward } from "./mlp-model.mjs";

/** The loss at each step of training, on a log scale. */
export function lossCurveSvg(losses) {
  return plotSvg([{ x: losses.map((_, i) => i + 1), y: losses, label: "training loss" }], {
    title: "MLP on two moons: loss while training (adam)",
    xLabel: "step",
    yLabel: "mean logistic loss",
    logY: true,
    width: 560,
    height: 320,
  });
}

/** Escapes text for SVG. */
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A colour between white and `rgb` for a confidence in [0, 1]. */
const tint = ([r, g, b], c) => {
  const mix = (v) => Math.round(255 + (v - 255) * (0.15 + 0.45 * c));
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
};
const CLASS_COLORS = [
  [31, 119, 180], // class 0: blue
  [214, 39, 40], // class 1: red
];

/**
 * The decision boundary of a trained network: a `cells` × `cells` grid over the points' range,
 * each cell coloured by the class the network predicts at its centre (paler where it is less
 * sure), and the points `xs` with their labels `ys` as dots.
 */
export function decisionBoundarySvg(params, xs, ys, { cells = 40, size = 360, title = "MLP on two moons: decision boundary" } = {}) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [a, b] of xs) {
    [x0, x1, y0, y1] = [Math.min(x0, a), Math.max(x1, a), Math.min(y0, b), Math.max(y1, b)];
  }
  const pad = 0.1 * Math.max(x1 - x0, y1 - y0);
  [x0, x1, y0, y1] = [x0 - pad, x1 + pad, y0 - pad, y1 + pad];
  const top = 30;
  const cell = size / cells;
  const px = (a) => ((a - x0) / (x1 - x0)) * size;
  const py = (b) => top + size - ((b - y0) / (y1 - y0)) * size;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + top}" viewBox="0 0 ${size} ${size + top}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${size}" height="${size + top}" fill="white"/>`,
    `<text x="${size / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  // Row by row; the confidence is shown in four shades, so neighbouring cells of the same
  // shade are drawn as one rectangle (a small file).
  for (let j = 0; j < cells; j++) {
    const b = y0 + ((j + 0.5) / cells) * (y1 - y0);
    const row = [];
    for (let i = 0; i < cells; i++) {
      const a = x0 + ((i + 0.5) / cells) * (x1 - x0);
      const p = 1 / (1 + Math.exp(-toNumber(forward(params, [a, b])))); // P(class 1)
      row.push(tint(CLASS_COLORS[p > 0.5 ? 1 : 0], Math.ceil(Math.abs(2 * p - 1) * 4) / 4));
    }
    for (let i = 0; i < cells; ) {
      let k = i + 1;
      while (k < cells && row[k] === row[i]) k++;
      // 0.6 larger than the cell: neighbours overlap, so no hairline seams show between them.
      out.push(`<rect x="${(i * cell).toFixed(1)}" y="${(top + size - (j + 1) * cell).toFixed(1)}" width="${((k - i) * cell + 0.6).toFixed(1)}" height="${(cell + 0.6).toFixed(1)}" fill="${row[i]}"/>`);
      i = k;
    }
  }
  xs.forEach(([a, b], k) => {
    const [r, g, bl] = CLASS_COLORS[ys[k]];
    out.push(`<circle cx="${px(a).toFixed(1)}" cy="${py(b).toFixed(1)}" r="3.5" fill="rgb(${r},${g},${bl})" stroke="white" stroke-width="1"/>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
