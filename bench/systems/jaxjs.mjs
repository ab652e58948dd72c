// @jax-js/jax on its WebAssembly CPU device in float64, each function under jax-js's own jit.
// jax-js runs on Node 20 once `globalThis.navigator` and a `Float16Array` stand-in exist.
// Arrays are reference-counted: a function consumes its arguments, `.ref` keeps one alive,
// and `dataSync()` reads an array back and disposes it. Every timed call reads its results
// back (jax-js is lazy; the read is what runs the kernels).
import { flat, readFlat as read, transpose } from "../lib/workloads.mjs";

let jax, np;

export async function init() {
  if (typeof globalThis.navigator === "undefined") globalThis.navigator = {};
  if (typeof globalThis.Float16Array === "undefined") globalThis.Float16Array = class Float16Array {};
  jax = await import("@jax-js/jax");
  np = jax.numpy;
  const devices = await jax.init();
  return `jax-js, devices [${devices.join(", ")}], default ${jax.defaultDevice()}, float64`;
}

const f64 = (v) => np.array(v, { dtype: np.float64 });

/** Calls the jitted `vg` on fresh references to `xs` and reads the value and gradients. */
function runVG(vg, xs) {
  const [value, grads] = vg(...xs.map((x) => x.ref));
  const g = Array.isArray(grads) ? grads : [grads];
  return { value: value.dataSync()[0], grad: g.map((a) => a.dataSync()) };
}

export async function setup(id, data) {
  const { jit, valueAndGrad, hessian } = jax;
  switch (id) {
    case "W1": {
      const xs = [f64(data.x), f64(data.y), f64(data.z)];
      const vg = jit(valueAndGrad((x, y, z) => x.add(y).mul(z), { argnums: [0, 1, 2] }));
      return { call: () => runVG(vg, xs), read };
    }
    case "W2": {
      const xs = [f64(data.w), f64(data.x)];
      const vg = jit(
        valueAndGrad(
          (w, x) => {
            const z = np.dot(w.ref.slice([0, 2]), x).add(w.slice(2));
            return np.reciprocal(np.exp(z.neg()).add(1));
          },
          { argnums: [0, 1] },
        ),
      );
      return { call: () => runVG(vg, xs), read };
    }
    case "W3": {
      const xs = [f64(data.x)];
      const vg = jit(
        valueAndGrad((x) => {
          const a = x.ref.slice([1]);
          const b = x.slice([0, -1]);
          const t = a.sub(np.square(b.ref));
          return np.sum(np.square(t).mul(100).add(np.square(np.subtract(1, b))));
        }),
      );
      return { call: () => runVG(vg, xs), read };
    }
    case "W4": {
      const { params: p, X, Y } = data;
      const H = 16;
      const P = {
        W1: f64(transpose(p.W1.flat(), H, 2)).reshape([2, H]),
        b1: f64(p.b1),
        W2: f64(transpose(p.W2.flat(), H, H)).reshape([H, H]),
        b2: f64(p.b2),
        W3: f64(p.W3).reshape([H, 1]),
        b3: f64([p.b3]),
      };
      const Xa = f64(X.flat()).reshape([X.length, 2]);
      const Ya = f64(Y).reshape([Y.length, 1]);
      const vg = jit(
        valueAndGrad((q, X, Y) => {
          const h1 = np.tanh(np.matmul(X, q.W1).add(q.b1));
          const h2 = np.tanh(np.matmul(h1, q.W2).add(q.b2));
          const out = np.matmul(h2, q.W3).add(q.b3);
          return np.mean(np.square(out.sub(Y)));
        }),
      );
      return {
        call() {
          const q = { W1: P.W1.ref, b1: P.b1.ref, W2: P.W2.ref, b2: P.b2.ref, W3: P.W3.ref, b3: P.b3.ref };
          const [value, g] = vg(q, Xa.ref, Ya.ref);
          return {
            value: value.dataSync()[0],
            grad: [g.W1.dataSync(), g.b1.dataSync(), g.W2.dataSync(), g.b2.dataSync(), g.W3.dataSync(), g.b3.dataSync()],
          };
        },
        read: (r) => {
          const [gW1, gb1, gW2, gb2, gW3, gb3] = r.grad;
          return { value: r.value, grad: [...transpose(gW1, 2, H), ...gb1, ...transpose(gW2, H, H), ...gb2, ...gW3, ...gb3] };
        },
      };
    }
    case "W5": {
      const x = f64(data.x);
      const h = jit(
        hessian((x) =>
          jax.nn.logsumexp(x.ref).add(np.sum(x.ref.slice([0, -1]).mul(np.sin(x.slice([1]))))),
        ),
      );
      return {
        call: () => h(x.ref).dataSync(),
        read: (r) => ({ value: null, grad: Array.from(r) }),
        note: "jit(hessian(f))",
      };
    }
    case "W6": {
      const n = data.n;
      const xs = [f64(data.x0)];
      const vg = jit(
        valueAndGrad((x) => {
          for (let i = 0; i < n; i++) x = np.sin(x.ref).mul(0.9).add(x.mul(0.1));
          return x;
        }),
      );
      return { call: () => runVG(vg, xs), read };
    }
    default:
      return { na: "not measured" };
  }
}
