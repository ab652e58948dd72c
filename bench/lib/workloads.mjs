// The workloads: their data (deterministic), the hand-written analytic gradients every system is
// checked against, and the canonical flat order of each result. Plain JavaScript, no library.

/** A small deterministic PRNG (mulberry32), so every process builds the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WORKLOADS = {
  W1: { title: "seed (x+y)·z", what: "value + gradient w.r.t. x, y, z" },
  W2: { title: "sigmoid neuron", what: "value + gradient w.r.t. w (3) and x (2)" },
  W3: { title: "Rosenbrock n=1000", what: "value + gradient (1000)" },
  W4: { title: "MLP 2-16-16-1 tanh, MSE over 64 points", what: "value + gradient (337 parameters)" },
  W5: { title: "Hessian, n=20", what: "full 20×20 Hessian of logsumexp(x) + Σ x[i]·sin(x[i+1])" },
  W6: { title: "chain of 10⁵ ops", what: "x → 0.9·sin x + 0.1·x, 10⁵ times; value + derivative" },
  W7: { title: "memory, 10⁶-op graph", what: "bytes per recorded op (eager tape) and peak RSS" },
  W8: { title: "scan of 10⁶ steps", what: "W6's step x → 0.9·sin x + 0.1·x as a scan body, 10⁶ steps; value + derivative" },
  W9: { title: "ODE fit, 1,000 RK4 steps", what: "mean squared error of a damped oscillator through a 1,000-step RK4 scan; value + gradient (ω, ζ)" },
};

/**
 * The data of a workload. `size` overrides the workload's n (W3 length, W6 chain length, W7 op count).
 */
export function makeData(id, size) {
  switch (id) {
    case "W1":
      return { x: -2, y: 5, z: -4 };
    case "W2":
      return { w: [2, -3, -3], x: [-1, -2] };
    case "W3": {
      const n = size ?? 1000;
      const r = rng(3);
      return { n, x: Array.from({ length: n }, () => -1.5 + 3 * r()) };
    }
    case "W4": {
      const r = rng(4);
      const u = (s) => (2 * r() - 1) * s;
      const H = 16;
      const p = {
        W1: Array.from({ length: H }, () => [u(1 / Math.sqrt(2)), u(1 / Math.sqrt(2))]),
        b1: Array.from({ length: H }, () => u(0.1)),
        W2: Array.from({ length: H }, () => Array.from({ length: H }, () => u(1 / Math.sqrt(H)))),
        b2: Array.from({ length: H }, () => u(0.1)),
        W3: Array.from({ length: H }, () => u(1 / Math.sqrt(H))),
        b3: u(0.1),
      };
      const X = Array.from({ length: 64 }, () => [u(2), u(2)]);
      const Y = X.map(([a, b]) => Math.sin(a) * Math.cos(b));
      return { params: p, X, Y };
    }
    case "W5": {
      const n = size ?? 20;
      const r = rng(5);
      return { n, x: Array.from({ length: n }, () => 2 * r() - 1) };
    }
    case "W6":
      return { n: size ?? 100_000, x0: 1.5 };
    case "W7":
      return { ops: size ?? 1_000_000, x0: 1.5 };
    case "W8":
      return { n: size ?? 1_000_000, x0: 1.5 };
    case "W9":
      return w9Data(size ?? 1000);
    default:
      throw new Error(`unknown workload ${id}`);
  }
}

/** The number of MLP parameters in canonical order: W1 (16×2), b1, W2 (16×16), b2, W3, b3. */
export const MLP_PARAMS = 16 * 2 + 16 + 16 * 16 + 16 + 16 + 1;

// ---- hand-written analytic gradients (the baseline) ----------------------------------------------
/** A plain array of n zeros (packed doubles). */
const zeros = (n) => new Array(n).fill(0);

// Each returns { value, grad } with grad a flat array of numbers in the canonical order. They
// use plain arrays (`zeros`), as chainrule does: V8 keeps them on its heap, where a large
// Float64Array's off-heap allocation made the baseline itself vary several-fold between runs.

