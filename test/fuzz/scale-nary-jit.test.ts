// Scale: the n-ary primitives (sum, mean, dot, logSumExp, softmax) at 10⁶ inputs under jit and
// jit(grad), against closed forms — staging, optimising and compiling graphs of millions of operands.
import { describe, it } from "vitest";
import { grad, jit, type Num } from "../../src/index.js";
import { close, NARY, spot } from "./scale-nary.js";

describe("n-ary primitives at 10⁶ inputs: jit, jit(grad)", () => {
  for (const p of NARY) {
    const f = p.f as (...args: unknown[]) => Num;
    it(`${p.name}: jit`, () => close(jit(f)(...p.args) as number, p.value));
    it(`${p.name}: jit(grad)`, () => spot(jit(grad(f))(...p.args) as number[], p.grad));
  }
});
