// The `chainrule explain` command: its expression parser (src/cli/expr.ts), the command itself
// (src/cli/main.ts) on the lecture notes' two examples and on bad input, and the installed `bin`
// (bin/chainrule.mjs, run as a process against the built dist/).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { grad, mul, neg, type Num } from "../src/index.js";
import { evaluateExpr, ExprError, parseExpr, printable, variablesOf, type Expr } from "../src/cli/expr.js";
import { main } from "../src/cli/main.js";

const NEURON = "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))";
const NEURON_VALUES = ["w0=2", "w1=-3", "w2=-3", "x0=-1", "x1=-2"];

/** Runs the command in-process; returns its exit code, output, errors and written files. */
async function run(...args: string[]) {
  let out = "";
  let err = "";
  const files = new Map<string, string>();
  const code = await main(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    writeFile: (p, t) => files.set(p, t),
  });
  return { code, out, err, files };
}

/** The error a parse throws (fails if it does not throw an ExprError). */
function parseError(source: string): ExprError {
  try {
    parseExpr(source);
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error(`parsing ${JSON.stringify(source)} did not fail`);
}

describe("expression parser", () => {
  const value = (source: string, env: Record<string, number> = {}) => evaluateExpr(parseExpr(source), env);

  it("follows the usual precedence and associativity", () => {
    expect(value("1 + 2 * 3")).toBe(7);
    expect(value("(1 + 2) * 3")).toBe(9);
    expect(value("8 / 4 / 2")).toBe(1);
    expect(value("10 - 3 - 2")).toBe(5);
    expect(value("2 ^ 3 ^ 2")).toBe(512); // right-associative
    expect(value("2 ** 3")).toBe(8);
    expect(value("-2 ^ 2")).toBe(-4); // -(2^2), as in mathematics
    expect(value("2 ^ -1")).toBe(0.5);
    expect(value("--3")).toBe(3);
    expect(value("+3")).toBe(3);
    expect(value("1.5e2 + .5")).toBe(150.5);
  });

  it("calls the allowed primitives", () => {
    expect(value("max(a, b) + min(a, b)", { a: 1, b: 5 })).toBe(6);
    expect(value("sigmoid(0)")).toBe(0.5);
    expect(value("where(gt(x, 0), x, -x)", { x: -3 })).toBe(3);
    expect(value("exp(-(w0*x0 + w1*x1 + w2))", { w0: 2, w1: -3, w2: -3, x0: -1, x1: -2 })).toBeCloseTo(Math.exp(-1), 15);
  });

  it("lists the variables in order of appearance", () => {
    expect([...variablesOf(parseExpr(NEURON)).keys()]).toEqual(["w0", "x0", "w1", "x1", "w2"]);
    expect([...variablesOf(parseExpr("(x + y) * z + x")).keys()]).toEqual(["x", "y", "z"]);
  });

  it.each([
    ["(x + y", 'missing ")"', 1],
    ["x + y)", 'unbalanced ")"', 6],
    ["x + $", 'unexpected character "$"', 5],
    ["x + @y", 'unexpected character "@"', 5],
    ["foo(x)", "unknown function foo", 1],
    ["constructor(x)", "unknown function constructor", 1],
    ["max(x)", "max takes 2 arguments, got 1", 1],
    ["exp(x, y)", "exp takes 1 argument, got 2", 1],
    ["x +", "the expression ended", 4],
    ["", "the expression ended", 1],
    ["x y", "expected an operator", 3],
    ["2x", "a number cannot run into a name", 1],
    ["sigmoid(x", 'missing ")"', 8],
    ["max(x y)", 'expected "," or ")"', 7],
    ["* x", "expected a number, a name or (", 1],
    ["x; process.exit()", 'unexpected character ";"', 2],
  ])("rejects %j: %s at column %i", (source, message, column) => {
    const e = parseError(source);
    expect(e.message).toContain(message);
    expect(e.column).toBe(column);
  });

  it("shows a caret under the column", () => {
    expect(parseError("x + $").explain("x + $")).toBe('unexpected character "$": expressions use numbers, names, + - * / ^ ( ) and commas (column 5)\n  x + $\n      ^');
  });

  it("refuses absurd nesting and length instead of overflowing the stack", () => {
    expect(parseError("(".repeat(1000) + "x" + ")".repeat(1000)).message).toContain("nested too deeply");
    expect(parseError("x+".repeat(6000) + "x").message).toContain("too long");
  });

  const OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "valueOf"];

  it.each(OBJECT_NAMES)("takes %s as a variable name like any other", (name) => {
    const e = parseExpr(`${name} * 2 + 1`);
    expect([...variablesOf(e).keys()]).toEqual([name]);
    const env = Object.fromEntries([[name, 3]]) as Record<string, Num>;
    expect(evaluateExpr(e, env)).toBe(7);
    // Not found on Object.prototype when missing.
    expect(() => evaluateExpr(e, {})).toThrow(`no value for ${name}`);
  });

  it.each(OBJECT_NAMES)("refuses %s(2) as an unknown function", (name) => {
    const e = parseError(`${name}(2)`);
    expect(e.message).toContain(`unknown function ${name}:`);
    expect(e.column).toBe(1);
  });

  it("reads a name of any length whole", () => {
    const long = "w" + "_".repeat(300) + "1";
    const e = parseExpr(`${long} * ${long}x`);
    expect([...variablesOf(e).keys()]).toEqual([long, `${long}x`]);
    expect(evaluateExpr(e, { [long]: 3, [`${long}x`]: 5 })).toBe(15);
  });

  it("reads a number of any length whole and refuses one above the largest double with its column", () => {
    const tiny = "0." + "0".repeat(450) + "1e460";
    expect(evaluateExpr(parseExpr(`1 + ${tiny}`), {})).toBe(1 + 1e9);
    const digits = "9".repeat(308) + "0".repeat(150); // 458 digits: one number, too large
    const big = parseError(`x + ${digits}`);
    expect(big.message).toContain("is too large");
    expect([big.column, big.width]).toEqual([5, digits.length]);
    expect(parseError("2 * 1e999").column).toBe(5);
    expect(evaluateExpr(parseExpr("1.7976931348623157e308"), {})).toBe(Number.MAX_VALUE);
  });

  it("shows a long expression as a window around the column, cut with …", () => {
    const source = "x + ".repeat(100) + "$ + " + "y + ".repeat(100) + "y";
    const lines = parseError(source).explain(source).split("\n");
    expect(lines[0]).toBe('unexpected character "$": expressions use numbers, names, + - * / ^ ( ) and commas (column 401)');
    expect(lines[1]!.startsWith("  …")).toBe(true);
    expect(lines[1]!.endsWith("…")).toBe(true);
    expect(lines[1]!.length).toBeLessThan(100);
    expect(lines[1]![lines[2]!.length - 1]).toBe("$"); // the caret is under the "$"
  });

  it("shows control characters, line breaks and invalid UTF-8 as one visible character each", () => {
    for (const [source, column, bad, visible] of [
      ["x +\n\u0001", 5, "U+0001", "\u2401"],
      ["x\t+ y\u001b[31m", 6, "U+001B", "\u241b"],
      ["x \u0085", 3, "U+0085", "\ufffd"],
      ["x + \ufffd", 5, "U+FFFD (often a byte that is not valid UTF-8)", "\ufffd"],
      ["x + \u202e y", 5, "U+202E", "\ufffd"],
      ["x + \ud83d", 5, "U+D83D", "\ufffd"],
    ] as const) {
      const e = parseError(source);
      expect(e.message).toContain(`unexpected character ${bad}`);
      expect(e.column).toBe(column);
      const [, shown, caret] = e.explain(source).split("\n");
      expect(shown).toMatch(/^[\x20-\x7e\u2400-\u2421\ufffd]*$/);
      expect(caret).toBe(" ".repeat(column + 1) + "^");
      expect(shown![column + 1]).toBe(visible);
    }
    expect(printable("a\u0000b\u007fc\u009bd\ud83d\ude00")).toBe("a\u2400b\u2421c\ufffdd\ud83d\ude00");
  });

  it("evaluates trees deeper than the call stack (its walk keeps its own stack)", () => {
    let deep: Expr = { kind: "var", name: "x", pos: 0 };
    for (let i = 0; i < 100_000; i++) deep = { kind: "neg", arg: deep, pos: 0 };
    expect(evaluateExpr(deep, { x: 3 })).toBe(3);
    let chain: Expr = { kind: "var", name: "x", pos: 0 };
    for (let i = 0; i < 100_000; i++) chain = { kind: "binary", op: "*", left: chain, right: { kind: "number", value: 1, pos: 0 }, pos: 0 };
    expect(grad((x: Num) => evaluateExpr(chain, { x }))(2)).toBe(1);
  });

  it("evaluates the longest chains the parser takes, left to right", () => {
    const source = "x" + " * x".repeat(2400);
    const e = parseExpr(source);
    expect(evaluateExpr(e, { x: 1.0001 })).toBe(Array.from({ length: 2400 }).reduce<Num>((acc) => mul(acc, 1.0001), 1.0001));
    expect(grad((x: Num) => evaluateExpr(parseExpr("-".repeat(199) + "x"), { x }))(1)).toBe(neg(1));
  });
});