export function handW1(x, y, z) {
  const s = x + y;
  return { value: s * z, grad: [z, z, s] };
}

export function handW2(w, x) {
  const z = w[0] * x[0] + w[1] * x[1] + w[2];
  const f = 1 / (1 + Math.exp(-z));
  const d = f * (1 - f);
  return { value: f, grad: [d * x[0], d * x[1], d, d * w[0], d * w[1]] };
}

export function handW3(x) {
  const n = x.length;
  const g = zeros(n);
  let f = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i];
    const t = x[i + 1] - xi * xi;
    const u = 1 - xi;
    f += 100 * t * t + u * u;
    g[i] += -400 * t * xi - 2 * u;
    g[i + 1] += 200 * t;
  }
  return { value: f, grad: g };
}

export function handW4(p, X, Y) {
  const H = 16;
  const B = X.length;
  const { W1, b1, W2, b2, W3, b3 } = p;
  const g = zeros(MLP_PARAMS);
  // offsets into g
  const oW1 = 0, ob1 = 32, oW2 = 48, ob2 = 304, oW3 = 320, ob3 = 336;
  const h1 = zeros(H), h2 = zeros(H), d2 = zeros(H);
  let loss = 0;
  for (let s = 0; s < B; s++) {
    const x0 = X[s][0], x1 = X[s][1];
    for (let j = 0; j < H; j++) h1[j] = Math.tanh(W1[j][0] * x0 + W1[j][1] * x1 + b1[j]);
    let out = b3;
    for (let j = 0; j < H; j++) {
      const row = W2[j];
      let a = b2[j];
      for (let k = 0; k < H; k++) a += row[k] * h1[k];
      const h = Math.tanh(a);
      h2[j] = h;
      out += W3[j] * h;
    }
    const e = out - Y[s];
    loss += e * e;
    const dOut = (2 * e) / B;
    g[ob3] += dOut;
    for (let j = 0; j < H; j++) {
      g[oW3 + j] += dOut * h2[j];
      const d = dOut * W3[j] * (1 - h2[j] * h2[j]);
      d2[j] = d;
      g[ob2 + j] += d;
      const o = oW2 + j * H;
      for (let k = 0; k < H; k++) g[o + k] += d * h1[k];
    }
    for (let k = 0; k < H; k++) {
      let a = 0;
      for (let j = 0; j < H; j++) a += d2[j] * W2[j][k];
      const d = a * (1 - h1[k] * h1[k]);
      g[ob1 + k] += d;
      g[oW1 + 2 * k] += d * x0;
      g[oW1 + 2 * k + 1] += d * x1;
    }
  }
  return { value: loss / B, grad: g };
}

/** W5's function on plain numbers (the value). */
export function w5Value(x) {
  const n = x.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
  let S = 0;
  for (let i = 0; i < n; i++) S += Math.exp(x[i] - m);
  let f = m + Math.log(S);
  for (let i = 0; i < n - 1; i++) f += x[i] * Math.sin(x[i + 1]);
  return f;
}

/** The full Hessian of logsumexp(x) + Σ x[i]·sin(x[i+1]), row-major n×n. */
export function handW5(x) {
  const n = x.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > m) m = x[i];
  const p = zeros(n);
  let S = 0;
  for (let i = 0; i < n; i++) S += p[i] = Math.exp(x[i] - m);
  for (let i = 0; i < n; i++) p[i] /= S;
  const H = zeros(n * n);
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    for (let j = 0; j < n; j++) H[i * n + j] = -pi * p[j];
    H[i * n + i] += pi;
  }
  for (let i = 1; i < n; i++) H[i * n + i] -= x[i - 1] * Math.sin(x[i]);
  for (let i = 0; i < n - 1; i++) {
    const c = Math.cos(x[i + 1]);
    H[i * n + i + 1] += c;
    H[(i + 1) * n + i] += c;
  }
  return { value: null, grad: H };
}

