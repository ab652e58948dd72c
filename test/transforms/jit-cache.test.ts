// jit's cache is bounded: least recently used structures are evicted (and traced again when they
// come back, with the same results), `cacheSize` changes the bound and is validated.
import { describe, expect, it } from "vitest";
import { ChainruleError, jit, mul, sum, type Num } from "../../src/index.js";

/**
 * A jitted Σ 2·xᵢ that counts how often the user function runs: once per staging (the first-call
 * check, which would run it once more per structure, is off).
 */
function counted(options?: { cacheSize?: number }) {
  const calls = { n: 0 };
  const f = jit((x: Num[]) => {
    calls.n++;
    return sum(x.map((v) => mul(v, 2)));
  }, { ...options, verify: false });
  return { f, calls };
}

const ones = (n: number): number[] => Array.from({ length: n }, () => 1);

describe("jit cache eviction", () => {
  it("with cacheSize 2, a third structure evicts the least recently used one, which is re-staged correctly", () => {
    const { f, calls } = counted({ cacheSize: 2 });
    expect(f([1])).toBe(2);
    expect(f([1, 2])).toBe(6);
    expect(f([1, 2, 3])).toBe(12); // evicts [*]
    expect(calls.n).toBe(3);
    expect(f([1, 2, 3])).toBe(12);
    expect(f([1, 2])).toBe(6);
    expect(calls.n).toBe(3);
    expect(f([5])).toBe(10); // [*] was evicted: staged again, evicting [*, *, *]
    expect(calls.n).toBe(4);
    expect(f([1, 2])).toBe(6);
    expect(f([7])).toBe(14);
    expect(calls.n).toBe(4);
    expect(f([1, 1, 1])).toBe(6);
    expect(calls.n).toBe(5);
  });

  it("a cache hit makes an entry the most recently used", () => {
    const { f, calls } = counted({ cacheSize: 2 });
    f([1]);
    f([1, 1]);
    f([1]); // hit: [*] is now the most recently used
    f([1, 1, 1]); // evicts [*, *], not [*]
    expect(calls.n).toBe(3);
    expect(f([3])).toBe(6);
    expect(calls.n).toBe(3);
    expect(f([3, 3])).toBe(12);
    expect(calls.n).toBe(4);
  });

  it("keeps 128 structures by default and evicts the oldest for the 129th", () => {
    const { f, calls } = counted();
    for (let n = 1; n <= 129; n++) expect(f(ones(n))).toBe(2 * n);
    expect(calls.n).toBe(129);
    expect(f(ones(129))).toBe(258);
    expect(f(ones(2))).toBe(4);
    expect(calls.n).toBe(129);
    expect(f(ones(1))).toBe(2); // the oldest was evicted
    expect(calls.n).toBe(130);
  });

  it("cacheSize Infinity keeps every structure", () => {
    const { f, calls } = counted({ cacheSize: Infinity });
    for (let n = 1; n <= 200; n++) f(ones(n));
    for (let n = 1; n <= 200; n++) expect(f(ones(n))).toBe(2 * n);
    expect(calls.n).toBe(200);
  });

  it.each([0, -1, 1.5, NaN, -Infinity, "3", null])("refuses cacheSize %s with a ChainruleError", (size) => {
    expect(() => jit((x: Num) => x, { cacheSize: size as number })).toThrow(ChainruleError);
    expect(() => jit((x: Num) => x, { cacheSize: size as number })).toThrow(/cacheSize must be a positive integer or Infinity/);
  });
});