describe("chainrule explain (in-process)", () => {
  it("explains the lecture notes' first example: (x + y) * z at x = -2, y = 5, z = -4", async () => {
    const r = await run("explain", "(x + y) * z", "x=-2", "y=5", "z=-4");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("a = input      // x: value -2, grad -4");
    expect(r.out).toContain("d = add(a, b)  // value 3, grad -4");
    expect(r.out).toContain("e = mul(d, c)  // value -12, grad 1");
    expect(r.out).toMatch(/f = -12\ndf\/dx = -4\ndf\/dy = -4\ndf\/dz = 3\n/);
  });

  it("explains the sigmoid neuron: gradients ≈ -0.20, -0.39, 0.20 (w) and 0.39, -0.59 (x)", async () => {
    const r = await run("explain", NEURON, ...NEURON_VALUES);
    expect(r.code).toBe(0);
    const grads = Object.fromEntries([...r.out.matchAll(/^df\/d(\w+)\s*= (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(grads)).toEqual(["w0", "x0", "w1", "x1", "w2"]);
    const rounded = (k: string) => grads[k]!.toFixed(2);
    expect([rounded("w0"), rounded("w1"), rounded("w2")]).toEqual(["-0.20", "-0.39", "0.20"]);
    expect([rounded("x0"), rounded("x1")]).toEqual(["0.39", "-0.59"]);
    expect(r.out).toMatch(/^f = 0\.731059$/m);
  });

  it("writes the SVG and the DOT", async () => {
    const r = await run("explain", "(x + y) * z", "x=-2", "y=5", "z=-4", "--svg", "out.svg", "--dot=out.dot");
    expect(r.code).toBe(0);
    expect(r.files.get("out.svg")).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*-12[\s\S]*<\/svg>\s*$/);
    expect(r.files.get("out.dot")).toMatch(/^digraph chainrule \{/);
    expect(r.out).toContain("wrote out.svg");
  });

  it.each([
    [["explain", "(x + y", "x=1", "y=2"], 1, 'missing ")" to close this "(" (column 1)\n  (x + y\n  ^'],
    [["explain", "x * y", "x=1"], 1, "no value for y: give one, e.g. y=1 (column 5)\n  x * y\n      ^"],
    [["explain", "x", "x=1", "z=2"], 1, "z is not in the expression"],
    [["explain", "x", "x=abc"], 2, '"x=abc": the value must be a decimal number, like x=-2 or x=0.5'],
    [["explain", "x", "x=1", "x=2"], 2, "x is given twice"],
    [["explain", "x", "x"], 2, 'expected name=value (like x=-2), got "x"'],
    [["explain"], 2, "missing expression"],
    [["plot", "x"], 2, 'unknown command "plot"'],
    [["explain", "x", "x=1", "--svg"], 2, "--svg needs a file name"],
    [["explain", "x", "x=1", "--dot", "--svg", "a.svg"], 2, "--dot needs a file name: --dot out.dot"],
    [["explain", "x", "x=1", "--dot="], 2, "--dot needs a file name"],
    [["explain", "x", "x=1", "--dot", "a.dot", "--dot=b.dot"], 2, "--dot is given twice"],
    [["explain", "x", "x=1", "--bogus"], 2, 'unknown option "--bogus": the options are --svg, --dot and --help'],
    [["explain", "x", "--svgfile=a.svg", "x=1"], 2, 'unknown option "--svgfile"'],
    [["--version"], 2, 'unknown option "--version"'],
    [["explain", "x", "x="], 2, "x= has no value: give a number, like x=1"],
    [["explain", "x", "x= "], 2, '"x= ": the value must be a decimal number'],
    [["explain", "x", "x=NaN"], 2, '"x=NaN": the value must be a decimal number'],
    [["explain", "x", "x=Infinity"], 2, '"x=Infinity": the value must be a decimal number'],
    [["explain", "x", "x=0x10"], 2, '"x=0x10": the value must be a decimal number'],
    [["explain", "x", "x=1e999"], 2, "x=1e999 is too large: numbers must be at most about 1.8e308"],
    [["explain", "x", "x=" + "9".repeat(400)], 2, `x=${"9".repeat(40)}… is too large`],
    [["explain", "x", "x=1\n"], 2, '"x=1\\n": the value must be a decimal number'],
    [["explain", "x", "x=1", "a".repeat(5000)], 2, `got "${"a".repeat(60)}…"`],
    [["explain", ""], 2, "missing expression"],
    [["explain", " \t\n"], 2, "missing expression"],
    [["explain", "--dot", "a.dot"], 2, "missing expression"],
    [["explain", "x=1"], 2, "missing expression"],
    [["explain", "x", "y", "x=1"], 2, 'expected name=value (like x=-2), got "y"'],
    [["explain", "1e999 * x", "x=1"], 1, "the number 1e999 is too large: numbers must be at most about 1.8e308 (column 1)"],
    [["explain", "constructor(2)"], 1, "unknown function constructor: the functions are"],
    [["explain", "x * toString", "x=1"], 1, "no value for toString: give one, e.g. toString=1 (column 5)"],
    [["explain", "(".repeat(100_000) + "x" + ")".repeat(100_000), "x=1"], 1, "the expression is too long (at most 10000 characters) (column 10001)"],
    [["explain", "(".repeat(1000) + "x" + ")".repeat(1000), "x=1"], 1, "the expression is nested too deeply (at most 200 levels) (column 201)"],
  ])("rejects %j (exit %i)", async (args, code, message) => {
    const r = await run(...args);
    expect(r.code).toBe(code);
    expect(r.out).toBe("");
    expect(r.err).toContain(message);
  });

  it("takes __proto__, constructor, toString, hasOwnProperty, prototype and valueOf as variables", async () => {
    // f = h·c + t − o/p^v = 3·2 + 1 − 8/2³ = 6; ∂f/∂p = o·v/p^(v+1) = 1.5; ∂f/∂v = o·ln p/p^v = ln 2.
    const r = await run("explain", "__proto__ * constructor + toString - hasOwnProperty / prototype ^ valueOf", "__proto__=3", "constructor=2", "toString=1", "hasOwnProperty=8", "prototype=2", "valueOf=3");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("a = input      // __proto__: value 3, grad 2");
    expect(r.out).toMatch(
      /^f = 6\ndf\/d__proto__      = 2\ndf\/dconstructor    = 3\ndf\/dtoString       = 1\ndf\/dhasOwnProperty = -0\.125\ndf\/dprototype      = 1\.5\ndf\/dvalueOf        = 0\.693147$/m,
    );
  });

  it("takes options and values before the expression", async () => {
    const r = await run("explain", "--dot", "g.dot", "x=2", "x * y", "y=3");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^f = 6$/m);
    expect(r.files.get("g.dot")).toMatch(/^digraph chainrule \{/);
  });

  it("takes an expression starting with -- as an expression, not an option", async () => {
    const r = await run("explain", "--x * y", "x=2", "y=3", "--dot", "g.dot");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^f = 6\ndf\/dx = 3\ndf\/dy = 2$/m);
  });

  it("shows an expression typed over several lines on one line", async () => {
    const r = await run("explain", "x *\n  y", "x=2", "y=3");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe("f = x *   y   at x = 2, y = 3");
  });

  it.each([
    ["--dot", Object.assign(new Error("ENOENT: no such file or directory, open '/no/such/dir/g.dot'"), { code: "ENOENT" }), "no such file or directory"],
    ["--svg", Object.assign(new Error("EACCES: permission denied, open '/root/g.svg'"), { code: "EACCES" }), "permission denied"],
    ["--dot", "disk full", "disk full"],
  ])("reports a failed %s write as one line, exit 1, nothing on stdout", async (option, thrown, reason) => {
    let out = "";
    let err = "";
    const code = await main(["explain", "x * 2", "x=1", option, "/no/such/dir/g"], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      writeFile: () => {
        throw thrown;
      },
    });
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(`chainrule: cannot write /no/such/dir/g: ${reason}\n`);
  });

  it("prints its usage with --help", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain('chainrule explain "<expression>"');
  });
});

