/**
 * A small, safe parser for the arithmetic expressions of the command line (`chainrule explain
 * "(x + y) * z" x=-2 y=5 z=-4`): a hand-written tokenizer and recursive-descent parser — no
 * `eval`, no `Function` — that builds a function over `Num` with chainrule's primitives.
 *
 *     expr    := term (("+" | "-") term)*
 *     term    := unary (("*" | "/") unary)*
 *     unary   := ("-" | "+") unary | power
 *     power   := primary (("^" | "**") unary)?          right-associative; -x^2 = -(x^2)
 *     primary := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
 *
 * Calls are limited to an allow-list of chainrule's primitives (`exp`, `sigmoid`, `max`, …).
 * Every error says what was wrong and at which column, with a caret line to print under the
 * expression.
 */
import type { Num } from "../core/num.js";
import { add, div, mul, neg, pow, sub } from "../primitives/arithmetic.js";
import { PRIMITIVES } from "../primitives/index.js";

/**
 * The functions an expression may call, by name, with their number of arguments: every
 * primitive over single numbers (those over arrays are left out: an expression has no arrays).
 * A null-prototype object, so that names such as `constructor` or `__proto__` are simply unknown.
 */
export const FUNCTIONS: Readonly<Record<string, { readonly arity: 1 | 2 | 3; readonly fn: (...xs: Num[]) => Num }>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, never>,
    Object.fromEntries(PRIMITIVES.flatMap((p) => (p.arity === "n" ? [] : [[p.name, { arity: p.arity, fn: p.fn }]]))),
  ),
);

/** A parse error: a message and the (1-based) column and width it points at. */
export class ExprError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly width = 1,
  ) {
    super(message);
    this.name = "ExprError";
  }

  /**
   * The message, then the expression with a caret line under the offending column. A long
   * expression is shown as a window around the column, marked with "…" where it is cut.
   */
  explain(source: string): string {
    const at = Math.max(0, this.column - 1);
    let start = 0;
    let end = source.length;
    if (source.length > WINDOW) {
      start = Math.max(0, Math.min(at - WINDOW / 2, source.length - WINDOW));
      end = start + WINDOW;
    }
    const before = start > 0 ? "…" : "";
    const after = end < source.length ? "…" : "";
    const caret = " ".repeat(before.length + at - start) + "^".repeat(Math.max(1, Math.min(this.width, end - at)));
    return `${this.message} (column ${this.column})\n  ${before}${printable(source.slice(start, end))}${after}\n  ${caret}`;
  }
}

/** How many characters of a long expression an error shows around its column. */
const WINDOW = 80;

/**
 * The text with every character that would not print as itself on one line replaced by one
 * visible character (so the caret line stays aligned): whitespace by a space, other control
 * characters by their Unicode control picture (␁), C1 controls, bidirectional-text controls
 * and unpaired surrogates by U+FFFD.
 */
