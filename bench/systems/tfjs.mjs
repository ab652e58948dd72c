// TensorFlow.js on its pure-JavaScript CPU backend, used the tensor way: inputs are tensors made
// once (as a training loop keeps its parameters), each call runs tf.valueAndGrads inside
// tf.tidy and reads the results back to JavaScript with dataSync(). float32 throughout.
import { flat, readFlat as read, transpose } from "../lib/workloads.mjs";

let tf;

export async function init() {
  tf = await import("@tensorflow/tfjs"); // the union package registers the gradients
  await import("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  tf.enableProdMode(); // skips debug-only checks, as a production user would
  return `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, float32`;
}

/** Runs `vg` (a tf.valueAndGrads function) on `xs` and reads the value and gradients back. */
function runVG(vg, xs) {
  const { value, grads } = tf.tidy(() => vg(xs));
  const out = { value: value.dataSync()[0], grad: grads.map((g) => g.dataSync()) };
  tf.dispose(value);
  tf.dispose(grads);
  return out;
}

export async function setup(id, data) {
  switch (id) {
    case "W1": {
      const xs = [tf.scalar(data.x), tf.scalar(data.y), tf.scalar(data.z)];
      const vg = tf.valueAndGrads((x, y, z) => x.add(y).mul(z));
      return { call: () => runVG(vg, xs), read };
    }
    case "W2": {
      const xs = [tf.tensor1d(data.w), tf.tensor1d(data.x)];
      const vg = tf.valueAndGrads((w, x) => {
        const z = tf.sum(tf.mul(w.slice(0, 2), x)).add(w.slice(2, 1).reshape([]));
        return tf.div(1, tf.add(1, tf.exp(tf.neg(z))));
      });
      return { call: () => runVG(vg, xs), read };
    }
    case "W3": {
      const n = data.n;
      const xs = [tf.tensor1d(data.x)];
      const vg = tf.valueAndGrads((x) => {
        const a = x.slice(1, n - 1);
        const b = x.slice(0, n - 1);
        return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(a, tf.square(b)))), tf.square(tf.sub(1, b))));
      });
      return { call: () => runVG(vg, xs), read };
    }
    case "W4": {
      const { params: p, X, Y } = data;
      const H = 16;
      // Layers as matrices: h = tanh(x·W + b), W1 is 2×16 (the transpose of the canonical 16×2).
      const xs = [
        tf.tensor2d(transpose(p.W1.flat(), H, 2), [2, H]),
        tf.tensor1d(p.b1),
        tf.tensor2d(transpose(p.W2.flat(), H, H), [H, H]),
        tf.tensor1d(p.b2),
        tf.tensor2d(p.W3, [H, 1]),
        tf.tensor1d([p.b3]),
      ];
      const Xt = tf.tensor2d(X.flat(), [X.length, 2]);
      const Yt = tf.tensor2d(Y, [Y.length, 1]);
      const vg = tf.valueAndGrads((W1, b1, W2, b2, W3, b3) => {
        const h1 = tf.tanh(tf.add(tf.matMul(Xt, W1), b1));
        const h2 = tf.tanh(tf.add(tf.matMul(h1, W2), b2));
        const out = tf.add(tf.matMul(h2, W3), b3);
        return tf.mean(tf.square(tf.sub(out, Yt)));
      });
      return {
        call: () => runVG(vg, xs),
        read: (r) => {
          const [gW1, gb1, gW2, gb2, gW3, gb3] = r.grad;
          return { value: r.value, grad: [...transpose(gW1, 2, H), ...gb1, ...transpose(gW2, H, H), ...gb2, ...gW3, ...gb3] };
        },
      };
    }
    case "W5": {
      // tfjs has no jvp or hessian: row i of the Hessian is the gradient of <∇f(x), e_i>
      // (reverse over reverse), one per basis vector. tf.logSumExp cannot be differentiated
      // twice (its gradient goes through Equal, which has none), so log(sum(exp(x))) it is
      // (no overflow here: |x| < 1).
      const n = data.n;
      const x = tf.tensor1d(data.x);
      const f = (x) => tf.add(tf.log(tf.sum(tf.exp(x))), tf.sum(tf.mul(x.slice(0, n - 1), tf.sin(x.slice(1, n - 1)))));
      const gf = tf.grad(f);
      const basis = Array.from({ length: n }, (_, i) => tf.oneHot(tf.tensor1d([i], "int32"), n).reshape([n]).toFloat());
      const rows = basis.map((e) => tf.grad((x) => tf.sum(tf.mul(gf(x), e))));
      return {
        call() {
          const H = tf.tidy(() => tf.stack(rows.map((row) => row(x))));
          const out = H.dataSync();
          H.dispose();
          return out;
        },
        read: (h) => ({ value: null, grad: Array.from(h) }),
        note: "row i = grad of <grad f, e_i> (no jvp/hessian in tfjs); log(sum(exp)) for logSumExp",
      };
    }
    case "W6": {
      const n = data.n;
      const xs = [tf.scalar(data.x0)];
      const vg = tf.valueAndGrads((x) => {
        for (let i = 0; i < n; i++) x = tf.add(tf.mul(0.9, tf.sin(x)), tf.mul(0.1, x));
        return x;
      });
      return { call: () => runVG(vg, xs), read };
    }
    default:
      return { na: "not measured" };
  }
}