describe("bin/chainrule.mjs (the installed command, on dist/)", () => {
  const bin = join(import.meta.dirname, "..", "bin", "chainrule.mjs");
  const built = join(import.meta.dirname, "..", "dist", "cli", "main.js");
  const exec = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30_000 });

  it("is built (run `npm run build` first)", () => {
    expect(existsSync(built), "dist/cli/main.js is missing: run `npm run build`").toBe(true);
  });

  it("explains the lecture notes' examples and writes the SVG", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-"));
    try {
      const first = exec("explain", "(x + y) * z", "x=-2", "y=5", "z=-4");
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/df\/dx = -4\ndf\/dy = -4\ndf\/dz = 3/);
      const svg = join(dir, "neuron.svg");
      const second = exec("explain", NEURON, ...NEURON_VALUES, "--svg", svg);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain("df/dx1 = -0.589836");
      expect(readFileSync(svg, "utf8")).toContain("<svg");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A refused invocation: the exit code, nothing on stdout, `chainrule: …` and no stack trace. */
  const expectRefused = (r: ReturnType<typeof exec>, code: number, message: string) => {
    expect(r.status, r.stderr).toBe(code);
    expect(r.stdout).toBe("");
    // One line, then only the expression and its caret line, or the pointer to --help.
    expect(r.stderr).toMatch(/^chainrule: [^\n]+\n(?: {2}[^\n]*\n {2,}\^+\n|Run chainrule --help for the usage\.\n)?$/);
    expect(r.stderr.split("\n")[0]).toContain(message);
  };

  it("takes __proto__ as a variable and refuses constructor(2) as an unknown function", () => {
    const r = exec("explain", "__proto__ * 2", "__proto__=3");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^f = 6\ndf\/d__proto__ = 2$/m);
    expectRefused(exec("explain", "constructor(2)"), 1, "unknown function constructor: the functions are");
  });

  it("reads long names and numbers whole, refusing a number above the largest double with its column", () => {
    const name = "n".repeat(250);
    const tiny = "0." + "0".repeat(450) + "1e451";
    const r = exec("explain", `${name} * ${tiny}`, `${name}=2`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^f = 2\ndf/d${name} = 1$`, "m"));
    expectRefused(exec("explain", `2 * ${"1".repeat(450)}`), 1, `the number ${"1".repeat(40)}… is too large: numbers must be at most about 1.8e308 (column 5)`);
  });

  it("reports a --dot or --svg file it cannot write in one line with exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-"));
    try {
      const missing = join(dir, "no-such-dir", "g.dot");
      expectRefused(exec("explain", "x * 2", "x=1", "--dot", missing), 1, `cannot write ${missing}: no such file or directory`);
      expectRefused(exec("explain", "x * 2", "x=1", `--svg=${dir}`), 1, `cannot write ${dir}: illegal operation on a directory`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports standard output it cannot write (a full disk) in one line with exit 1", () => {
    const full = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [bin, "explain", "x * 2", "x=1"], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", full, "pipe"] });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe("chainrule: cannot write standard output: no space left on device\n");
    } finally {
      closeSync(full);
    }
  });

  it.each([
    [["explain", "x", "x=1", "--bogus"], 2, 'unknown option "--bogus"'],
    [["explain", "x", "x=1", "--dot"], 2, "--dot needs a file name"],
    [["explain", "x", "x=1", "x=2"], 2, "x is given twice"],
    [["explain", "x", "x="], 2, "x= has no value"],
    [["explain", "x", "x=1e999"], 2, "x=1e999 is too large"],
    [["explain", "x", "x=NaN"], 2, '"x=NaN": the value must be a decimal number'],
    [["explain", ""], 2, "missing expression"],
    // 60 000 levels: the longest argument Linux passes is 128 KiB.
    [["explain", "(".repeat(60_000) + "x" + ")".repeat(60_000), "x=1"], 1, "the expression is too long"],
    [["explain", "x + \u001b[2J", "x=1"], 1, "unexpected character U+001B"],
  ])("refuses %j in one line with exit %i", (args, code, message) => {
    expectRefused(exec(...args), code, message);
  });

  it("refuses an expression that is not valid UTF-8 in one line", () => {
    const r = spawnSync("/bin/sh", ["-c", `exec "$0" "$1" explain "$(printf 'x + \\377')" x=1`, process.execPath, bin], { encoding: "utf8", timeout: 30_000 });
    expectRefused(r, 1, "unexpected character U+FFFD (often a byte that is not valid UTF-8)");
  });

  it("rejects bad input with a caret and a non-zero exit", () => {
    const r = exec("explain", "sigmoid(x", "x=1");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('chainrule: missing ")" to close the "(" of sigmoid( (column 8)\n  sigmoid(x\n         ^\n');
  });
});
