// checkpoint(f) and scan's checkpoint: { snapshots: k }: recomputation instead of storage must
// not change a single bit of the values or the derivatives.
import { describe, expect, it } from "vitest";
import { add, checkGrads, checkpoint, cos, grad, hessian, jit, jvp, mul, scan, sin, sum, tanh, valueAndGrad, type Num, type ScanOptions } from "../../src/index.js";

describe("checkpoint(f)", () => {
  const layer = (w: Num[], x: Num): Num => tanh(add(mul(w[0]!, sin(x)), mul(w[1]!, cos(mul(x, w[2]!)))));
  const net = (l: (w: Num[], x: Num) => Num) => (w: Num[]) => {
    let x: Num = 0.3;
    for (let i = 0; i < 4; i++) x = l(w, x);
    return x;
  };
  const plain = net(layer);
  const remat = net(checkpoint(layer));
  const w = [0.9, -0.4, 1.7];

  it("gives the values, gradients and hessians of f, bit for bit", () => {
    expect(remat(w)).toBe(plain(w));
    expect(grad(remat)(w)).toEqual(grad(plain)(w));
    expect(hessian(remat)(w)).toEqual(hessian(plain)(w));
    expect(jvp(remat, [w], [[1, 0, 0.5]])).toEqual(jvp(plain, [w], [[1, 0, 0.5]]));
  });

  it("gives the same results under jit, grad(jit) and jit(grad)", () => {
    expect(jit(remat)(w)).toBeCloseTo(plain(w) as number, 14);
    const g = grad(plain)(w);
    grad(jit(remat))(w).forEach((v, i) => expect(v).toBeCloseTo(g[i]!, 14));
    jit(grad(remat))(w).forEach((v, i) => expect(v).toBeCloseTo(g[i]!, 14));
  });

  it("keeps tree arguments and results", () => {
    const f = checkpoint((p: { a: Num; b: Num[] }, k: Num) => ({ s: mul(p.a, k), t: [add(p.b[0]!, k)] }));
    expect(f({ a: 2, b: [1] }, 3)).toEqual({ s: 6, t: [4] });
  });

  it("passes checkGrads at orders 1 and 2 in both modes", () => {
    for (const order of [1, 2]) checkGrads(remat, [w], { order, modes: ["fwd", "rev"] });
  });
});

describe("scan with checkpoint: { snapshots: k }", () => {
  const N = 40;
  const xs = Array.from({ length: N }, (_, i) => Math.sin(i * 1.3));
  const loss = (options: ScanOptions) => (p: Num[]) => {
    const [h, ys] = scan((c: [Num, Num], x: Num) => {
      const a = tanh(add(mul(c[0], p[0]!), mul(x, p[1]!)));
      return [[a, add(c[1], mul(a, a))], mul(a, x)] as const;
    }, [p[2]!, 0] as [Num, Num], xs, options);
    return add(add(h[0], h[1]), sum(ys));
  };
  const p = [0.8, 0.6, 0.1];

  it("gives bit-identical values and gradients to \"all\" for k = 1, 2, 3, 32, N and beyond", () => {
    const want = valueAndGrad(loss({ checkpoint: "all" }))(p);
    expect(valueAndGrad(loss({}))(p)).toEqual(want);
    for (const k of [1, 2, 3, 32, N, N + 5, 1000]) {
      expect(valueAndGrad(loss({ checkpoint: { snapshots: k } }))(p), `snapshots: ${k}`).toEqual(want);
      expect(valueAndGrad(loss({ checkpoint: { snapshots: k }, reverse: true }))(p), `snapshots: ${k}, reverse`).toEqual(
        valueAndGrad(loss({ reverse: true }))(p),
      );
    }
  });

  it("gives bit-identical hessians and jit(valueAndGrad) results to \"all\"", () => {
    const h = hessian(loss({}))(p);
    const j = jit(valueAndGrad(loss({})))(p);
    for (const k of [1, 3, 32]) {
      expect(hessian(loss({ checkpoint: { snapshots: k } }))(p)).toEqual(h);
      expect(jit(valueAndGrad(loss({ checkpoint: { snapshots: k } })))(p)).toEqual(j);
    }
  });
});

describe("the memory of checkpointing", () => {
  it("keeps at most `snapshots` carries alive in the backward pass, whatever the length", async () => {
    const { revolveStats } = await import("../../src/loops/scan.js");
    for (const [length, snapshots] of [[5000, 2], [5000, 3], [5000, 8], [20000, 32]] as const) {
      const f = (w: Num) => scan((h: Num) => [add(mul(0.5, sin(h)), w), []] as const, 0.1, null, { length, checkpoint: { snapshots } })[0];
      revolveStats.peakCarries = -1;
      const g = grad(f)(0.3);
      expect(revolveStats.peakCarries).toBeGreaterThan(0);
      expect(revolveStats.peakCarries).toBeLessThanOrEqual(snapshots);
      expect(g).toBe(grad((w: Num) => scan((h: Num) => [add(mul(0.5, sin(h)), w), []] as const, 0.1, null, { length })[0])(0.3));
    }
  });
});