export function printable(text: string): string {
  return text.replace(
    /[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => {
      const code = c.charCodeAt(0);
      if (c === "\t" || c === "\n" || c === "\r") return " ";
      if (code < 0x20) return String.fromCharCode(0x2400 + code);
      return code === 0x7f ? "\u2421" : "\ufffd";
    },
  );
}

/** A name or token for an error message: in full up to 40 characters, else its start and "…". */
export function shorten(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 40)}…`;
}

/** A node of the expression tree; `pos` is the 0-based offset of its first character. */
export type Expr =
  | { readonly kind: "number"; readonly value: number; readonly pos: number }
  | { readonly kind: "var"; readonly name: string; readonly pos: number }
  | { readonly kind: "neg"; readonly arg: Expr; readonly pos: number }
  | { readonly kind: "binary"; readonly op: "+" | "-" | "*" | "/" | "^"; readonly left: Expr; readonly right: Expr; readonly pos: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[]; readonly pos: number };

type Token =
  | { readonly kind: "number"; readonly value: number; readonly text: string; readonly pos: number }
  | { readonly kind: "name"; readonly text: string; readonly pos: number }
  | { readonly kind: "op"; readonly text: "+" | "-" | "*" | "/" | "^" | "(" | ")" | ","; readonly pos: number }
  | { readonly kind: "end"; readonly text: ""; readonly pos: number };

const MAX_LENGTH = 10_000;
const MAX_DEPTH = 200;

// Sticky (`y`): they match at `lastIndex` only, so a token is read whole wherever it is, with
// no copy of the rest of the source.
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Splits the source into tokens. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_LENGTH) throw new ExprError(`the expression is too long (at most ${MAX_LENGTH} characters)`, MAX_LENGTH + 1);
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(source);
    if (num) {
      const text = num[0];
      const after = source[i + text.length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new ExprError(`a number cannot run into a name: "${shorten(text)}${after}…" (write ${shorten(text)} * ${after}… for a product)`, i + 1, text.length + 1);
      }
      const value = Number(text);
      if (value === Infinity) {
        throw new ExprError(`the number ${shorten(text)} is too large: numbers must be at most about 1.8e308`, i + 1, text.length);
      }
      tokens.push({ kind: "number", value, text, pos: i });
      i += text.length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ kind: "name", text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (c === "*" && source[i + 1] === "*") {
      tokens.push({ kind: "op", text: "^", pos: i });
      i += 2;
      continue;
    }
    if ("+-*/^(),".includes(c)) {
      tokens.push({ kind: "op", text: c as "+", pos: i });
      i++;
      continue;
    }
    const shown = /[\x20-\x7e]/.test(c) ? `"${c}"` : `U+${source.codePointAt(i)!.toString(16).toUpperCase().padStart(4, "0")}`;
    const hint = c === "\ufffd" ? " (often a byte that is not valid UTF-8)" : "";
    throw new ExprError(`unexpected character ${shown}${hint}: expressions use numbers, names, + - * / ^ ( ) and commas`, i + 1);
  }
  tokens.push({ kind: "end", text: "", pos: source.length });
  return tokens;
}

/** Parses an expression; throws {@link ExprError} pointing at the column of the problem. */
export function parseExpr(source: string): Expr {
  const tokens = tokenize(source);
  let k = 0;
  let depth = 0;
  const peek = () => tokens[k]!;
  const isOp = (t: Token, text: string) => t.kind === "op" && t.text === text;
  const describe = (t: Token) => (t.kind === "end" ? "the end of the expression" : `"${shorten(t.text)}"`);

  const enter = (pos: number) => {
    if (++depth > MAX_DEPTH) throw new ExprError(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`, pos + 1);
  };

  const expr = (): Expr => {
    let left = term();
    for (;;) {
      const t = peek();
      if (!isOp(t, "+") && !isOp(t, "-")) return left;
      k++;
      left = { kind: "binary", op: t.text as "+" | "-", left, right: term(), pos: t.pos };
    }
  };
  const term = (): Expr => {
    let left = unary();
    for (;;) {
      const t = peek();
      if (!isOp(t, "*") && !isOp(t, "/")) return left;
      k++;
      left = { kind: "binary", op: t.text as "*" | "/", left, right: unary(), pos: t.pos };
    }
  };
  const unary = (): Expr => {
    const t = peek();
    if (isOp(t, "-") || isOp(t, "+")) {
      k++;
      enter(t.pos);
      const arg = unary();
      depth--;
      return t.text === "-" ? { kind: "neg", arg, pos: t.pos } : arg;
    }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    const t = peek();
    if (!isOp(t, "^")) return base;
    k++;
    enter(t.pos);
    const exponent = unary();
    depth--;
    return { kind: "binary", op: "^", left: base, right: exponent, pos: t.pos };
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.kind === "number") {
      k++;
      return { kind: "number", value: t.value, pos: t.pos };
    }
    if (t.kind === "name") {
      k++;
      if (!isOp(peek(), "(")) return { kind: "var", name: t.text, pos: t.pos };
      const open = peek();
      k++;
      enter(open.pos);
      const spec = Object.hasOwn(FUNCTIONS, t.text) ? FUNCTIONS[t.text] : undefined;
      if (spec === undefined) {
        throw new ExprError(`unknown function ${shorten(t.text)}: the functions are ${Object.keys(FUNCTIONS).join(", ")}`, t.pos + 1, t.text.length);
      }
      const args: Expr[] = [];
      if (!isOp(peek(), ")")) {
        for (;;) {
          args.push(expr());
          if (!isOp(peek(), ",")) break;
          k++;
        }
      }
      const close = peek();
      if (!isOp(close, ")")) {
        if (close.kind === "end") throw new ExprError(`missing ")" to close the "(" of ${t.text}(`, open.pos + 1);
        throw new ExprError(`expected "," or ")" in the call of ${t.text}, got ${describe(close)}`, close.pos + 1, Math.max(1, close.text.length));
      }
      k++;
      depth--;
      if (args.length !== spec.arity) {
        throw new ExprError(
          `${t.text} takes ${spec.arity} argument${spec.arity === 1 ? "" : "s"}, got ${args.length}`,
          t.pos + 1,
          close.pos - t.pos + 1,
        );
      }
      return { kind: "call", name: t.text, args, pos: t.pos };
    }
    if (isOp(t, "(")) {
      k++;
      enter(t.pos);
      const inner = expr();
      const close = peek();
      if (!isOp(close, ")")) {
        if (close.kind === "end") throw new ExprError('missing ")" to close this "("', t.pos + 1);
        throw new ExprError(`expected ")" or an operator, got ${describe(close)}`, close.pos + 1, Math.max(1, close.text.length));
      }
      k++;
      depth--;
      return inner;
    }
    if (t.kind === "end") throw new ExprError("the expression ended where a number, a name or ( was expected", t.pos + 1);
    throw new ExprError(`expected a number, a name or (, got ${describe(t)}`, t.pos + 1, Math.max(1, t.text.length));
  };

  const tree = expr();
  const rest = peek();
  if (rest.kind !== "end") {
    if (isOp(rest, ")")) throw new ExprError('unbalanced ")": there is no "(" for it to close', rest.pos + 1);
    throw new ExprError(`expected an operator (+ - * / ^) or the end, got ${describe(rest)}`, rest.pos + 1, Math.max(1, rest.text.length));
  }
  return tree;
}

