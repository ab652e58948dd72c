// plotSvg (chainrule/draw): well-formed SVG, escaped text, log scale, and the data it refuses or skips.
import { describe, expect, it } from "vitest";
import { ChainruleError } from "../src/index.js";
import { plotSvg } from "../src/draw/index.js";

/**
 * A small XML well-formedness check (no parser is a dependency): every tag is closed in order,
 * attributes are quoted, and text holds no raw `<` and only the five entities or numeric ones.
 */
function wellFormedXml(svg: string): string | undefined {
  const entity = /&(?!(amp|lt|gt|quot|apos|#\d+);)/;
  const stack: string[] = [];
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const textPart = svg.slice(i, lt === -1 ? svg.length : lt);
    if (entity.test(textPart) || textPart.includes(">")) return `bad text ${JSON.stringify(textPart)}`;
    if (lt === -1) break;
    const gt = svg.indexOf(">", lt);
    if (gt === -1) return "unclosed tag";
    const tag = svg.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      if (stack.pop() !== tag.slice(1)) return `mismatched </${tag.slice(1)}>`;
      continue;
    }
    const m = /^([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (m === null) return `bad tag <${tag}>`;
    if (entity.test(m[2]!)) return `bad attribute text in <${tag}>`;
    if (m[3] !== "/") stack.push(m[1]!);
  }
  return stack.length === 0 ? undefined : `unclosed <${stack.join(", ")}>`;
}

const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
const polylines = (svg: string): string[] => [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!);

describe("plotSvg", () => {
  it("makes a well-formed SVG document with one polyline per series and axis ticks", () => {
    const svg = plotSvg([{ y: [3, 1, 2] }, { x: [0, 1, 2], y: [0, 2, 4], label: "b" }], { title: "t", xLabel: "x", yLabel: "y" });
    expect(wellFormedXml(svg)).toBeUndefined();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(polylines(svg)).toHaveLength(2);
    // Round ticks on both axes: 0 … 4 on y, 0 … 2 on x.
    expect(texts(svg)).toEqual(expect.arrayContaining(["0", "1", "2", "3", "4", "0.5", "t", "x", "y", "b"]));
  });

  it("maps the largest value to the top of the plot and the smallest to the bottom", () => {
    const svg = plotSvg([{ y: [0, 10] }], { width: 200, height: 200 });
    const ys = polylines(svg)[0]!.split(" ").map((p) => Number(p.split(",")[1]));
    expect(ys[0]).toBeGreaterThan(ys[1]!);
  });

  it("escapes every text it writes (title, axis labels, legend)", () => {
    const evil = `<script>alert("&'")</script>`;
    const svg = plotSvg([{ y: [1, 2], label: evil }], { title: evil, xLabel: evil, yLabel: evil });
    expect(wellFormedXml(svg)).toBeUndefined();
    expect(svg).not.toContain("<script");
    expect(texts(svg).filter((t) => t === "&lt;script&gt;alert(&quot;&amp;&#39;&quot;)&lt;/script&gt;")).toHaveLength(4);
  });

  it("logY: ticks at powers of ten, decades evenly spaced, points ≤ 0 skipped", () => {
    const svg = plotSvg([{ y: [1000, 100, 10, 1, 0, -5, 0.1] }], { logY: true, height: 400 });
    expect(wellFormedXml(svg)).toBeUndefined();
    expect(texts(svg)).toEqual(expect.arrayContaining(["0.1", "1", "10", "100", "1000"]));
    const runs = polylines(svg).map((r) => r.split(" ").map((p) => Number(p.split(",")[1])));
    // 0 and -5 break the line: [1000, 100, 10, 1] and then 0.1 alone (a dot).
    expect(runs).toHaveLength(1);
    const ys = runs[0]!;
    expect(ys).toHaveLength(4);
    const gaps = [ys[1]! - ys[0]!, ys[2]! - ys[1]!, ys[3]! - ys[2]!];
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 6);
    expect(svg.match(/<circle/g)).toHaveLength(1);
  });

  it("skips NaN and ±Infinity, breaking the line there", () => {
    const svg = plotSvg([{ y: [1, 2, NaN, 3, 4, Infinity, 5, 6] }]);
    expect(polylines(svg)).toHaveLength(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("draws a constant series and a single point", () => {
    expect(wellFormedXml(plotSvg([{ y: [2, 2, 2] }]))).toBeUndefined();
    expect(plotSvg([{ y: [0] }])).toContain("<circle");
  });

  it("refuses bad input with a ChainruleError naming the place", () => {
    const refused = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(ChainruleError);
      expect(f).toThrow(message);
    };
    refused(() => plotSvg([]), /series must be a non-empty array/);
    refused(() => plotSvg("abc" as never), /series must be a non-empty array/);
    refused(() => plotSvg([{ y: [1, "2"] }] as never), /series\[0\]\.y\[1\] must be a number, got/);
    refused(() => plotSvg([{ y: [1] }, { x: [1, 2], y: [1] }]), /series\[1\]\.x has 2 values and series\[1\]\.y has 1/);
    refused(() => plotSvg([{ x: [1] }] as never), /series\[0\] has no y/);
    refused(() => plotSvg([{ y: [1], colour: "red" }] as never), /unknown key in series\[0\] 'colour'/);
    refused(() => plotSvg([null] as never), /series\[0\] must be a plain object/);
    refused(() => plotSvg([{ y: [NaN, Infinity] }]), /no series has a point to draw/);
    refused(() => plotSvg([{ y: [0, -1] }], { logY: true }), /no series has a point to draw.*≤ 0/);
    refused(() => plotSvg([{ y: [1] }], { width: 5 }), /width must be a number of pixels from 120 to 10000, got .*5/);
    refused(() => plotSvg([{ y: [1] }], { logY: "yes" } as never), /logY must be true or false/);
    refused(() => plotSvg([{ y: [1] }], { titel: "x" } as never), /did you mean 'title'/);
  });

  it("takes a long series without spreading it into a call", () => {
    const y = Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 1000));
    const svg = plotSvg([{ y }]);
    expect(polylines(svg)).toHaveLength(1);
  });
});
