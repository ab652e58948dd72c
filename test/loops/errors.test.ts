// What the loops refuse, and how the message says it: the path of a mismatch, the option at
// fault, the limit that was hit.
import { describe, expect, it } from "vitest";
import {
  add,
  cond,
  foriLoop,
  grad,
  gt,
  jit,
  scan,
  switchCase,
  whileLoop,
  checkpoint,
  ChainruleError,
  ConcretizationError,
  TreeStructureError,
  type Num,
} from "../../src/index.js";

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

const loose = <T>(x: unknown): T => x as T;

describe("scan refuses", () => {
  it("a carry output that does not match init, naming the path", () => {
    const e = thrown(() => scan((c: { v: Num[] }, x: Num) => [{ v: [add(c.v[0]!, x)] }, x] as const, { v: [1, 2] }, [1]));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect(e.message).toMatch(/^scan: the body's carry output does not match init: .* at carry\.v/);
    expect((e as TreeStructureError).path).toBe("carry.v");
    const e2 = thrown(() => scan((c: { w: Num }) => [loose<{ w: Num }>({ v: c.w }), 0] as const, { w: 1 }, [1]));
    expect((e2 as TreeStructureError).path).toBe("carry.w");
    const e3 = thrown(() => scan(() => [loose<Num>("one"), 0] as const, 0, [1]));
    expect(e3).toBeInstanceOf(TreeStructureError);
    expect(e3.message).toMatch(/carry/);
  });

  it("the same mismatch under grad and jit", () => {
    for (const t of [grad, (f: (x: Num) => Num) => (x: Num) => jit1(f)(x)]) {
      const e = thrown(() => t((w: Num) => scan((c: Num[]) => [[c[0]!], w] as const, [w, w], [1, 2])[1][0]!)(1));
      expect(e).toBeInstanceOf(TreeStructureError);
      expect((e as TreeStructureError).path).toBe("carry");
    }
  });

  it("traces the body once: an output whose structure would depend on the step cannot vary", () => {
    // x is abstract in the body, so `x === 1` is false for the one trace: every y has two leaves.
    let traces = 0;
    const [, ys] = scan((c: Num, x: Num) => {
      traces++;
      return [c, (x === 1 ? [x] : [x, x]) as Num[]] as const;
    }, 0, [1, 2]);
    expect(traces).toBe(1);
    expect(ys).toEqual([[1, 1], [2, 2]]);
  });

  it("elements of xs of different structures, naming the element", () => {
    const e = thrown(() => scan((c: Num, x: { a: Num }) => [add(c, x.a), 0] as const, 0, [{ a: 1 }, loose<{ a: Num }>({ b: 2 })]));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toMatch(/^xs\[1\]/);
  });

  it("a body that is not a function or does not return a pair", () => {
    type Body = (c: Num, x: Num) => readonly [Num, Num];
    expect(thrown(() => scan(loose<Body>(42), 0, [1]))).toBeInstanceOf(ChainruleError);
    expect(thrown(() => scan(loose<Body>(class Body {}), 0, [1])).message).toMatch(/class/);
    const e = thrown(() => scan(loose<Body>((c: Num) => c), 0, [1]));
    expect(e).toBeInstanceOf(ChainruleError);
    expect(e.message).toMatch(/must return a pair \[carry, y\]/);
  });

  it("xs that is neither an array nor null, and null without a length", () => {
    expect(thrown(() => scan((c: Num) => [c, 0] as const, 0, loose<number[]>("abc"))).message).toMatch(/xs must be an array/);
    expect(thrown(() => scan((c: Num) => [c, 0] as const, 0, null)).message).toMatch(/options\.length/);
  });

  it("bad options, with a suggestion for a misspelt one", () => {
    const body = (c: Num, x: Num) => [add(c, x), x] as const;
    const cases: [unknown, RegExp][] = [
      [{ reversed: true }, /unknown option 'reversed'; did you mean 'reverse'/],
      [{ reverse: 1 }, /scan: reverse must be true or false/],
      [{ length: 3 }, /options\.length is 3 but xs has 2 elements/],
      [{ length: -1 }, /scan: length must be a number of steps/],
      [{ checkpoint: "some" }, /scan: checkpoint must be "all" or \{ snapshots: k \}/],
      [{ checkpoint: { snapshots: 0 } }, /snapshots must be a number of stored carries \(an integer ≥ 1\)/],
      [{ checkpoint: { snapshot: 2 } }, /did you mean 'snapshots'/],
      [{ checkpoint: {} }, /snapshots is missing/],
      ["fast", /options must be a plain object/],
    ];
    for (const [options, message] of cases) {
      const e = thrown(() => scan(body, 0, [1, 2], loose(options)));
      expect(e, JSON.stringify(options)).toBeInstanceOf(ChainruleError);
      expect(e.message).toMatch(message);
    }
  });
});

describe("foriLoop refuses", () => {
  it("a traced bound with ConcretizationError, and a non-integer one with ChainruleError", () => {
    const e = thrown(() => grad((x: Num) => foriLoop(0, loose<number>(x), (_i: Num, c: Num) => add(c, x), x))(3));
    expect(e).toBeInstanceOf(ConcretizationError);
    expect(e.message).toMatch(/foriLoop: upper must be a plain integer/);
    for (const bad of [1.5, NaN, Infinity, "3", null]) {
      const e2 = thrown(() => foriLoop(loose(bad), 3, (_i: Num, c: Num) => c, 0));
      expect(e2).toBeInstanceOf(ChainruleError);
      expect(e2).not.toBeInstanceOf(ConcretizationError);
      expect(e2.message).toMatch(/foriLoop: lower must be an integer/);
    }
  });

  it("a body whose output does not match init", () => {
    const e = thrown(() => foriLoop(0, 2, (_i: Num, c: { a: Num }) => loose<{ a: Num }>({ a: c.a, b: 1 }), { a: 1 }));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toBe("carry.b");
  });
});

describe("whileLoop refuses", () => {
  it("more than maxSteps steps, naming maxSteps", () => {
    const e = thrown(() => whileLoop(() => 1, (c: Num) => add(c, 1), 0, { maxSteps: 10 }));
    expect(e).toBeInstanceOf(ChainruleError);
    expect(e.message).toMatch(/maxSteps = 10/);
  });

  it("bad maxSteps and unknown options", () => {
    for (const bad of [0, -3, 2.5, "10"]) {
      expect(thrown(() => whileLoop(() => 0, (c: Num) => c, 0, { maxSteps: loose(bad) })).message).toMatch(/whileLoop: maxSteps must be a number of steps \(an integer ≥ 1\)/);
    }
    expect(thrown(() => whileLoop(() => 0, (c: Num) => c, 0, loose({ maxIter: 3 }))).message).toMatch(/unknown option 'maxIter'/);
  });

  it("a condition that is not a Num, and a body whose output does not match init", () => {
    expect(thrown(() => whileLoop(loose(() => true), (c: Num) => c, 0)).message).toMatch(/whileLoop: the condition's result must be a Num/);
    const e = thrown(() => whileLoop((c: Num[]) => gt(3, c[0]!), (c: Num[]) => [add(c[0]!, 1), 0], [0]));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toBe("carry");
  });

  it("functions that are not functions", () => {
    expect(thrown(() => whileLoop(loose(1), (c: Num) => c, 0))).toBeInstanceOf(ChainruleError);
    expect(thrown(() => whileLoop(() => 0, loose(null), 0))).toBeInstanceOf(ChainruleError);
  });
});

describe("cond, switchCase and checkpoint refuse", () => {
  it("a condition or index that is not a Num", () => {
    expect(thrown(() => cond(loose("yes"), () => 1, () => 2)).message).toMatch(/cond: the condition pred must be a Num/);
    expect(thrown(() => switchCase(loose(undefined), [() => 1]))).toBeInstanceOf(ChainruleError);
  });

  it("branches that are not functions", () => {
    expect(thrown(() => cond(1, loose(3), () => 2)).message).toMatch(/cond expects a function onTrue/);
    expect(thrown(() => switchCase(0, loose("fn")))).toBeInstanceOf(ChainruleError);
    expect(thrown(() => switchCase(0, [() => 1, loose(2)])).message).toMatch(/branches\[1\]/);
  });

  it("a checkpointed function that is not a function, or arguments that are not trees of Num", () => {
    expect(thrown(() => checkpoint(loose(5)))).toBeInstanceOf(ChainruleError);
    const e = thrown(() => checkpoint((s: unknown) => s as Num)(loose("text")));
    expect(e).toBeInstanceOf(TreeStructureError);
    expect((e as TreeStructureError).path).toBe("args[0]");
  });
});

/** jit of a one-argument function, typed loosely for the table above. */
function jit1(f: (x: Num) => Num): (x: Num) => Num {
  return jit(f) as (x: Num) => Num;
}

describe("more operands than a call can take", () => {
  it("cond, switchCase and a checkpointed function refuse them with a ChainruleError", () => {
    const many = new Array<number>(60_000).fill(1);
    const sum0 = (...xs: Num[]) => xs[0]!;
    expect(() => cond(1, sum0, sum0, ...many)).toThrow(/60000 operands are more than a function can be called with/);
    expect(() => switchCase(0, [sum0], ...many)).toThrow(ChainruleError);
    expect(() => checkpoint(sum0)(...many)).toThrow(/checkpoint: 60000 arguments/);
  });
});
