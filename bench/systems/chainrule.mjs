// chainrule, imported from the built root package (../../dist/index.js), so the suite measures
// the current code. Optional exports (jit, hessian) are detected: a missing one makes the
// system / workload "n/a (not built yet)" instead of an error.
import { flat } from "../lib/workloads.mjs";

const cr = await import(new URL("../../dist/index.js", import.meta.url).href);
const { add, sub, mul, div, neg, exp, sin, tanh, square, dot, mean, logSumExp, valueAndGrad, grad, jvp, vjp } = cr;

export const has = { jit: typeof cr.jit === "function", hessian: typeof cr.hessian === "function", jacfwd: typeof cr.jacfwd === "function" };

// ---- the workloads, written as a chainrule user would --------------------------------------------

export const seed = (x, y, z) => mul(add(x, y), z);

export const neuron = (w, x) => div(1, add(1, exp(neg(add(add(mul(w[0], x[0]), mul(w[1], x[1])), w[2])))));

export function rosenbrock(x) {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    s = add(s, add(mul(100, square(sub(x[i + 1], square(x[i])))), square(sub(1, x[i]))));
  }
  return s;
}

export function mlpLoss(p, X, Y) {
  const errs = X.map((x, s) => {
    const h1 = p.W1.map((w, j) => tanh(add(dot(w, x), p.b1[j])));
    const h2 = p.W2.map((w, j) => tanh(add(dot(w, h1), p.b2[j])));
    return square(sub(add(dot(p.W3, h2), p.b3), Y[s]));
  });
  return mean(errs);
}

export const coupled = (x) => add(logSumExp(x), dot(x.slice(0, -1), x.slice(1).map(sin)));

export const chain = (n) => (x) => {
  for (let i = 0; i < n; i++) x = add(mul(0.9, sin(x)), mul(0.1, x));
  return x;
};

/**
 * The Hessian: `hessian(f)` when exported, else `jacfwd(grad(f))`, else one `jvp` of `grad(f)`
 * per basis vector.
 */
function hessianOf(f, n) {
  if (has.hessian) return { fn: cr.hessian(f), how: "hessian(f)" };
  if (has.jacfwd) return { fn: cr.jacfwd(grad(f)), how: "jacfwd(grad(f))" };
  const g = grad(f);
  const basis = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return { fn: (x) => basis.map((e) => jvp(g, [x], [e])[1]), how: "no hessian/jacfwd yet: one jvp of grad(f) per basis vector" };
}

const readVG = ([value, g]) => ({ value, grad: flat(g) });

export async function setup(id, data, { jitted }) {
  if (jitted && !has.jit) return { na: "n/a (not built yet): chainrule does not export jit" };
  const wrap = jitted ? cr.jit : (f) => f;
  switch (id) {
    case "W1": {
      const f = wrap(valueAndGrad(seed, { argnums: [0, 1, 2] }));
      return { call: () => f(data.x, data.y, data.z), read: readVG };
    }
    case "W2": {
      const f = wrap(valueAndGrad(neuron, { argnums: [0, 1] }));
      return { call: () => f(data.w, data.x), read: readVG };
    }
    case "W3": {
      const f = wrap(valueAndGrad(rosenbrock));
      return { call: () => f(data.x), read: readVG };
    }
    case "W4": {
      const f = wrap(valueAndGrad(mlpLoss));
      return { call: () => f(data.params, data.X, data.Y), read: readVG };
    }
    case "W5": {
      const { fn, how } = hessianOf(coupled, data.n);
      const f = wrap(fn);
      return { call: () => f(data.x), read: (h) => ({ value: null, grad: flat(h) }), note: jitted ? `jit of ${how}` : how };
    }
    case "W6": {
      const f = wrap(valueAndGrad(chain(data.n)));
      return { call: () => f(data.x0), read: readVG };
    }
    default:
      return { na: "not measured" };
  }
}

/** W7: records a chain of `ops` operations inside `vjp`; the pullback keeps the tape alive. */
export function record(x0, ops) {
  const probe = cr.makeGraph(chain(10))(x0);
  const opsPerStep = (probe.size - 1) / 10;
  const [out, pullback] = vjp(chain(Math.round(ops / opsPerStep)), x0);
  return { out, pullback, opsPerStep };
}
