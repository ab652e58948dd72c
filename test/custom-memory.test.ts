// Custom functions made per call (customVjp/customJvp created inside a loop or a function) are
// collectable: they register nothing global, and the graphs that use them keep them alive only
// as long as those graphs live (a jit cache entry, a vjp pullback).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { primitiveCount } from "../src/core/primitive.js";
import { customJvp, customVjp, grad, jit, jvp, makeGraph, mul, sin, vjp, type Num } from "../src/index.js";

const softplusLike = (k: number) =>
  customVjp((x: Num) => mul(x, k), {
    fwd: (x) => [mul(x, k), k],
    bwd: (r, ct) => [mul(ct, r)],
  });

describe("per-call custom functions register nothing global", () => {
  it("10⁵ customVjp functions, each used once under grad, do not grow the primitive table", () => {
    const before = primitiveCount();
    let total = 0;
    for (let i = 0; i < 100_000; i++) total += grad((x: Num) => softplusLike(i % 7)(x))(2) as number;
    expect(primitiveCount()).toBe(before);
    // Each gradient is the custom rule's k = i mod 7.
    let expected = 0;
    for (let i = 0; i < 100_000; i++) expected += i % 7;
    expect(total).toBe(expected);
  });
  it("customJvp functions under jvp, and custom functions staged by makeGraph and jit, neither", () => {
    const before = primitiveCount();
    for (let i = 0; i < 1000; i++) {
      const f = customJvp((x: Num) => sin(x), { jvp: ([x], [t]) => [sin(x), mul(t, i)] });
      expect(jvp(f, [0], [1])[1]).toBe(i);
      expect(makeGraph((x: Num) => softplusLike(i)(x))(1).equations()).toHaveLength(1);
      expect(jit(grad((x: Num) => softplusLike(i)(x)))(1)).toBe(i);
      expect(grad(jit((x: Num) => softplusLike(i)(x)))(1)).toBe(i);
    }
    expect(primitiveCount()).toBe(before);
  });
  it("a graph keeps the custom primitives it uses: a pullback works after its custom function is dropped", () => {
    const pullbacks = [];
    for (let i = 1; i <= 3; i++) pullbacks.push(vjp((x: Num) => softplusLike(i)(x), 5)[1]);
    expect(pullbacks.map((pb) => pb(1))).toEqual([[1], [2], [3]]);
    // Two custom functions in one graph are told apart.
    const a = softplusLike(2);
    const b = softplusLike(3);
    expect(grad((x: Num) => mul(a(x), b(x)))(1)).toBe(12); // d/dx (2x·3x) = 12x
    const g = makeGraph((x: Num) => mul(a(x), b(x)))(1);
    expect(g.equations().map((e) => e.primitive)).toEqual(["customVjp", "customVjp", "mul"]);
  });
});

describe("per-call custom functions are garbage collected (child process with --expose-gc)", () => {
  it("heap growth per custom function created and used once stays below 100 bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-custom-memory-"));
    try {
      const bundle = join(dir, "chainrule.mjs");
      buildSync({ entryPoints: [join(import.meta.dirname, "..", "src", "index.ts")], bundle: true, format: "esm", platform: "node", outfile: bundle, logLevel: "silent" });
      const script = join(dir, "measure.mjs");
      writeFileSync(
        script,
        `import { customVjp, grad, jit, mul } from ${JSON.stringify(bundle)};
const make = (k) => customVjp((x) => mul(x, k), { fwd: (x) => [mul(x, k), k], bwd: (r, ct) => [mul(ct, r)] });
const perCall = { grad: (i) => grad((x) => make(i)(x))(2), jit: (i) => jit((x) => make(i)(x))(2) };
const out = {};
for (const [name, run] of Object.entries(perCall)) {
  for (let i = 0; i < 2000; i++) run(i);
  globalThis.gc(); globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const n = 20000;
  for (let i = 0; i < n; i++) run(i);
  globalThis.gc(); globalThis.gc();
  out[name] = (process.memoryUsage().heapUsed - before) / n;
}
console.log(JSON.stringify(out));
`,
      );
      const r = spawnSync(process.execPath, ["--expose-gc", script], { encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const perCreation = JSON.parse(r.stdout) as { grad: number; jit: number };
      expect(perCreation.grad).toBeLessThan(100);
      expect(perCreation.jit).toBeLessThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
