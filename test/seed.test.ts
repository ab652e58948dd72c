// The lecture notes' worked examples: the project's first acceptance cases, with their exact numbers.
import { describe, expect, it } from "vitest";
import { add, div, exp, grad, mul, neg, sigmoid, square, sub, valueAndGrad, vjp, type Num } from "../src/index.js";

const f = (x: Num, y: Num, z: Num) => mul(add(x, y), z);
const neuron = (w: Num[], x: Num[]) =>
  div(1, add(1, exp(neg(add(add(mul(w[0]!, x[0]!), mul(w[1]!, x[1]!)), w[2]!)))));

describe("the lecture notes' example 1: f(x, y, z) = (x + y) z at (-2, 5, -4)", () => {
  it("grad with every argnums", () => {
    expect(grad(f)(-2, 5, -4)).toBe(-4);
    expect(grad(f, { argnums: 0 })(-2, 5, -4)).toBe(-4);
    expect(grad(f, { argnums: 1 })(-2, 5, -4)).toBe(-4);
    expect(grad(f, { argnums: 2 })(-2, 5, -4)).toBe(3);
    expect(grad(f, { argnums: [0, 1, 2] })(-2, 5, -4)).toEqual([-4, -4, 3]);
    expect(grad(f, { argnums: [2, 0] })(-2, 5, -4)).toEqual([3, -4]);
  });
  it("valueAndGrad", () => {
    expect(valueAndGrad(f, { argnums: [0, 1, 2] })(-2, 5, -4)).toEqual([-12, [-4, -4, 3]]);
  });
  it("vjp", () => {
    const [out, pullback] = vjp(f, -2, 5, -4);
    expect(out).toBe(-12);
    expect(pullback(1)).toEqual([-4, -4, 3]);
    expect(pullback(2)).toEqual([-8, -8, 6]);
  });
});

describe("the lecture notes' example 2: the sigmoid neuron at w = [2, -3, -3], x = [-1, -2]", () => {
  const w = [2, -3, -3];
  const x = [-1, -2];
  // Closed form: f = σ(1), df/dw = σ'(1)·[x0, x1, 1], df/dx = σ'(1)·[w0, w1].
  const s = 1 / (1 + Math.exp(-1));
  const ds = s * (1 - s);
  it("values match the notes (0.73; [-0.20, -0.39, 0.20]; [0.39, -0.59])", () => {
    const [value, [dw, dx]] = valueAndGrad(neuron, { argnums: [0, 1] })(w, x);
    expect(value.toFixed(2)).toBe("0.73");
    expect(dw.map((v) => v.toFixed(2))).toEqual(["-0.20", "-0.39", "0.20"]);
    expect(dx.map((v) => v.toFixed(2))).toEqual(["0.39", "-0.59"]);
  });
  it("agrees with the closed form to rounding", () => {
    const [value, [dw, dx]] = valueAndGrad(neuron, { argnums: [0, 1] })(w, x);
    expect(value).toBeCloseTo(s, 15);
    [-1 * ds, -2 * ds, ds].forEach((e, i) => expect(dw[i]).toBeCloseTo(e, 15));
    [2 * ds, -3 * ds].forEach((e, i) => expect(dx[i]).toBeCloseTo(e, 15));
    expect(grad(neuron)(w, x)).toEqual(dw);
    expect(grad(neuron, { argnums: 1 })(w, x)).toEqual(dx);
  });
  it("vjp gives both gradients", () => {
    const [out, pullback] = vjp(neuron, w, x);
    expect(out).toBeCloseTo(s, 15);
    const [dw, dx] = pullback(1);
    expect(dw[1]).toBeCloseTo(-2 * ds, 15);
    expect(dx[1]).toBeCloseTo(-3 * ds, 15);
  });
});

describe("the lecture notes' example 3: backpropagation through a small network", () => {
  it("dLoss/dw1 = (dLoss/dz' w3 + dLoss/dz'' w4) σ'(z) x1", () => {
    const p = { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 };
    const x = [1.5, -0.5];
    const t = [1, 0];
    const loss = (p: Record<string, Num>, x: number[], t: number[]) => {
      const a = sigmoid(add(add(mul(p.w1!, x[0]!), mul(p.w2!, x[1]!)), p.b!));
      const y1 = sigmoid(add(mul(p.w3!, a), p.b1!));
      const y2 = sigmoid(add(mul(p.w4!, a), p.b2!));
      return add(square(sub(y1, t[0]!)), square(sub(y2, t[1]!)));
    };
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const z = p.w1 * x[0]! + p.w2 * x[1]! + p.b;
    const a = s(z);
    const zp = p.w3 * a + p.b1;
    const zpp = p.w4 * a + p.b2;
    const dLdzp = 2 * (s(zp) - t[0]!) * s(zp) * (1 - s(zp));
    const dLdzpp = 2 * (s(zpp) - t[1]!) * s(zpp) * (1 - s(zpp));
    const expected = (dLdzp * p.w3 + dLdzpp * p.w4) * s(z) * (1 - s(z)) * x[0]!;
    expect(grad(loss)(p, x, t).w1).toBeCloseTo(expected, 15);
  });
});