/** The variables of an expression, in order of first appearance, with that position. */
export function variablesOf(e: Expr): Map<string, number> {
  const out = new Map<string, number>();
  const stack: Expr[] = [e];
  const found: { name: string; pos: number }[] = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === "var") found.push({ name: n.name, pos: n.pos });
    else if (n.kind === "neg") stack.push(n.arg);
    else if (n.kind === "binary") stack.push(n.right, n.left);
    else if (n.kind === "call") for (const a of n.args) stack.push(a);
  }
  found.sort((a, b) => a.pos - b.pos);
  for (const { name, pos } of found) if (!out.has(name)) out.set(name, pos);
  return out;
}

const BINARY: Record<"+" | "-" | "*" | "/" | "^", (x: Num, y: Num) => Num> = { "+": add, "-": sub, "*": mul, "/": div, "^": pow };

/**
 * Evaluates an expression with chainrule's primitives (so any transform can trace it), left
 * operand before right as written. The walk keeps its own stack: a chain such as `x+x+…+x` is
 * a tree thousands of levels deep.
 */
export function evaluateExpr(e: Expr, env: Readonly<Record<string, Num>>): Num {
  const values: Num[] = [];
  // `ready`: the operands' values are on top of `values`, in order.
  const todo: { readonly e: Expr; readonly ready: boolean }[] = [{ e, ready: false }];
  while (todo.length > 0) {
    const { e: n, ready } = todo.pop()!;
    if (n.kind === "number") values.push(n.value);
    else if (n.kind === "var") {
      if (!Object.hasOwn(env, n.name)) throw new ExprError(`no value for ${shorten(n.name)}`, n.pos + 1, n.name.length);
      values.push(env[n.name]!);
    } else if (!ready) {
      todo.push({ e: n, ready: true });
      if (n.kind === "neg") todo.push({ e: n.arg, ready: false });
      else if (n.kind === "binary") todo.push({ e: n.right, ready: false }, { e: n.left, ready: false });
      else for (let j = n.args.length - 1; j >= 0; j--) todo.push({ e: n.args[j]!, ready: false });
    } else if (n.kind === "neg") values.push(neg(values.pop()!));
    else if (n.kind === "binary") {
      const right = values.pop()!;
      values.push(BINARY[n.op](values.pop()!, right));
    } else {
      const spec = Object.hasOwn(FUNCTIONS, n.name) ? FUNCTIONS[n.name] : undefined;
      if (spec === undefined || spec.arity !== n.args.length) throw new ExprError(`no function ${shorten(n.name)} of ${n.args.length} arguments`, n.pos + 1, n.name.length);
      const xs = values.splice(values.length - spec.arity);
      values.push(spec.arity === 1 ? spec.fn(xs[0]!) : spec.arity === 2 ? spec.fn(xs[0]!, xs[1]!) : spec.fn(xs[0]!, xs[1]!, xs[2]!));
    }
  }
  return values[0]!;
}
