// chainrule, imported from the built root package (../../dist/index.js), so the suite measures
// the current code. Optional exports (jit, hessian) are detected: a missing one makes the
// system / workload "n/a (not built yet)" instead of an error.
import { flat } from "../lib/workloads.mjs";

const cr = await import(new URL("../../dist/index.js", import.meta.url).href);
const { add, sub, mul, div, neg, exp, sin, tanh, square, dot, mean, logSumExp, valueAndGrad, grad, jvp, vjp } = cr;

export const has = {
  jit: typeof cr.jit === "function",
  hessian: typeof cr.hessian === "function",
  jacfwd: typeof cr.jacfwd === "function",
  scan: typeof cr.scan === "function",
};

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

/** W8: W6's step as the body of a scan over `n` steps (`snapshots`: binomial checkpointing). */
export const scanChain = (n, snapshots) => (x0) =>
  cr.scan((x) => [add(mul(0.9, sin(x)), mul(0.1, x)), []], x0, null, {
    length: n,
    checkpoint: snapshots === undefined ? "all" : { snapshots },
  })[0];

/** W9: the ODE-fit loss, a damped oscillator through `steps` RK4 steps in a scan (as examples/ode-fit-model.mjs). */
export const odeLoss =
  ({ steps, dt, x0, v0, obs }) =>
  ({ omega, zeta }) => {
    const damping = mul(2, mul(zeta, omega));
    const stiffness = mul(omega, omega);
    const accel = (x, v) => neg(add(mul(damping, v), mul(stiffness, x)));
    const h = dt / 2;
    const [, xs] = cr.scan(
      ([x, v]) => {
        const k1x = v;
        const k1v = accel(x, v);
        const k2x = add(v, mul(h, k1v));
        const k2v = accel(add(x, mul(h, k1x)), k2x);
        const k3x = add(v, mul(h, k2v));
        const k3v = accel(add(x, mul(h, k2x)), k3x);
        const k4x = add(v, mul(dt, k3v));
        const k4v = accel(add(x, mul(dt, k3x)), k4x);
        const nx = add(x, mul(dt / 6, add(add(k1x, mul(2, k2x)), add(mul(2, k3x), k4x))));
        const nv = add(v, mul(dt / 6, add(add(k1v, mul(2, k2v)), add(mul(2, k3v), k4v))));
        return [[nx, nv], nx];
      },
      [x0, v0],
      null,
      { length: steps },
    );
    return mean(xs.map((x, i) => square(sub(x, obs[i]))));
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

export async function setup(id, data, { jitted, snapshots }) {
  if (jitted && !has.jit) return { na: "n/a (not built yet): chainrule does not export jit" };
  if ((id === "W8" || id === "W9") && !has.scan) return { na: "n/a (not built yet): chainrule does not export scan" };
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
    case "W8": {
      const f = wrap(valueAndGrad(scanChain(data.n, snapshots)));
      return { call: () => f(data.x0), read: readVG, note: snapshots === undefined ? undefined : `checkpoint: { snapshots: ${snapshots} }` };
    }
    case "W9": {
      const f = wrap(valueAndGrad(odeLoss(data)));
      const p = { omega: data.omega, zeta: data.zeta };
      return { call: () => f(p), read: readVG };
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
