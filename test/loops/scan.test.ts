// scan against the same computation written as a hand-unrolled JavaScript loop: values and
// every transform (grad, grad∘grad, jvp, hessian, jit, grad(jit), jit(grad)), plus closed forms.
import { describe, expect, it } from "vitest";
import { add, checkGrads, cos, grad, jit, mul, scan, sin, sub, sum, tanh, valueAndGrad, type Num } from "../../src/index.js";
import { expectClose } from "../support/expect-close.js";
import { centralDifference, expectSameAsUnrolled } from "./harness.js";

const X = [0.7, -0.4, 1.3, 0.2, -1.1];

/** A step that mixes the carry, an outer weight and the element: h' = tanh(w·h + sin x), y = h·x. */
const stepRef = (h: Num, w: Num, x: Num): [Num, Num] => [tanh(add(mul(w, h), sin(x))), mul(h, x)];

/** p = [w, h0, ...xs]: the final carry plus the sum of the outputs. */
function forward(p: Num[]): Num {
  const [w, h0] = [p[0]!, p[1]!];
  const [h, ys] = scan((c: Num, x: Num) => stepRef(c, w, x), h0, p.slice(2));
  return add(h, sum(ys));
}
function forwardRef(p: Num[]): Num {
  let h = p[1]!;
  const ys: Num[] = [];
  for (let i = 2; i < p.length; i++) {
    const [c, y] = stepRef(h, p[0]!, p[i]!);
    h = c;
    ys.push(y);
  }
  return add(h, sum(ys));
}

describe("scan over an array, against a hand-unrolled loop", () => {
  it("gives the same values and derivatives under every transform (closure over an outer tracer)", () => {
    expectSameAsUnrolled(forward, forwardRef, [0.9, 0.1, ...X]);
  });

  it("returns the final carry and one output per step, in order", () => {
    const [total, sums] = scan((c: Num, x: Num) => [add(c, x), add(c, x)] as const, 0, [1, 2, 3, 4]);
    expect(total).toBe(10);
    expect(sums).toEqual([1, 3, 6, 10]);
  });

  it("differentiates a decayed sum Σ xᵢ·w^(n-1-i) like its closed form", () => {
    const xs = [1, -2, 0.5, 3];
    const f = (w: Num) => scan((c: Num, x: Num) => [add(mul(c, w), x), 0] as const, 0, xs)[0];
    const closed = (w: number) => xs.reduce((s, x, i) => s + (xs.length - 1 - i) * x * w ** (xs.length - 2 - i), 0);
    for (const w of [0.5, -1.3, 2]) {
      expect(grad(f)(w)).toBeCloseTo(closed(w), 12);
      expect(grad(grad(f))(w)).toBeCloseTo(centralDifference((v) => closed(v), w), 6);
      expect(jit(grad(f))(w)).toBeCloseTo(closed(w), 12);
    }
  });

  it("closes over outer plain numbers", () => {
    const k = 0.3;
    const f = (p: Num[]) => scan((c: Num, x: Num) => [add(mul(c, k), mul(x, p[0]!)), c] as const, p[1]!, X)[0];
    const ref = (p: Num[]) => {
      let c = p[1]!;
      for (const x of X) c = add(mul(c, k), mul(x, p[0]!));
      return c;
    };
    expectSameAsUnrolled(f, ref, [1.2, -0.5]);
  });
});

describe("scan with options.reverse", () => {
  const f = (p: Num[]) => {
    const [h, ys] = scan((c: Num, x: Num) => stepRef(c, p[0]!, x), p[1]!, p.slice(2), { reverse: true });
    return add(h, sum(ys.map((y, i) => mul(y, i + 1))));
  };
  const ref = (p: Num[]) => {
    let h = p[1]!;
    const ys: Num[] = new Array<Num>(p.length - 2);
    for (let i = p.length - 1; i >= 2; i--) [h, ys[i - 2]] = stepRef(h, p[0]!, p[i]!);
    return add(h, sum(ys.map((y, i) => mul(y, i + 1))));
  };

  it("runs from the last element to the first, ys in input order", () => {
    const [total, seen] = scan((c: Num, x: Num) => [add(c, x), c] as const, 0, [1, 10, 100], { reverse: true });
    expect(total).toBe(111);
    expect(seen).toEqual([110, 100, 0]);
  });

  it("gives the same values and derivatives as the reversed unrolled loop", () => {
    expectSameAsUnrolled(f, ref, [0.8, -0.3, ...X]);
  });
});

describe("scan of length zero and over null", () => {
  it("returns init unchanged and no outputs for an empty xs", () => {
    const [c, ys] = scan((c: Num, x: Num) => [add(c, x), x] as const, 5, []);
    expect(c).toBe(5);
    expect(ys).toEqual([]);
    expect(grad((h: Num) => scan((c: Num, x: Num) => [mul(c, x), x] as const, h, [])[0])(2)).toBe(1);
    expect(jit(grad((h: Num) => scan((c: Num, x: Num) => [mul(c, x), x] as const, mul(h, h), [])[0]))(3)).toBe(6);
  });

  it("with xs = null runs options.length steps with x undefined", () => {
    const seen: unknown[] = [];
    const [c, ys] = scan(
      (c: Num, x: undefined) => {
        seen.push(x);
        return [mul(c, 2), c] as const;
      },
      1,
      null,
      { length: 4 },
    );
    expect(c).toBe(16);
    expect(ys).toEqual([1, 2, 4, 8]);
    expect(seen).toEqual([undefined]); // the body is traced once
  });

  it("with xs = null gives the derivatives of the unrolled loop (iterated map)", () => {
    const f = (p: Num[]) => scan((c: Num) => [add(mul(p[0]!, sin(c)), p[1]!), 0] as const, 0.5, null, { length: 6 })[0];
    const ref = (p: Num[]) => {
      let c: Num = 0.5;
      for (let i = 0; i < 6; i++) c = add(mul(p[0]!, sin(c)), p[1]!);
      return c;
    };
    expectSameAsUnrolled(f, ref, [1.3, 0.2]);
  });

  it("accepts options.length equal to xs.length", () => {
    expect(scan((c: Num, x: Num) => [add(c, x), 0] as const, 0, [1, 2], { length: 2 })[0]).toBe(3);
  });
});