/** The chain x → 0.9 sin x + 0.1 x, n times, and its derivative (forward, as one would by hand). */
export function handW6(x0, n) {
  let x = x0;
  let d = 1;
  for (let i = 0; i < n; i++) {
    d *= 0.9 * Math.cos(x) + 0.1;
    x = 0.9 * Math.sin(x) + 0.1 * x;
  }
  return { value: x, grad: [d] };
}

/**
 * W8 by hand as reverse mode does it (what a scan's gradient computes): a forward loop storing
 * every carry, then a reverse loop multiplying the local derivatives.
 */
export function handW8(x0, n) {
  const xs = zeros(n);
  let x = x0;
  for (let i = 0; i < n; i++) {
    xs[i] = x;
    x = 0.9 * Math.sin(x) + 0.1 * x;
  }
  let g = 1;
  for (let i = n - 1; i >= 0; i--) g *= 0.9 * Math.cos(xs[i]) + 0.1;
  return { value: x, grad: [g] };
}

/**
 * W9's data: a damped oscillator x'' + 2ζωx' + ω²x = 0 from x = 1, v = 0, `steps` RK4 steps of
 * 0.01; observations are the true positions (ω = 2, ζ = 0.15) plus seeded Gaussian noise (σ =
 * 0.05); the loss is evaluated at ω = 1.6, ζ = 0.4 (the ODE-fit example's first guess).
 */
function w9Data(steps) {
  const dt = 0.01;
  const r = rng(9);
  const truth = rk4Positions(2, 0.15, 1, 0, steps, dt);
  const obs = truth.map((x) => {
    const u = 1 - r();
    return x + 0.05 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  });
  return { steps, dt, x0: 1, v0: 0, obs, omega: 1.6, zeta: 0.4 };
}

