// jit's generated source: only identifiers the compiler made and numbers printed exactly;
// nothing a user supplies (tree keys, primitive names, constants) reaches it. And the fallback
// when the runtime forbids code generation (a strict Content-Security-Policy).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { add, definePrimitive, grad, jit, mul, sin, sum, valueAndGrad, where, gt, type Num } from "../../src/index.js";
import { codegen } from "../../src/jit/compile.js";
import { jsNumber } from "../../src/jit/emit.js";

afterEach(() => {
  codegen.forbidden = false;
});

const MATH = "sin cos tan asin acos atan atan2 sinh cosh tanh exp log log1p expm1 sqrt abs sign pow max min floor ceil round".split(" ");
const HELPERS = ["sigmoid", "softplus", "logSumExp"];
const ALLOWED = new Set(["use", "strict", "return", "function", "chunk", "const", "let", "for", "if", "m", "i", "ix", "iy", "Math", "$h", "$p", "$g", "$t", "$f", ...MATH, ...HELPERS]);

/** Checks that a generated source uses only the compiler's identifiers and numeric literals. */
function expectSafeSource(src: string): void {
  // The only string literal is the "use strict" directive.
  expect(src.match(/["'`]/g)?.length ?? 0).toBe(2 * (src.match(/"use strict"/g)?.length ?? 0));
  const noStrings = src.replace(/"use strict"/g, "").replace(/^\/\/ chunk \d+ of \d+$/gm, "");
  const noNumbers = noStrings.replace(/\b\d+(\.\d+)?(e[+-]\d+)?\b/g, "0");
  for (const id of noNumbers.match(/[A-Za-z_$][\w$]*/g) ?? []) {
    if (ALLOWED.has(id) || /^(?:[vac]\d+|k\d+)$/.test(id)) continue;
    expect.fail(`unexpected identifier in generated source: ${id}`);
  }
  // Nothing but identifiers, numbers, operators and punctuation.
  expect(/^[\w$\s.,;:+\-*/()[\]{}=!<>?&|]*$/.test(noStrings)).toBe(true);
}

describe("the generated source", () => {
  it("contains only the compiler's identifiers and numbers, for every kind of program", () => {
    const programs: [(...a: never[]) => unknown, unknown[]][] = [
      [grad((x: Num[]) => sum(x.map((v, i) => mul(sin(v), i + 0.5)))), [[1, 2, 3]]],
      [valueAndGrad((x: Num[]) => { let s: Num = 0; for (let i = 0; i + 1 < x.length; i++) s = add(s, mul(x[i]!, x[i + 1]!)); return s; }), [Array.from({ length: 50 }, (_, i) => i / 7)]],
      [(x: Num) => where(gt(x, 0), x, -1e-300), [1]],
    ];
    for (const [f, args] of programs) {
      const low = jit(f as (...a: unknown[]) => unknown).lower(...args);
      expect(low.strategy).toBe("compiled");
      expectSafeSource(low.source!);
    }
  });

  it("tree keys never reach the source, and come back as own properties", () => {
    const evil = 'a"];process.exit()//';
    const input = JSON.parse(`{"${evil.replace(/"/g, '\\"')}": 1, "__proto__": 2, "constructor": 3, "toString": 4, "\\u2028": 5, "\${x}": 6}`) as Record<string, Num>;
    expect(Object.keys(input)).toEqual([evil, "__proto__", "constructor", "toString", "\u2028", "${x}"]);
    const f = jit((p: Record<string, Num>) => {
      const out: Record<string, Num> = {};
      for (const k of Object.keys(p)) {
        const v = mul(p[k]!, 10);
        if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
      }
      return out;
    });
    const out = f(input) as Record<string, number>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(Object.keys(input));
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe(20);
    expect(out[evil]).toBe(10);
    expect(out.constructor).toBe(30);
    expect(out["${x}"]).toBe(60);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const src = f.lower(input).source!;
    for (const k of [evil, "__proto__", "constructor", "toString", "process", "${"]) expect(src).not.toContain(k);
    expectSafeSource(src);
  });

  it("a user primitive is reached through a table by index, never by its name", () => {
    const p = definePrimitive({ name: "constructor__jit", impl: (x) => 2 * x, partials: () => [2] });
    const f = jit(grad((x: Num) => mul(p(x), p(x))));
    expect(f(3)).toBe(24); // d/dx (2x)² = 8x
    const src = f.lower(3).source!;
    expect(src).not.toContain("constructor__jit");
    expectSafeSource(src);
  });

  it("constants are printed exactly: NaN, ±Infinity, -0, extreme and inexact decimals", () => {
    const consts = [NaN, Infinity, -Infinity, -0, 0, 0.1, 1 / 3, -1e-7, 5e-324, -5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 123456789.123];
    for (const c of consts) {
      const f = jit((x: Num) => [add(x, c), mul(x, c)]);
      const [a, b] = f(0) as number[];
      expect(Object.is(a, 0 + c) || (Number.isNaN(a) && Number.isNaN(c))).toBe(true);
      expect(Object.is(b, 0 * c) || (Number.isNaN(b) && Number.isNaN(0 * c))).toBe(true);
      expectSafeSource(f.lower(0).source!);
    }
    expect(jsNumber(-0)).toBe("(-0)");
    expect(jsNumber(NaN)).toBe("(0 / 0)");
    expect(jsNumber(-Infinity)).toBe("(-1 / 0)");
    expect(jsNumber(-2.5)).toBe("(-2.5)");
    expect(jsNumber(1e21)).toBe("1e+21");
    expect(() => jsNumber("1; alert(1)" as unknown as number)).toThrow();
  });
});

describe("where code generation is forbidden", () => {
  it("jit interprets the graph, with the same results", () => {
    const f = (x: Num[]) => sum(x.map((v) => mul(v, sin(v))));
    const expected = valueAndGrad(f)([1, 2, 3]);
    codegen.forbidden = true;
    const j = jit(valueAndGrad(f));
    expect(j([1, 2, 3])).toEqual(expected);
    expect(j.lower([1, 2, 3]).strategy).toBe("interpreted");
  });

  it("under node --disallow-code-generation-from-strings (as a strict CSP), from the built package", () => {
    const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
    expect(existsSync(dist), "run `npm run build` first (npm test does)").toBe(true);
    const script = `
      const cr = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      const { jit, valueAndGrad, grad, mul, sin, add, sum } = cr;
      let refused = false;
      try { new Function("return 1"); } catch (e) { refused = e instanceof EvalError; }
      const f = (x) => sum(x.map((v, i) => add(mul(v, sin(v)), i)));
      const j = jit(valueAndGrad(f));
      const out = j([1, 2, 3]);
      console.log(JSON.stringify({ refused, out, eager: valueAndGrad(f)([1, 2, 3]), strategy: j.lower([1, 2, 3]).strategy,
        second: jit(grad(grad((x) => mul(x, mul(x, x)))))(2) }));
    `;
    const stdout = execFileSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { encoding: "utf8" });
    const r = JSON.parse(stdout) as { refused: boolean; out: unknown; eager: unknown; strategy: string; second: number };
    expect(r.refused).toBe(true);
    expect(r.strategy).toBe("interpreted");
    expect(r.out).toEqual(r.eager);
    expect(r.second).toBe(12);
  });
});
