// The micrograd-style tape on each workload. Every call wraps the inputs in fresh Values, builds
// the graph and runs backward, as a micrograd user would.
import { Value } from "./micrograd.mjs";

export async function setup(id, data, { iterative }) {
  const back = iterative ? (v) => v.backwardIterative() : (v) => v.backward();
  const V = (v) => new Value(v);
  switch (id) {
    case "W1":
      return {
        call() {
          const x = V(data.x), y = V(data.y), z = V(data.z);
          const f = x.add(y).mul(z);
          back(f);
          return { value: f.data, grad: [x.grad, y.grad, z.grad] };
        },
      };
    case "W2":
      return {
        call() {
          const w = data.w.map(V), x = data.x.map(V);
          const z = w[0].mul(x[0]).add(w[1].mul(x[1])).add(w[2]);
          const f = z.neg().exp().add(1).pow(-1);
          back(f);
          return { value: f.data, grad: [...w, ...x].map((v) => v.grad) };
        },
      };
    case "W3":
      return {
        call() {
          const x = data.x.map(V);
          let s = V(0);
          for (let i = 0; i < x.length - 1; i++) {
            const t = x[i + 1].sub(x[i].pow(2));
            const u = x[i].rsub(1);
            s = s.add(t.pow(2).mul(100).add(u.pow(2)));
          }
          back(s);
          return { value: s.data, grad: x.map((v) => v.grad) };
        },
      };
    case "W4": {
      const { params: p, X, Y } = data;
      return {
        call() {
          const W1 = p.W1.map((r) => r.map(V)), b1 = p.b1.map(V);
          const W2 = p.W2.map((r) => r.map(V)), b2 = p.b2.map(V);
          const W3 = p.W3.map(V), b3 = V(p.b3);
          // micrograd's Neuron: act = sum(wi*xi) + b, then tanh
          const neuron = (w, b, x) => {
            let act = b;
            for (let k = 0; k < w.length; k++) act = act.add(w[k].mul(x[k]));
            return act;
          };
          let loss = V(0);
          for (let s = 0; s < X.length; s++) {
            const h1 = W1.map((w, j) => neuron(w, b1[j], X[s]).tanh());
            const h2 = W2.map((w, j) => neuron(w, b2[j], h1).tanh());
            const out = neuron(W3, b3, h2);
            loss = loss.add(out.sub(Y[s]).pow(2));
          }
          loss = loss.mul(1 / X.length);
          back(loss);
          const all = [...W1.flat(), ...b1, ...W2.flat(), ...b2, ...W3, b3];
          return { value: loss.data, grad: all.map((v) => v.grad) };
        },
      };
    }
    case "W5":
      return { na: "no higher-order derivatives (the _backward closures are not themselves traced)" };
    case "W6":
      return {
        call() {
          const x0 = V(data.x0);
          let x = x0;
          for (let i = 0; i < data.n; i++) x = x.sin().mul(0.9).add(x.mul(0.1));
          back(x);
          return { value: x.data, grad: [x0.grad] };
        },
      };
    default:
      return { na: "not measured" };
  }
}

/** W7: records a chain of `ops` operations (4 per step) and keeps it alive through its root. */
export function record(x0, ops) {
  const input = new Value(x0);
  let x = input;
  for (let i = 0; i < ops / 4; i++) x = x.sin().mul(0.9).add(x.mul(0.1));
  return { input, root: x, opsPerStep: 4 };
}
