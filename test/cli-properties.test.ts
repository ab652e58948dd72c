// Properties of `chainrule explain` over random input: random valid expressions over every
// allowed function, printed with the fewest parentheses the precedence rules allow (plus random
// extra ones and random spacing), give the same value and gradients through the CLI as the same
// expression written with chainrule's functions; random garbage (strings, broken expressions,
// argument lists) only ever gets a `chainrule: …` error, never an exception or a stack trace.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateExpr, FUNCTIONS, parseExpr } from "../src/cli/expr.js";
import { main } from "../src/cli/main.js";
import { displayNumber } from "../src/core/print.js";
import * as cr from "../src/index.js";
import type { Num } from "../src/index.js";

const SEED = 20_261_204;

/** The allowed functions, written with chainrule's own exports. */
const DIRECT: Record<string, (...xs: Num[]) => Num> = {
  neg: cr.neg,
  sqrt: cr.sqrt,
  square: cr.square,
  reciprocal: cr.reciprocal,
  abs: cr.abs,
  sign: cr.sign,
  exp: cr.exp,
  log: cr.log,
  log1p: cr.log1p,
  expm1: cr.expm1,
  sin: cr.sin,
  cos: cr.cos,
  tan: cr.tan,
  asin: cr.asin,
  acos: cr.acos,
  atan: cr.atan,
  sinh: cr.sinh,
  cosh: cr.cosh,
  tanh: cr.tanh,
  sigmoid: cr.sigmoid,
  relu: cr.relu,
  softplus: cr.softplus,
  floor: cr.floor,
  ceil: cr.ceil,
  round: cr.round,
  stopGradient: cr.stopGradient,
  add: cr.add,
  sub: cr.sub,
  mul: cr.mul,
  div: cr.div,
  pow: cr.pow,
  atan2: cr.atan2,
  max: cr.max,
  min: cr.min,
  lt: cr.lt,
  le: cr.le,
  gt: cr.gt,
  ge: cr.ge,
  eq: cr.eq,
  where: (c, a, b) => cr.where(c, a, b),
  cbrt: cr.cbrt,
  log2: cr.log2,
  log10: cr.log10,
  logSigmoid: cr.logSigmoid,
  logit: cr.logit,
  erf: cr.erf,
  erfc: cr.erfc,
  normCdf: cr.normCdf,
  logNormCdf: cr.logNormCdf,
  lgamma: cr.lgamma,
  digamma: cr.digamma,
  hypot: cr.hypot,
};
const ARITY: Record<string, number> = Object.fromEntries(Object.keys(FUNCTIONS).map((name) => [name, FUNCTIONS[name]!.arity]));

// Variable names include the properties of Object.prototype, a function name and a long name.
const NAMES = ["x", "y", "w0", "_b", "__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "valueOf", "exp", "n".repeat(250)];

type Op = "+" | "-" | "*" | "/" | "^";
/** A random expression, with how it is written: extra parentheses, spacing, `**` for `^`. */
type Node = { readonly wrap: boolean; readonly space: string } & (
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "var"; readonly name: string }
  | { readonly kind: "neg"; readonly arg: Node }
  | { readonly kind: "bin"; readonly op: Op; readonly stars: boolean; readonly left: Node; readonly right: Node }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[] }
);

/** A node kind with its writing: extra parentheses one time in eight, some spacing. */
const styled = <T,>(arb: fc.Arbitrary<T>) =>
  fc.record({ wrap: fc.integer({ min: 0, max: 7 }).map((k) => k === 0), space: fc.constantFrom("", "", " ", "  ", "\t", "\n ") }).chain((s) => arb.map((n) => ({ ...s, ...n })));

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "large", maxDepth: 6 },
    {
      weight: 2,
      arbitrary: styled(fc.record({ kind: fc.constant("num" as const), value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 999 }).map((k) => k / 100), fc.double({ min: 0, max: 10, noNaN: true })) })),
    },
    { weight: 3, arbitrary: styled(fc.record({ kind: fc.constant("var" as const), name: fc.constantFrom(...NAMES) })) },
    { weight: 1, arbitrary: styled(fc.record({ kind: fc.constant("neg" as const), arg: tie("node") })) },
    {
      weight: 5,
      arbitrary: styled(
        fc.record({
          kind: fc.constant("bin" as const),
          op: fc.constantFrom<Op>("+", "-", "*", "/", "^"),
          stars: fc.boolean(),
          left: tie("node"),
          right: tie("node"),
        }),
      ),
    },
    {
      weight: 3,
      arbitrary: styled(
        fc
          .constantFrom(...Object.keys(FUNCTIONS))
          .chain((name) => fc.record({ kind: fc.constant("call" as const), name: fc.constant(name), args: fc.array(tie("node"), { minLength: ARITY[name]!, maxLength: ARITY[name]! }) })),
      ),
    },
  ),
})) as { node: fc.Arbitrary<Node> };