describe("scan with tree carries, tree xs and tree ys", () => {
  interface Carry {
    h: Num;
    v: [Num, Num];
  }
  interface In {
    a: Num;
    b: Num[];
  }
  const data: In[] = [
    { a: 0.3, b: [1, -1] },
    { a: -0.7, b: [0.5, 2] },
    { a: 1.1, b: [-0.2, 0.4] },
  ];
  const step = (c: Carry, x: In, w: Num): [Carry, { s: Num; d: Num[] }] => [
    { h: tanh(add(mul(c.h, w), x.a)), v: [add(c.v[0], mul(x.b[0]!, c.h)), sub(c.v[1], mul(x.b[1]!, cos(c.h)))] },
    { s: add(c.h, x.a), d: [mul(c.v[0], w), c.v[1]] },
  ];
  const readout = (c: Carry, ys: { s: Num; d: Num[] }[]) => add(add(c.h, mul(c.v[0], c.v[1])), sum(ys.map((y) => add(y.s, sum(y.d)))));
  const f = (p: Num[]) => {
    const [c, ys] = scan((c: Carry, x: In) => step(c, x, p[0]!), { h: p[1]!, v: [p[2]!, 0.5] }, data);
    return readout(c, ys);
  };
  const ref = (p: Num[]) => {
    let c: Carry = { h: p[1]!, v: [p[2]!, 0.5] };
    const ys: { s: Num; d: Num[] }[] = [];
    for (const x of data) {
      const [n, y] = step(c, x, p[0]!);
      c = n;
      ys.push(y);
    }
    return readout(c, ys);
  };

  it("keeps the structures of the carry and of each output", () => {
    const [c, ys] = scan((c: Carry, x: In) => step(c, x, 0.5), { h: 0.1, v: [0.2, 0.5] }, data);
    expect(Object.keys(c)).toEqual(["h", "v"]);
    expect(c.v).toHaveLength(2);
    expect(ys).toHaveLength(3);
    for (const y of ys) {
      expect(Object.keys(y)).toEqual(["s", "d"]);
      expect(y.d).toHaveLength(2);
    }
  });

  it("gives the same values and derivatives as the unrolled loop", () => {
    expectSameAsUnrolled(f, ref, [0.6, 0.1, -0.2]);
  });

  it("differentiates with respect to a tree carry (valueAndGrad of the init)", () => {
    const g = (init: Carry) => readout(...scan((c: Carry, x: In) => step(c, x, 0.9), init, data));
    const gRef = (init: Carry) => {
      let c = init;
      const ys: { s: Num; d: Num[] }[] = [];
      for (const x of data) {
        const [n, y] = step(c, x, 0.9);
        c = n;
        ys.push(y);
      }
      return readout(c, ys);
    };
    const init: Carry = { h: 0.2, v: [0.3, -0.4] };
    expectClose(valueAndGrad(g)(init), valueAndGrad(gRef)(init), 12);
    expectClose(jit(valueAndGrad(g))(init), valueAndGrad(gRef)(init), 12);
  });
});

describe("nested scans", () => {
  // An outer scan over rows whose body runs an inner scan over the row's entries.
  const rows = [
    [0.5, -1, 2],
    [1.5, 0.25, -0.5],
    [-0.3, 0.8, 1],
  ];
  const f = (p: Num[]) =>
    scan(
      (acc: Num, row: number[]) => {
        const [inner, parts] = scan((c: Num, x: Num) => [add(mul(c, p[0]!), sin(mul(x, p[1]!))), c] as const, acc, row);
        return [tanh(inner), sum(parts)] as const;
      },
      p[2]!,
      rows,
    );
  const fScalar = (p: Num[]) => {
    const [c, ys] = f(p);
    return add(c, sum(ys));
  };
  const ref = (p: Num[]) => {
    let acc = p[2]!;
    const ys: Num[] = [];
    for (const row of rows) {
      let c = acc;
      const parts: Num[] = [];
      for (const x of row) {
        parts.push(c);
        c = add(mul(c, p[0]!), sin(mul(x, p[1]!)));
      }
      acc = tanh(c);
      ys.push(sum(parts));
    }
    return add(acc, sum(ys));
  };

  it("gives the same values and derivatives as the doubly unrolled loop", () => {
    expectSameAsUnrolled(fScalar, ref, [0.7, 1.2, -0.1]);
  });
});

describe("checkGrads through scan", () => {
  it("passes at orders 1 and 2 in both modes", () => {
    for (const order of [1, 2]) checkGrads(forward, [[0.9, 0.1, ...X]], { order, modes: ["fwd", "rev"] });
    checkGrads((w: Num, h: Num) => scan((c: Num, x: Num) => stepRef(c, w, x), h, X, { reverse: true })[0], [0.5, 0.2], { order: 2 });
  });
});