/** The position after each RK4 step (plain numbers). */
function rk4Positions(omega, zeta, x0, v0, steps, dt) {
  const D = 2 * zeta * omega;
  const K = omega * omega;
  const h = dt / 2;
  const out = zeros(steps);
  let x = x0;
  let v = v0;
  for (let i = 0; i < steps; i++) {
    const k1x = v, k1v = -(D * v + K * x);
    const x2 = x + h * k1x, v2 = v + h * k1v;
    const k2x = v2, k2v = -(D * v2 + K * x2);
    const x3 = x + h * k2x, v3 = v + h * k2v;
    const k3x = v3, k3v = -(D * v3 + K * x3);
    const x4 = x + dt * k3x, v4 = v + dt * k3v;
    const k4x = v4, k4v = -(D * v4 + K * x4);
    x = x + (dt / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
    v = v + (dt / 6) * (k1v + 2 * k2v + 2 * k3v + k4v);
    out[i] = x;
  }
  return out;
}

/**
 * W9 by hand: the loss mean((xᵢ − obsᵢ)²) over the positions after each RK4 step, and its
 * gradient w.r.t. (ω, ζ) by reverse mode written out: a forward loop storing each step's state,
 * a reverse loop through the RK4 stages (recomputed from the stored state), accumulating the
 * adjoints of D = 2ζω and K = ω².
 */
export function handW9({ steps, dt, x0, v0, obs, omega, zeta }) {
  const D = 2 * zeta * omega;
  const K = omega * omega;
  const h = dt / 2;
  const c = dt / 6;
  const xs = zeros(steps);
  const vs = zeros(steps);
  const res = zeros(steps); // xᵢ − obsᵢ
  let x = x0;
  let v = v0;
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    xs[i] = x;
    vs[i] = v;
    const k1x = v, k1v = -(D * v + K * x);
    const x2 = x + h * k1x, v2 = v + h * k1v;
    const k2x = v2, k2v = -(D * v2 + K * x2);
    const x3 = x + h * k2x, v3 = v + h * k2v;
    const k3x = v3, k3v = -(D * v3 + K * x3);
    const x4 = x + dt * k3x, v4 = v + dt * k3v;
    const k4x = v4, k4v = -(D * v4 + K * x4);
    x = x + c * (k1x + 2 * k2x + 2 * k3x + k4x);
    v = v + c * (k1v + 2 * k2v + 2 * k3v + k4v);
    res[i] = x - obs[i];
    loss += res[i] * res[i];
  }
  loss /= steps;
  // adjoints of the state after step i (ax, av), and of D and K
  let ax = 0;
  let av = 0;
  let aD = 0;
  let aK = 0;
  for (let i = steps - 1; i >= 0; i--) {
    ax += (2 / steps) * res[i];
    const x = xs[i];
    const v = vs[i];
    // the stages again, from the stored state
    const k1v = -(D * v + K * x);
    const x2 = x + h * v, v2 = v + h * k1v;
    const k2v = -(D * v2 + K * x2);
    const x3 = x + h * v2, v3 = v + h * k2v;
    const k3v = -(D * v3 + K * x3);
    const x4 = x + dt * v3, v4 = v + dt * k3v;
    // nx = x + c(k1x + 2k2x + 2k3x + k4x), nv = v + c(k1v + 2k2v + 2k3v + k4v)
    let aX = ax;
    let aV = av;
    let ak1x = c * ax, ak2x = 2 * c * ax, ak3x = 2 * c * ax;
    const ak4x = c * ax;
    let ak1v = c * av, ak2v = 2 * c * av, ak3v = 2 * c * av;
    const ak4v = c * av;
    // stage 4: k4v = −(D v4 + K x4), k4x = v4, x4 = x + dt k3x, v4 = v + dt k3v
    const av4 = -D * ak4v + ak4x;
    const ax4 = -K * ak4v;
    aD -= v4 * ak4v;
    aK -= x4 * ak4v;
    aX += ax4;
    ak3x += dt * ax4;
    aV += av4;
    ak3v += dt * av4;
    // stage 3
    const av3 = -D * ak3v + ak3x;
    const ax3 = -K * ak3v;
    aD -= v3 * ak3v;
    aK -= x3 * ak3v;
    aX += ax3;
    ak2x += h * ax3;
    aV += av3;
    ak2v += h * av3;
    // stage 2
    const av2 = -D * ak2v + ak2x;
    const ax2 = -K * ak2v;
    aD -= v2 * ak2v;
    aK -= x2 * ak2v;
    aX += ax2;
    ak1x += h * ax2;
    aV += av2;
    ak1v += h * av2;
    // stage 1: k1v = −(D v + K x), k1x = v
    aV += -D * ak1v + ak1x;
    aX += -K * ak1v;
    aD -= v * ak1v;
    aK -= x * ak1v;
    ax = aX;
    av = aV;
  }
  // D = 2ζω, K = ω²
  return { value: loss, grad: [aD * 2 * zeta + aK * 2 * omega, aD * 2 * omega] };
}

/** The hand-written call for a workload's data. */
export function handCall(id, data) {
  switch (id) {
    case "W1":
      return () => handW1(data.x, data.y, data.z);
    case "W2":
      return () => handW2(data.w, data.x);
    case "W3":
      return () => handW3(data.x);
    case "W4":
      return () => handW4(data.params, data.X, data.Y);
    case "W5":
      return () => handW5(data.x);
    case "W6":
      return () => handW6(data.x0, data.n);
    case "W8":
      return () => handW8(data.x0, data.n);
    case "W9":
      return () => handW9(data);
    default:
      return undefined;
  }
}

/** Flattens nested arrays / objects of numbers (keys in order) into a plain array. */
export function flat(tree, out = []) {
  if (typeof tree === "number") out.push(tree);
  else if (ArrayBuffer.isView(tree)) for (const v of tree) out.push(v);
  else if (Array.isArray(tree)) for (const t of tree) flat(t, out);
  else if (tree !== null && typeof tree === "object") for (const k of Object.keys(tree)) flat(tree[k], out);
  return out;
}


/** A `{ value, grad }` result with the gradient flattened (the form every system's check reads). */
export const readFlat = (r) => ({ value: r.value, grad: flat(r.grad) });

/** Row-major transpose of a flat rows×cols matrix. */
export function transpose(a, rows, cols) {
  const t = new Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}