const PREC: Record<Op, number> = { "+": 1, "-": 1, "*": 2, "/": 2, "^": 4 };

/** The source text and its precedence (1 sums, 2 products, 3 negation, 4 powers, 5 atoms). */
function print(n: Node): { text: string; prec: number } {
  const s = n.space;
  const paren = (p: { text: string; prec: number }, needed: boolean) => (needed ? `(${s}${p.text}${s})` : p.text);
  let out: { text: string; prec: number };
  switch (n.kind) {
    case "num":
      out = { text: String(n.value), prec: 5 };
      break;
    case "var":
      out = { text: n.name, prec: 5 };
      break;
    case "neg": {
      const a = print(n.arg);
      out = { text: `-${s}${paren(a, a.prec < 3)}`, prec: 3 };
      break;
    }
    case "bin": {
      const l = print(n.left);
      const r = print(n.right);
      const p = PREC[n.op];
      // + - * / associate to the left; ^ to the right, and its base is an atom (-2^2 = -(2^2)).
      const left = paren(l, n.op === "^" ? l.prec < 5 : l.prec < p);
      const right = paren(r, n.op === "^" ? r.prec < 3 : r.prec <= p);
      out = { text: `${left}${s}${n.op === "^" && n.stars ? "**" : n.op}${s}${right}`, prec: p };
      break;
    }
    case "call":
      out = { text: `${n.name}(${n.args.map((a) => `${s}${print(a).text}${s}`).join(",")})`, prec: 5 };
      break;
  }
  return n.wrap ? { text: `(${out.text})`, prec: 5 } : out;
}

/** The expression written with chainrule's functions. */
function direct(n: Node, env: Readonly<Record<string, Num>>): Num {
  switch (n.kind) {
    case "num":
      return n.value;
    case "var":
      return env[n.name]!;
    case "neg":
      return cr.neg(direct(n.arg, env));
    case "bin": {
      const l = direct(n.left, env);
      const r = direct(n.right, env);
      return { "+": cr.add, "-": cr.sub, "*": cr.mul, "/": cr.div, "^": cr.pow }[n.op](l, r);
    }
    case "call":
      return DIRECT[n.name]!(...n.args.map((a) => direct(a, env)));
  }
}

function variables(n: Node, out = new Set<string>()): Set<string> {
  if (n.kind === "var") out.add(n.name);
  else if (n.kind === "neg") variables(n.arg, out);
  else if (n.kind === "bin") variables(n.right, variables(n.left, out));
  else if (n.kind === "call") for (const a of n.args) variables(a, out);
  return out;
}

/** A random expression with a value for each of its variables. */
const problem = node.chain((e) => {
  const names = [...variables(e)];
  return fc.tuple(fc.constant(e), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: names.length, maxLength: names.length })).map(([e, xs]) => ({
    e,
    source: print(e).text,
    point: Object.fromEntries(names.map((n, i) => [n, xs[i]!])) as Record<string, number>,
  }));
});

async function run(args: readonly string[]) {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), writeFile: () => {} });
  return { code, out, err };
}

