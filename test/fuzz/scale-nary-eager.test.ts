// Scale: the n-ary primitives (sum, mean, dot, logSumExp, softmax) at 10⁶ inputs eagerly, under grad
// and under jvp, against closed forms — sizes where spreading an array into a call overflowed the stack.
import { describe, it } from "vitest";
import { grad, jvp, softmax, type Num } from "../../src/index.js";
import { close, NARY, soft, spot, xs } from "./scale-nary.js";

describe("n-ary primitives at 10⁶ inputs: eager, grad, jvp", () => {
  it("softmax returns all 10⁶ entries eagerly", () => {
    spot(softmax(xs) as number[], (i) => soft[i]!);
  });
  for (const p of NARY) {
    const f = p.f as (...args: unknown[]) => Num;
    it(`${p.name}: eager`, () => close(f(...p.args) as number, p.value));
    it(`${p.name}: grad`, () => spot(grad(f)(...p.args) as number[], p.grad));
    it(`${p.name}: jvp`, () => close(jvp(f, [...p.args], [...p.tangents])[1] as number, p.jvp));
  }
});
