// Loops composed with the rest of chainrule: inside customVjp and checkpoint, under jvp∘grad and
// jit(hessian), a while loop inside a scan, and what the loop engine keeps out of jit's graph.
import { describe, expect, it } from "vitest";
import {
  add,
  checkpoint,
  customVjp,
  div,
  foriLoop,
  grad,
  hessian,
  jit,
  jvp,
  lt,
  makeGraph,
  mul,
  scan,
  sin,
  sub,
  valueAndGrad,
  whileLoop,
  type Num,
} from "../../src/index.js";
import { expectClose } from "../support/expect-close.js";

/** x_{k+1} = 0.9 sin x_k + w x_k, n steps, as a scan and unrolled. */
const viaScan = (n: number) => (w: Num, x0: Num) => scan((x: Num) => [add(mul(0.9, sin(x)), mul(w, x)), x] as const, x0, null, { length: n })[0];
const unrolled = (n: number) => (w: Num, x0: Num) => {
  let x = x0;
  for (let i = 0; i < n; i++) x = add(mul(0.9, sin(x)), mul(w, x));
  return x;
};

describe("loops composed with other transforms", () => {
  it("a scan inside customVjp's function and rules", () => {
    const f = (w: Num) => viaScan(12)(w, 1.1);
    const g = customVjp(f, {
      fwd: (w: Num) => [f(w), w] as const,
      bwd: (w: Num, ct: Num) => [mul(ct, grad(f)(w))],
    });
    expectClose(g(0.2), unrolled(12)(0.2, 1.1), 14);
    expectClose(grad(g)(0.2), grad((w: Num) => unrolled(12)(w, 1.1))(0.2), 12);
    expectClose(jit(grad(g))(0.2), grad((w: Num) => unrolled(12)(w, 1.1))(0.2), 12);
  });

  it("checkpoint of a function that holds a scan, at orders 1 and 2", () => {
    const f = checkpoint((w: Num, x0: Num) => viaScan(9)(w, x0));
    const u = unrolled(9);
    expectClose(grad(f, { argnums: [0, 1] })(0.3, 0.7), grad(u, { argnums: [0, 1] })(0.3, 0.7), 12);
    expectClose(hessian(f, { argnums: [0, 1] })(0.3, 0.7), hessian(u, { argnums: [0, 1] })(0.3, 0.7), 10);
  });

  it("jvp of grad, and jit of hessian, through a scan", () => {
    const f = (w: Num) => viaScan(15)(w, 0.4);
    const u = (w: Num) => unrolled(15)(w, 0.4);
    expectClose(jvp(grad(f), [0.25], [1]), jvp(grad(u), [0.25], [1]), 11);
    expectClose(jit(hessian(f))(0.25), hessian(u)(0.25), 10);
  });

  it("a whileLoop inside a scan body (a Newton square root per element)", () => {
    const sqrt = (a: Num) => whileLoop((x: Num) => lt(1e-26, mul(sub(mul(x, x), a), sub(mul(x, x), a))), (x: Num) => mul(0.5, add(x, div(a, x))), a, { maxSteps: 100 });
    const f = (s: Num) => scan((c: Num, a: Num) => [add(c, sqrt(mul(a, s))), c] as const, 0, [1, 2, 3])[0];
    const want = (s: number) => Math.sqrt(s) + Math.sqrt(2 * s) + Math.sqrt(3 * s);
    expectClose(f(2), want(2), 10);
    const d = (Math.sqrt(1) + Math.sqrt(2) + Math.sqrt(3)) / (2 * Math.sqrt(2));
    expectClose(grad(f)(2), d, 10);
    expectClose(jit(grad(f))(2), d, 10);
  });

  it("foriLoop under jit(valueAndGrad) keeps one equation for the loop, whatever its length", () => {
    const f = (n: number) => (w: Num) => foriLoop(0, n, (_i: Num, x: Num) => add(mul(0.9, sin(x)), mul(w, x)), 1.0);
    const small = jit(valueAndGrad(f(10))).lower(0.1).stats.equations;
    const large = jit(valueAndGrad(f(100_000))).lower(0.1).stats.equations;
    expect(large).toBe(small);
    expect(makeGraph(valueAndGrad(f(100_000)))(0.1).equations().length).toBeLessThan(40);
  });

  it("under jit(grad), a scan whose ys nobody reads gives the gradient of the one that keeps them, call after call", () => {
    const f = (w: Num) => scan((c: Num, x: Num) => [add(mul(c, w), sin(x)), mul(c, x)] as const, 0.3, [0.5, 1.5, -0.7, 2.0])[0];
    const g = (w: Num) => {
      const [c, ys] = scan((c: Num, x: Num) => [add(mul(c, w), sin(x)), mul(c, x)] as const, 0.3, [0.5, 1.5, -0.7, 2.0]);
      return add(c, mul(0, ys[0]!));
    };
    const jf = jit(grad(f));
    for (const w of [0.9, 1.1, 0.9]) {
      expectClose(jf(w), grad(g)(w), 13);
      expectClose(jit(valueAndGrad(f))(w), valueAndGrad(g)(w), 13);
    }
  });

  it("a body too long for one generated chunk, and a carry of 300 leaves, against the unrolled loop", () => {
    const longBody = (x: Num, w: Num) => {
      for (let i = 0; i < 400; i++) x = add(mul(0.999, sin(x)), mul(w, 0.001));
      return x;
    };
    const viaScan = (w: Num) => scan((x: Num) => [longBody(x, w), x] as const, 0.7, null, { length: 5 })[0];
    const unrolledLong = (w: Num) => {
      let x: Num = 0.7;
      for (let k = 0; k < 5; k++) x = longBody(x, w);
      return x;
    };
    expectClose(viaScan(0.3), unrolledLong(0.3), 12);
    expectClose(grad(viaScan)(0.3), grad(unrolledLong)(0.3), 11);
    expectClose(jit(grad(viaScan))(0.3), grad(unrolledLong)(0.3), 11);
    const wide = (w: Num) => {
      const init = Array.from({ length: 300 }, (_, i) => i / 300);
      const [c] = scan((c: Num[]) => [c.map((v, i) => add(mul(v, w), mul(0.01, c[(i + 1) % 300]!))), 0] as const, init, null, { length: 4 });
      return c.reduce((a: Num, b) => add(a, b), 0);
    };
    const wideUnrolled = (w: Num) => {
      let c: Num[] = Array.from({ length: 300 }, (_, i) => i / 300);
      for (let k = 0; k < 4; k++) c = c.map((v, i) => add(mul(v, w), mul(0.01, c[(i + 1) % 300]!)));
      return c.reduce((a: Num, b) => add(a, b), 0);
    };
    expectClose(wide(0.9), wideUnrolled(0.9), 12);
    expectClose(grad(wide)(0.9), grad(wideUnrolled)(0.9), 11);
    expectClose(jit(valueAndGrad(wide))(0.9), valueAndGrad(wideUnrolled)(0.9), 11);
  });
});