describe("random valid expressions", () => {
  it("cover every allowed function", () => {
    expect(Object.keys(DIRECT).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it("parse to the same value and gradients, bit for bit, as the expression written with chainrule's functions", () => {
    fc.assert(
      fc.property(problem, ({ e, source, point }) => {
        const [value, grads] = cr.valueAndGrad((p: Record<string, Num>) => direct(e, p))(point);
        const tree = parseExpr(source);
        const [parsedValue, parsedGrads] = cr.valueAndGrad((p: Record<string, Num>) => evaluateExpr(tree, p))(point);
        expect(Object.is(parsedValue, value), `${source}: ${String(parsedValue)} vs ${String(value)}`).toBe(true);
        for (const n of Object.keys(point)) {
          expect(Object.is(parsedGrads[n], grads[n]), `${source}: d/d${n} ${String(parsedGrads[n])} vs ${String(grads[n])}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("are explained by the command with that value and those gradients", async () => {
    await fc.assert(
      fc.asyncProperty(problem, async ({ e, source, point }) => {
        const names = Object.keys(point);
        const r = await run(["explain", source, ...names.map((n) => `${n}=${Object.is(point[n], -0) ? "-0" : String(point[n])}`)]);
        expect(r.err, source).toBe("");
        expect(r.code).toBe(0);
        const [value, grads] = cr.valueAndGrad((p: Record<string, Num>) => direct(e, p))(point);
        // The last lines: "f = value", then "df/dname = gradient" for each variable.
        const report = r.out.split("\n").slice(-(names.length + 2), -1);
        const width = names.reduce((w, n) => Math.max(w, n.length), 0);
        expect(report).toEqual([`f = ${displayNumber(value)}`, ...names.map((n) => `df/d${n.padEnd(width)} = ${displayNumber(grads[n]!)}`)]);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

/** Pieces to build garbage from: tokens, near-tokens, bad characters. */
const PIECES = ["x", "y", "(", ")", ",", "+", "-", "*", "/", "^", "**", " ", "1", "2.5", ".", "e", "1e999", "1e", "exp", "max", "where", "constructor", "__proto__", "\u0000", "\n", "\u001b", "$", "=", "\ufffd", "\u202e", "\ud800", "😀"];
const garbage = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((xs) => xs.join("")),
  // A valid expression with a piece inserted or a stretch deleted.
  fc.tuple(problem, fc.nat(), fc.nat({ max: 5 }), fc.constantFrom(...PIECES)).map(([p, at, cut, piece]) => {
    const i = at % (p.source.length + 1);
    return p.source.slice(0, i) + (cut === 0 ? piece : "") + p.source.slice(i + cut);
  }),
);

/**
 * The error contract: nothing on stdout; on stderr one `chainrule: …` line, followed only by
 * the expression and a caret line (a bad expression) or the pointer to --help (bad usage), so
 * never a stack trace; nothing unprintable.
 */
function expectCleanRefusal(r: { code: number; out: string; err: string }, what: string) {
  expect([1, 2], what).toContain(r.code);
  expect(r.out, what).toBe("");
  expect(r.err, what).toMatch(/^chainrule: [^\n]+\n(?: {2}[^\n]*\n {2,}\^+\n|Run chainrule --help for the usage\.\n)?$/);
  expect(r.err, what).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
}

describe("random garbage", () => {
  it("as the expression gets a one-line error with a column, or is a valid expression", async () => {
    await fc.assert(
      fc.asyncProperty(garbage, async (source) => {
        const r = await run(["explain", source, "x=1", "y=2"]);
        if (r.code === 0) expect(r.err).toBe("");
        else expectCleanRefusal(r, JSON.stringify(source));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("as the arguments gets a one-line error, never an exception", async () => {
    const arg = fc.oneof(fc.constantFrom("explain", "--dot", "--svg=", "--dot=g.dot", "--bogus", "-x", "x=1", "x=", "y=2", "x=1e999", "x"), garbage);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(arg, { maxLength: 6 }), async (explain, rest) => {
        const args = explain ? ["explain", ...rest] : rest;
        const r = await run(args);
        if (args.length === 0) expect([r.code, r.err.split("\n")[0]]).toEqual([2, "Usage:"]); // no arguments: the usage
        else if (r.code !== 0) expectCleanRefusal(r, JSON.stringify(args));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("through the installed command gets the same one-line errors", () => {
    const bin = join(import.meta.dirname, "..", "bin", "chainrule.mjs");
    fc.assert(
      fc.property(
        garbage.filter((s) => !s.includes("\u0000")), // a process argument cannot hold NUL
        (source) => {
          const r = spawnSync(process.execPath, [bin, "explain", source, "x=1", "y=2"], { encoding: "utf8", timeout: 30_000 });
          expect(r.status, r.stderr).not.toBe(null);
          if (r.status !== 0) expectCleanRefusal({ code: r.status!, out: r.stdout, err: r.stderr }, JSON.stringify(source));
        },
      ),
      { seed: SEED, numRuns: 8 },
    );
  });
});
