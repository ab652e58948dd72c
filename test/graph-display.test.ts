// How graphs show an equation: dot's two vectors apart, in the text and in the DOT labels.
import { describe, expect, it } from "vitest";
import { add, dot, explain, makeGraph, type Num } from "../src/index.js";

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
