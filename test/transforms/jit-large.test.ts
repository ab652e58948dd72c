// Very large graphs under jit: a chain whose value-and-gradient graph has over a million
// equations (re-rolled into loops), and a million-operation graph with no loop structure at
// all (too large to be worth generating code for: interpreted), both correct.
import { describe, expect, it } from "vitest";
import { add, cos, jit, mul, sin, sub, tanh, valueAndGrad, type Num } from "../../src/index.js";
import { COMPILE_DEFAULTS } from "../../src/jit/compile.js";
import { stage } from "../../src/transforms/common.js";

const chain = (n: number) => (x: Num) => {
  let y = x;
  for (let i = 0; i < n; i++) y = add(mul(0.9, sin(y)), mul(0.1, y));
  return y;
};

function chainByHand(x0: number, n: number): [number, number] {
  let x = x0;
  let d = 1;
  for (let i = 0; i < n; i++) {
    d *= 0.9 * Math.cos(x) + 0.1;
    x = 0.9 * Math.sin(x) + 0.1 * x;
  }
  return [x, d];
}

describe("a graph of over 10⁶ operations", () => {
  it("jit(valueAndGrad) of a 10⁵-step chain: > 10⁶ staged equations, compiled to a few loops", () => {
    const n = 100_000;
    const f = jit(valueAndGrad(chain(n)));
    const [v, d] = f(1.5) as [number, number];
    const [hv, hd] = chainByHand(1.5, n);
    // (10⁵ products in another order than by hand: agreement to ~1e-10 relative is rounding)
    expect(v).toBeCloseTo(hv, 12);
    expect(Math.abs(d - hd)).toBeLessThanOrEqual(1e-9 * Math.abs(hd));
    const low = f.lower(1.5);
    expect(low.stats.equations).toBeGreaterThan(800_000);
    expect(low.strategy).toBe("compiled");
    expect(low.stats.statements).toBeLessThan(100);
    // a second point, without tracing again
    const [v2, d2] = f(-0.3) as [number, number];
    const [hv2, hd2] = chainByHand(-0.3, n);
    expect(v2).toBeCloseTo(hv2, 12);
    expect(Math.abs(d2 - hd2)).toBeLessThanOrEqual(1e-9 * Math.abs(hd2));
  });

  it("10⁶ operations without loop structure: interpreted (above the size limit), correct", () => {
    // Operands picked by a hash of the position: no stride repeats, so nothing re-rolls.
    const ops = 1_000_000;
    const f = (x: Num[]) => {
      const vals: Num[] = [...x];
      let h = 12345;
      for (let i = 0; i < ops; i++) {
        h = (Math.imul(h, 1103515245) + 12345) >>> 0;
        const a = vals[Math.max(0, vals.length - 1 - (h % 7))]!;
        const b = vals[(h >>> 8) % vals.length]!;
        const k = (h >>> 20) % 4;
        vals.push(k === 0 ? add(a, mul(0.5, b)) : k === 1 ? sub(a, mul(0.25, b)) : k === 2 ? tanh(add(a, b)) : mul(0.5, add(cos(a), b)));
      }
      return vals[vals.length - 1]!;
    };
    const x = [0.1, 0.2, 0.3, 0.4];
    const jf = jit(f);
    const low = jf.lower(x);
    expect(low.stats.equations).toBeGreaterThan(COMPILE_DEFAULTS.maxStatements);
    expect(low.strategy).toBe("interpreted");
    expect(jf(x)).toBe(f(x));
    expect(jf([0.5, -0.5, 1, 2])).toBe(f([0.5, -0.5, 1, 2]));
  });

  it("a large graph without loop structure but under the limit: generated in several chunks", () => {
    const f = (x: Num[]) => {
      const vals: Num[] = [...x];
      let h = 777;
      for (let i = 0; i < 20_000; i++) {
        h = (Math.imul(h, 1103515245) + 12345) >>> 0;
        vals.push(add(mul(vals[Math.max(0, vals.length - 1 - (h % 5))]!, 0.5), tanh(vals[(h >>> 8) % vals.length]!)));
      }
      return [vals[vals.length - 1]!, vals[vals.length - 1000]!];
    };
    const x = [0.1, -0.2, 0.3];
    const jf = jit(f);
    const low = jf.lower(x);
    expect(low.strategy).toBe("compiled");
    expect(low.stats.chunks).toBeGreaterThan(5);
    expect(jf(x)).toEqual(f(x));
    // and its gradient
    const s = (v: Num[]) => add(f(v)[0]!, f(v)[1]!);
    const g = jit(valueAndGrad(s));
    const [gv, gg] = g(x) as [number, number[]];
    const [ev, eg] = valueAndGrad(s)(x);
    expect(gv).toBe(ev);
    gg.forEach((d, i) => expect(Math.abs(d - eg[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(eg[i]!) + 1e-300));
  });

  it("staging alone handles 10⁶ equations (no recursion)", () => {
    const { graph } = stage(chain(250_000), [1], undefined, "jit");
    expect(graph.size).toBeGreaterThan(1_000_000);
  });
});
