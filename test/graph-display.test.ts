// How graphs show an equation: dot's two vectors apart, in the text and in the DOT labels; only
// public primitive names, also in derivative graphs.
import { describe, expect, it } from "vitest";
import * as cr from "../src/index.js";
import { add, dot, explain, makeGraph, type Graph, type Num } from "../src/index.js";
import { SCALE } from "../src/primitives/arithmetic.js";
import { PRIMITIVES } from "../src/primitives/index.js";

describe("dot in printed graphs", () => {
  it("String(explain(...)) shows dot's two vectors apart", () => {
    const g = explain((a: Num[], b: Num[]) => dot(a, b))([1, 2], [3, 4]);
    expect(String(g)).toMatch(/= dot\(\[a, b\], \[c, d\]\)/);
    expect(String(g)).not.toMatch(/dot\(a, b, c, d\)/);
  });

  it("String(makeGraph(...)) shows dot's two vectors apart, constants included", () => {
    const g = makeGraph((a: Num[]) => add(dot(a, [5, 6, 7]), 1))([1, 2, 3]);
    expect(String(g)).toContain("dot([a, b, c], [5, 6, 7])");
  });

  it("toDot labels and tooltips show dot's two vectors apart", () => {
    const dotSrc = explain((a: Num[]) => dot(a, [5, 6]))([1, 2]).toDot();
    // Constants folded into the node's label: dot([·, ·], [5, 6]).
    expect(dotSrc).toContain("dot([\u00b7, \u00b7], [5, 6])");
    expect(dotSrc).toContain('tooltip="c = dot([a, b], [5, 6])');
    expect(dotSrc).not.toMatch(/dot\(a, b, 5, 6\)|dot\(\u00b7, \u00b7, 5, 6\)/);
  });

});

describe("derivative graphs name only public primitives", () => {
  const functions: Record<string, (x: Num) => Num> = {
    "sin(x)·exp(x)": (x) => cr.mul(cr.sin(x), cr.exp(x)),
    "where(x > 0, √x, x²)": (x) => cr.where(cr.gt(x, 0), cr.sqrt(x), cr.square(x)),
    "log1p(x²) / (x + 2)": (x) => cr.div(cr.log1p(cr.square(x)), cr.add(x, 2)),
    "tanh(x)^3 + sigmoid(x)": (x) => cr.add(cr.pow(cr.tanh(x), 3), cr.sigmoid(x)),
    "dot([x, sin x], [cos x, x]) + hypot(x, 2)": (x) => cr.add(cr.dot([x, cr.sin(x)], [cr.cos(x), x]), cr.hypot(x, 2)),
  };
  const transforms: Record<string, (f: (x: Num) => Num) => (x: Num) => Num> = {
    grad: (f) => cr.grad(f),
    "grad∘grad": (f) => cr.grad(cr.grad(f)),
    hessian: (f) => cr.hessian(f),
    jvp: (f) => (x) => cr.jvp(f, [x], [1])[1],
    "grad∘jvp": (f) => cr.grad((x: Num) => cr.jvp(f, [x], [1])[1]),
  };
  const publicNames = new Set(PRIMITIVES.map((p) => p.name));
  const exported = cr as unknown as Record<string, unknown>;

  for (const [fname, f] of Object.entries(functions)) {
    it(`${fname}: grad, hessian and jvp graphs, plain and optimised, in text, equations() and DOT`, () => {
      let products = 0;
      for (const [tname, t] of Object.entries(transforms)) {
        for (const optimize of [false, true]) {
          const g: Graph = makeGraph(t(f), { optimize })(0.7);
          for (let i = 0; i < g.size; i++) if (g.prim(i) === SCALE) products++;
          const text = String(g);
          const printed = [...text.matchAll(/^ {2}\w+ = (\w+)\(/gm)].map((m) => m[1]!);
          const listed = g.equations().map((e) => e.primitive);
          expect(printed, `${tname}${optimize ? ", optimised" : ""}:\n${text}`).toEqual(listed);
          for (const name of listed) {
            expect(publicNames.has(name) && typeof exported[name] === "function", `${name} in ${tname}${optimize ? ", optimised" : ""}:\n${text}`).toBe(true);
          }
          const dotText = g.toDot();
          expect(dotText).not.toMatch(/\bscale\b/);
        }
      }
      // The derivatives are built from the internal product of cotangent and local gradient: it is there, shown as mul.
      expect(products).toBeGreaterThan(0);
    });
  }
});
