// jit: equal results to the function it compiles (values and derivatives, every primitive, random
// compositions), caching and retracing, static arguments, composition with the other transforms,
// concretization errors, NaN checking, and reentrancy.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  ConcretizationError,
  cos,
  definePrimitive,
  div,
  exp,
  grad,
  gt,
  jit,
  jvp,
  log,
  makeGraph,
  mul,
  neg,
  NonFiniteError,
  sin,
  sqrt,
  square,
  sub,
  sum,
  toNumber,
  Tracer,
  TreeStructureError,
  valueAndGrad,
  vjp,
  where,
  type Num,
} from "../../src/index.js";
import { codegen } from "../../src/jit/compile.js";
import { nanWatch } from "../../src/core/eval.js";
import { StageTracer } from "../../src/core/stage.js";
import { ARRAY, BINARY, expectAgree, runLoops, runProgram, UNARY, type Step } from "./jit-helpers.js";

afterEach(() => {
  codegen.forbidden = false;
});

const input = fc.double({ min: -2, max: 2, noNaN: true });
const runs = { numRuns: 40 };

/** Runs a test body once with generated code and once with the interpreter. */
function bothStrategies(name: string, body: () => void): void {
  it(`${name} (generated code)`, body);
  it(`${name} (interpreter)`, () => {
    codegen.forbidden = true;
    body();
  });
}

describe("jit(f) equals f, jit(grad(f)) equals grad(f), for every primitive", () => {
  for (const [name, f, dom] of UNARY) {
    bothStrategies(name, () => {
      const jf = jit(f);
      const jg = jit(grad(f));
      const jgg = jit(grad(grad(f)));
      fc.assert(
        fc.property(input, (x0) => {
          const x = dom(x0);
          expectAgree(jf(x), f(x));
          expectAgree(jg(x), grad(f)(x));
          expectAgree(jgg(x), grad(grad(f))(x), 1e-10);
        }),
        runs,
      );
    });
  }
  for (const [name, f, dx, dy] of BINARY) {
    bothStrategies(name, () => {
      const jf = jit(f);
      const jg = jit(grad(f, { argnums: [0, 1] }));
      fc.assert(
        fc.property(input, input, (x0, y0) => {
          const [x, y] = [dx(x0), dy(y0)];
          expectAgree(jf(x, y), f(x, y));
          expectAgree(jg(x, y), grad(f, { argnums: [0, 1] })(x, y));
        }),
        runs,
      );
    });
  }
  for (const [name, f] of ARRAY) {
    bothStrategies(name, () => {
      const scalar = (xs: Num[]) => {
        const out = f(xs);
        return Array.isArray(out) ? sum(out.map((o, i) => mul(o, i + 1))) : out;
      };
      const jf = jit(f);
      const jg = jit(grad(scalar));
      fc.assert(
        fc.property(fc.array(input, { minLength: 4, maxLength: 8 }), (xs) => {
          expectAgree(jf(xs), f(xs));
          expectAgree(jg(xs), grad(scalar)(xs));
        }),
        runs,
      );
    });
  }
  it("ties and the points where rules are special (relu'(0), max at a tie, pow at 0)", () => {
    const cases: [(x: Num, y: Num) => Num, number, number][] = [
      [(x) => mul(x, 0), 0, 0],
      [(x, y) => add(mul(x, y), x), 0, 0],
      [(x, y) => where(gt(x, y), sqrt(x), y), -1, 0],
    ];
    for (const [f, x, y] of cases) {
      expectAgree(jit(grad(f, { argnums: [0, 1] }))(x, y), grad(f, { argnums: [0, 1] })(x, y));
    }
    for (const [, f] of BINARY.filter(([n]) => ["max", "min", "pow"].includes(n))) {
      for (const [x, y] of [[0, 0], [1, 1], [0, 2], [2, 0]] as const) {
        expectAgree(jit(grad(f, { argnums: [0, 1] }))(x, y), grad(f, { argnums: [0, 1] })(x, y));
      }
    }
  });
});

