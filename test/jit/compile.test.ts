// The code generator and the loop re-roller, directly on graphs: generated code (re-rolled or
// straight-line, in one chunk or many) and the interpreter agree exactly on random programs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, mul, sin, sum, tanh, dot, valueAndGrad, type Num } from "../../src/index.js";
import { compileGraph, type CompileOptions } from "../../src/jit/compile.js";
import { optimize } from "../../src/jit/optimize.js";
import { reroll, type LoopNode } from "../../src/jit/reroll.js";
import { stage } from "../../src/transforms/common.js";
import { runLoops, runProgram } from "../transforms/jit-helpers.js";

function run(f: (...a: never[]) => unknown, args: unknown[], inputs: number[], options: CompileOptions): number[] {
  const { graph } = optimize(stage(f as (...a: unknown[]) => unknown, args, undefined, "jit").graph);
  const exec = compileGraph(graph, options);
  const m = exec.newMemory();
  m.set(inputs);
  exec.run(m);
  return Array.from(exec.outputSlots, (s) => m[s]!);
}

const same = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Object.is(x, b[i]) || (x === 0 && b[i] === 0)).toBe(true));
};

describe("generated code and interpreter agree exactly", () => {
  const step = fc.record({ op: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });
  const variants: CompileOptions[] = [{}, { reroll: false }, { chunkSize: 7 }, { reroll: false, chunkSize: 3 }];
  it("on straight-line programs and their gradients", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }), (steps, xs) => {
        const f = valueAndGrad((x: Num[]) => sum(runProgram(steps, x, 2)));
        const ref = run(f, [xs], xs, { interpret: true });
        for (const v of variants) same(run(f, [xs], xs, v), ref);
      }),
      { numRuns: 50 },
    );
  });
  it("on loop-structured programs and their gradients", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 2, maxLength: 6 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 4, max: 10 }),
        (body, xs, outer, inner) => {
          const f = valueAndGrad((x: Num[]) => runLoops(body, x, outer, inner));
          const ref = run(f, [xs], xs, { interpret: true });
          for (const v of variants) same(run(f, [xs], xs, v), ref);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("re-rolling", () => {
  const loopsOf = (nodes: readonly LoopNode[]): { span: number; reps: number; depth: number }[] => {
    const out: { span: number; reps: number; depth: number }[] = [];
    const walk = (xs: readonly LoopNode[], depth: number) => {
      for (const x of xs) {
        if (typeof x === "number") continue;
        out.push({ span: x.span, reps: x.reps, depth });
        walk(x.body, depth + 1);
      }
    };
    walk(nodes, 0);
    return out;
  };
  it("finds the loop of a chain, forward and backward", () => {
    const chain = (x: Num) => {
      for (let i = 0; i < 100; i++) x = add(mul(0.9, sin(x)), mul(0.1, x));
      return x;
    };
    const { graph } = optimize(stage(valueAndGrad(chain), [1], undefined, "jit").graph);
    const loops = loopsOf(reroll(graph));
    expect(loops.filter((l) => l.depth === 0).length).toBeLessThanOrEqual(3);
    expect(loops.reduce((s, l) => s + (l.depth === 0 ? l.span * l.reps : 0), 0)).toBeGreaterThan(0.95 * (graph.size - 1));
  });
  it("finds loops of loops: a batch of points through a layer of neurons, and back", () => {
    const net = (w: Num[][], X: Num[][]) =>
      sum(X.map((x) => sum(w.map((row) => tanh(dot(row, x))))));
    const w = Array.from({ length: 8 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const X = Array.from({ length: 12 }, (_, i) => [i / 12, 1 - i / 12]);
    const { graph } = optimize(stage(valueAndGrad(net), [w, X], undefined, "jit").graph);
    const loops = loopsOf(reroll(graph));
    expect(loops.some((l) => l.depth === 1 && l.reps >= 7)).toBe(true); // neurons inside points
    expect(loops.some((l) => l.depth === 0 && l.reps >= 10)).toBe(true); // points
  });
  it("walks through constant data (a closed-over array) by index, in loops", () => {
    const data = Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 3 + i);
    const f = valueAndGrad((w: Num[]) => sum(data.map((d, i) => tanh(add(mul(w[0]!, d), mul(w[1]!, data[(i + 1) % 64]!))))));
    const { graph } = optimize(stage(f, [[0.3, -0.2]], undefined, "jit").graph);
    expect(loopsOf(reroll(graph)).length).toBeGreaterThan(0);
    const ref = run(f, [[0.3, -0.2]], [0.3, -0.2], { interpret: true });
    same(run(f, [[0.3, -0.2]], [0.3, -0.2], {}), ref);
    same(run(f, [[0.3, -0.2]], [0.3, -0.2], { chunkSize: 5 }), ref);
  });
  it("leaves an irregular graph straight-line", () => {
    const f = (x: Num[]) => add(mul(sin(x[0]!), x[1]!), tanh(add(x[2]!, 1)));
    const { graph } = optimize(stage(f, [[1, 2, 3]], undefined, "jit").graph);
    expect(loopsOf(reroll(graph))).toEqual([]);
  });
});