describe("random compositions (fast-check)", () => {
  const step = fc.record({ op: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });
  const program = fc.array(step, { minLength: 1, maxLength: 40 });

  bothStrategies("straight-line programs: values, gradients, second derivatives along a direction", () => {
    fc.assert(
      fc.property(program, fc.array(input, { minLength: 3, maxLength: 3 }), (steps, xs) => {
        const f = (x: Num[]) => runProgram(steps, x, 2);
        const s = (x: Num[]) => sum(f(x));
        expectAgree(jit(f)(xs), f(xs));
        expectAgree(jit(valueAndGrad(s))(xs), valueAndGrad(s)(xs), 1e-11);
        // forward over reverse: a Hessian-vector product
        // (jvp's parameter types reject arrays: cast; see the report)
        const hvp = (x: Num[]) => jvp(grad(s) as (x: Num[]) => number[], [x] as never, [[1, -0.5, 0.25]] as never)[1];
        expectAgree(jit(hvp)(xs), hvp(xs), 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it("loop-structured programs are re-rolled into loops, with the same results", () => {
    const body = fc.array(step, { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(body, fc.array(input, { minLength: 5, maxLength: 9 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 4, max: 12 }), (b, xs, outer, inner) => {
        const f = (x: Num[]) => runLoops(b, x, outer, inner);
        const j = jit(valueAndGrad(f));
        expectAgree(j(xs), valueAndGrad(f)(xs), 1e-10);
        // the same graph interpreted
        codegen.forbidden = true;
        expectAgree(jit(valueAndGrad(f))(xs), valueAndGrad(f)(xs), 1e-10);
        codegen.forbidden = false;
      }),
      { numRuns: 40 },
    );
    // a long enough program does contain loops
    const f = (x: Num[]) => runLoops([{ op: 0, a: 0, b: 2, c: 3 }, { op: 5, a: 5, b: 1, c: 0 }], x, 4, 20);
    expect(jit(valueAndGrad(f)).lower([1, 2, 3, 4, 5]).stats.loops).toBeGreaterThan(0);
  });
});

describe("the lecture notes' examples under jit", () => {
  it("(x + y)·z and the sigmoid neuron", () => {
    const f = (x: Num, y: Num, z: Num) => mul(add(x, y), z);
    expect(jit(valueAndGrad(f, { argnums: [0, 1, 2] }))(-2, 5, -4)).toEqual([-12, [-4, -4, 3]]);
    const neuron = (w: Num[], x: Num[]) => div(1, add(1, exp(neg(add(add(mul(w[0]!, x[0]!), mul(w[1]!, x[1]!)), w[2]!)))));
    const [v, [dw, dx]] = jit(valueAndGrad(neuron, { argnums: [0, 1] }))([2, -3, -3], [-1, -2]);
    expect(v.toFixed(2)).toBe("0.73");
    expect(dw.map((d) => d.toFixed(2))).toEqual(["-0.20", "-0.39", "0.20"]);
    expect(dx.map((d) => d.toFixed(2))).toEqual(["0.39", "-0.59"]);
  });
});

describe("tracing and the cache", () => {
  it("traces once per input structure and never re-runs f on the same structure", () => {
    let traces = 0;
    // f runs twice per new structure: once traced, once on the numbers (jit's first-call check)
    const f = jit((p: { w: Num[]; b: Num }) => {
      traces++;
      return add(sum(p.w), p.b);
    });
    expect(f({ w: [1, 2], b: 3 })).toBe(6);
    expect(f({ w: [4, 5], b: 6 })).toBe(15);
    expect(f({ w: [7, 8], b: 9 })).toBe(24);
    expect(traces).toBe(2);
    expect(f({ w: [1, 2, 3], b: 3 })).toBe(9); // new length: retrace
    expect(traces).toBe(4);
    expect(f({ b: 3, w: [1, 2] } as { w: Num[]; b: Num })).toBe(6); // keys in another order: another structure
    expect(traces).toBe(6);
    expect(f({ w: [10, 20], b: 30 })).toBe(60); // back to the first structure: cached
    expect(f({ w: [1, 2, 3], b: 0 })).toBe(6);
    expect(traces).toBe(6);
  });

  it("jit(grad(f)) does not call f again either", () => {
    let calls = 0;
    // f runs twice per new structure: once traced, once on the numbers (jit's first-call check)
    const f = (x: Num[]) => {
      calls++;
      return sum(x.map((v) => mul(v, sin(v))));
    };
    const g = jit(grad(f));
    g([1, 2, 3]);
    g([4, 5, 6]);
    g([7, 8, 9]);
    expect(calls).toBe(2);
  });

  it("outputs any tree: objects, nested arrays, constants, inputs passed through", () => {
    const f = jit((x: Num, ys: Num[]) => ({ s: sin(x), ys: ys.map((y) => [y, mul(y, x)]), k: 3, id: x }));
    expect(f(0.5, [1, 2])).toEqual({ s: Math.sin(0.5), ys: [[1, 0.5], [2, 1]], k: 3, id: 0.5 });
    expect(jit(() => 7)()).toBe(7);
    expect(jit((x: Num) => [x, x])(2)).toEqual([2, 2]);
  });

  it("a non-numeric argument that is not static is a ChainruleError naming the path", () => {
    const f = jit((p: { w: Num[] }) => sum(p.w));
    expect(() => f({ w: [1, "2" as unknown as number] })).toThrow(TreeStructureError);
    expect(() => f({ w: [1, "2" as unknown as number] })).toThrow(/staticArgnums.*w\[1\]/s);
    expect(() => jit((x: Num, n: string) => mul(x, n.length))(1, "abc")).toThrow(ChainruleError);
  });
});

describe("static arguments", () => {
  it("are part of the key: primitives by Object.is, plain data by structure (keys in any order)", () => {
    let traces = 0;
    // f runs twice per new structure: once traced, once on the numbers (jit's first-call check)
    const f = jit(
      (x: Num, cfg: { scale: number; tags: string[] }, mode: string) => {
        traces++;
        const y = mul(x, cfg.scale);
        return mode === "neg" ? neg(y) : y;
      },
      { staticArgnums: [1, 2] },
    );
    expect(f(2, { scale: 3, tags: ["a"] }, "pos")).toBe(6);
    expect(f(5, { tags: ["a"], scale: 3 }, "pos")).toBe(15); // same data, other key order: cached
    expect(traces).toBe(2);
    expect(f(2, { scale: 3, tags: ["a"] }, "neg")).toBe(-6);
    expect(traces).toBe(4);
    expect(f(2, { scale: 4, tags: ["a"] }, "neg")).toBe(-8);
    expect(f(2, { scale: 4, tags: ["a", "b"] }, "neg")).toBe(-8);
    expect(traces).toBe(8);
    expect(f(1, { scale: 3, tags: ["a"] }, "pos")).toBe(3);
    expect(traces).toBe(8);
  });

  it("NaN and -0 as static values; functions by identity", () => {
    let traces = 0;
    // f runs twice per new structure: once traced, once on the numbers (jit's first-call check)
    const f = jit(
      (x: Num, k: number, g: (v: Num) => Num) => {
        traces++;
        return add(g(x), Object.is(k, -0) ? 1 : Number.isNaN(k) ? 2 : 3);
      },
      { staticArgnums: [1, 2] },
    );
    const id = (v: Num) => v;
    expect(f(0, NaN, id)).toBe(2);
    expect(f(0, NaN, id)).toBe(2);
    expect(f(0, -0, id)).toBe(1);
    expect(f(0, 0, id)).toBe(3);
    expect(traces).toBe(6);
    expect(f(0, 0, (v: Num) => v)).toBe(3); // another function: retrace
    expect(traces).toBe(8);
  });

  it("staticArgnums must be valid and in range", () => {
    expect(() => jit((x: Num) => x, { staticArgnums: -1 })).toThrow(ChainruleError);
    expect(() => jit((x: Num) => x, { staticArgnums: [0.5] })).toThrow(ChainruleError);
    expect(() => jit((x: Num) => x, { staticArgnums: 3 })(1)).toThrow(/out of range/);
  });
});

describe("composition with the other transforms", () => {
  const f = (x: Num) => mul(sin(x), exp(x));
  it("grad(jit(f)), grad(grad(jit(f))), jvp(jit(f)), vjp(jit(f))", () => {
    const jf = jit(f);
    for (const x of [-1, 0.3, 2]) {
      expectAgree(grad(jf)(x), grad(f)(x));
      expectAgree(grad(grad(jf))(x), grad(grad(f))(x));
      // (jvp's parameter types reject a variable in the primals array: cast; see the report)
      expectAgree(jvp(jf as (x: Num) => Num, [x] as never, [2] as never), jvp(f, [x] as never, [2] as never));
      const [y, pb] = vjp(jf, x);
      expectAgree([y, pb(3)], [f(x), [3 * grad(f)(x)]]);
    }
  });
  it("jit(jit(f)), jit(grad(jit(f))), jit(jit(grad(f)))", () => {
    expectAgree(jit(jit(f))(0.7), f(0.7));
    expectAgree(jit(grad(jit(f)))(0.7), grad(f)(0.7));
    expectAgree(jit(jit(grad(f)))(0.7), grad(f)(0.7));
  });
  it("a pullback compiled with jit", () => {
    const [, pb] = vjp((x: Num, y: Num) => [mul(x, y), sin(x)], 2, 3);
    expectAgree(jit(pb)([1, 0]), [3, 2]);
    expectAgree(jit(pb)([0, 1]), [Math.cos(2), 0]);
    // vjp inside the jitted function
    const g = jit((x: Num) => vjp((v: Num) => mul(v, v), x)[1](1));
    expectAgree(g(4), [8]);
  });
  it("a Hessian as jvp of grad per basis vector", () => {
    const h = (x: Num[]) => add(mul(x[0]!, mul(x[1]!, x[1]!)), sin(x[0]!));
    const hess = (x: Num[]) => [0, 1].map((i) => jvp(grad(h) as (x: Num[]) => number[], [x] as never, [[i === 0 ? 1 : 0, i === 1 ? 1 : 0]] as never)[1]);
    expectAgree(jit(hess)([0.5, 2]), hess([0.5, 2]));
  });
});

describe("values of an enclosing transform closed over by the jitted function", () => {
  it("grad(x => jit(y => x·y)(2))(3) = 2, and never reuses a stale trace", () => {
    expect(grad((x: Num) => jit((y: Num) => mul(x, y))(2))(3)).toBe(2);
    const outer = (x: Num) => {
      const g = jit((y: Num) => mul(sin(x), y));
      return add(g(2), g(3)); // called twice within one trace
    };
    expectAgree(grad(outer)(0.5), 5 * Math.cos(0.5));
    expectAgree(grad(outer)(1.5), 5 * Math.cos(1.5));
  });
  it("a jitted function defined once, closing over a variable of each call", () => {
    // jit(f) defined outside: the closed-over tracer differs on every call of grad.
    let current: Num = 0;
    const g = jit((y: Num) => mul(current, y));
    const h = (x: Num) => {
      current = x;
      return g(y0);
    };
    const y0 = 4;
    expect(grad(h)(1)).toBe(4);
    expect(grad(h)(2)).toBe(4);
    expect(valueAndGrad(h)(3)).toEqual([12, 4]);
  });
  it("jit inside jit closing over the outer staged value", () => {
    expectAgree(jit((x: Num) => jit((y: Num) => mul(x, y))(2))(3), 6);
    expectAgree(jit(grad((x: Num) => jit((y: Num) => mul(x, y))(x)))(3), 6);
  });
});

describe("abstract values", () => {
  it("toNumber under jit is a ConcretizationError that says to use where", () => {
    const f = jit((x: Num) => (toNumber(x) > 0 ? x : neg(x)));
    expect(() => f(1)).toThrow(ConcretizationError);
    expect(() => f(1)).toThrow(/where/);
  });
  it("a host comparison or if on a traced value is reported, not silently wrong", () => {
    const f = jit((x: Num) => ((x as unknown as number) > 0 ? x : neg(x)));
    expect(() => f(1)).toThrow(ConcretizationError);
    expect(() => f(1)).toThrow(/where/);
    expect(() => jit((x: Num) => (x as unknown as number) * 2)(1)).toThrow(ConcretizationError);
    // the same code with where works
    const g = jit((x: Num) => where(gt(x, 0), x, neg(x)));
    expect(g(-3)).toBe(3);
  });
  it("data-dependent control flow inside grad (concrete values) still works", () => {
    expect(grad((x: Num) => (toNumber(x) > 0 ? mul(x, x) : neg(x)))(3)).toBe(6);
  });
});

describe("NaN checking (the flag debugNans sets while a graph is staged)", () => {
  /** Marks the graph being staged for NaN checking, as debugNans does (found below any other trace). */
  const markChecked = (x: Num): void => {
    let v: Num = x;
    while (v instanceof Tracer && !(v instanceof StageTracer)) v = v._trace.primalOf(v);
    if (v instanceof StageTracer) v._trace.graph.checkNans = true;
  };
  /** log(x) with the staged graph marked for NaN checking. */
  const checked = (x: Num) => {
    const y = log(x);
    markChecked(y);
    return add(y, 1);
  };
  bothStrategies("the first NaN throws NonFiniteError naming the primitive and the equation", () => {
    const f = jit(checked);
    expect(f(Math.E)).toBe(2);
    expect(() => f(-1)).toThrow(NonFiniteError);
    expect(() => f(-1)).toThrow(/log.*b = log\(a\)/);
  });
  bothStrategies("in derivative code and in branches where discards", () => {
    const f = (x: Num) => {
      const r = where(gt(x, 0), sqrt(x), 0);
      markChecked(r);
      return r;
    };
    const g = jit(grad(f));
    expect(g(4)).toBe(0.25);
    expect(() => g(-1)).toThrow(NonFiniteError);
    expect(() => g(-1)).toThrow(/sqrt/);
  });
  it("while NaN debugging watches evaluation (debugNans around jit), every operation is evaluated under the watch", () => {
    const seen: string[] = [];
    const f = jit((x: Num) => add(log(x), 1));
    expect(f(-1)).toBeNaN(); // compiled, not watched
    nanWatch.hook = (prim) => {
      seen.push(prim.name);
    };
    try {
      expect(f(-1)).toBeNaN();
    } finally {
      nanWatch.hook = undefined;
    }
    expect(seen[0]).toBe("log");
    expect(f(-1)).toBeNaN(); // and the plain entry is still used without the watch
  });
  it("without the flag, NaN propagates as in plain JavaScript", () => {
    expect(jit((x: Num) => add(log(x), 1))(-1)).toBeNaN();
    expect(jit(grad((x: Num) => where(gt(x, 0), sqrt(x), 0)))(-1)).toBe(0);
  });
});

describe("user primitives and reentrancy", () => {
  it("a user primitive is called through a table, not by name, and differentiates", () => {
    const cube = definePrimitive({ name: "jitTestCube", impl: (x) => x * x * x, partials: ([x]) => [mul(3, square(x!))] });
    const f = (x: Num) => add(cube(x), sin(x));
    expectAgree(jit(f)(1.5), f(1.5));
    expectAgree(jit(grad(f))(1.5), grad(f)(1.5));
    const src = jit(f).lower(1.5).source!;
    expect(src).not.toContain("jitTestCube");
    expect(src).toContain("$p[0](");
  });
  it("a user primitive whose implementation calls the same jitted function", () => {
    let inner: (x: number) => number = () => 0;
    const viaJit = definePrimitive({ name: "jitTestReentrant", impl: (x) => (x > 0 ? inner(x - 1) + 1 : 0), partials: () => [0] });
    const f = jit((x: Num) => add(viaJit(x), mul(x, 10)));
    inner = (x) => f(x) as number;
    // f(2) = viaJit(2) + 20 = (f(1) + 1) + 20; f(1) = (f(0) + 1) + 10 = 11; f(0) = 0
    expect(f(2)).toBe(32);
    expect(f(3)).toBe(63);
  });
});

describe("makeGraph and lower show what runs", () => {
  it("makeGraph(f, { optimize: true }): folded, simplified, shared, without dead code", () => {
    const f = (x: Num) => {
      void cos(x); // dead
      return add(mul(sin(x), 1), sin(x));
    };
    expect(String(makeGraph(f, { optimize: true })(0))).toBe("graph(a) {\n  b = sin(a)\n  c = add(b, b)\n  return c\n}");
    expect(makeGraph(f)(0).equations().length).toBe(5);
  });
  it("lower() gives the optimised graph, the strategy and the generated source", () => {
    const f = jit(grad((x: Num) => mul(x, sin(x))));
    const low = f.lower(1);
    expect(low.strategy).toBe("compiled");
    expect(low.source).toContain("Math.sin");
    expect(String(low)).toContain("return");
    codegen.forbidden = true;
    const low2 = jit(grad((x: Num) => mul(x, sin(x)))).lower(1);
    expect(low2.strategy).toBe("interpreted");
    expect(low2.source).toBeUndefined();
  });
});

describe("sub() keeps its operand order; div and friends survive simplification", () => {
  it("1 - x, x - 1, x / 1, 0 - x", () => {
    const f = (x: Num) => [sub(1, x), sub(x, 1), div(x, 1), sub(0, x), mul(x, -1)];
    expectAgree(jit(f)(0.25), f(0.25));
  });
  it("steps of a random straight-line program keep to the chosen operations", () => {
    const steps: Step[] = [{ op: 2, a: 0, b: 1, c: 2 }];
    expectAgree(jit((x: Num[]) => runProgram(steps, x, 1))([2, 3, 4]), [6]);
  });
});
