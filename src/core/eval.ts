/**
 * Evaluating a primitive on plain numbers — the bottom of every stack of traces — and the one
 * hook `debugNans` uses to watch it.
 */
import type { Primitive } from "./primitive.js";

/**
 * `hook` is called when a primitive evaluated on numbers produced NaN, while `debugNans` is
 * active; `undefined` otherwise, so that outside `debugNans` the check costs one comparison.
 * `rule` is the primitive whose derivative rule is running (set only by {@link inRuleOf}),
 * so that the hook can say where it was.
 */
export const nanWatch: {
  hook: ((prim: Primitive, xs: readonly number[], out: number) => void) | undefined;
  rule: Primitive | undefined;
} = {
  hook: undefined,
  rule: undefined,
};

/**
 * Runs `body(p, a, b, c, d)` as part of the derivative rule of `p`: for `debugNans`, `nanWatch.rule`
 * is `p` meanwhile, and the previous mark is restored afterwards — also when the rule throws, so
 * that a rule that failed is never blamed for a later NaN. The one place the mark is set.
 */
export function inRuleOf<A, B, C, D, R>(
  p: Primitive,
  body: (p: Primitive, a: A, b: B, c: C, d: D) => R,
  a: A,
  b: B,
  c: C,
  d: D,
): R {
  const outer = nanWatch.rule;
  nanWatch.rule = p;
  try {
    return body(p, a, b, c, d);
  } finally {
    nanWatch.rule = outer;
  }
}

/** Evaluates `prim` on numbers. */
export function evalPrimitive(prim: Primitive, xs: readonly number[]): number {
  const f = prim.impl;
  // Direct calls for the common arities: a spread call is several times slower.
  const out = xs.length === 1 ? f(xs[0]!) : xs.length === 2 ? f(xs[0]!, xs[1]!) : f(...xs);
  if (out !== out && nanWatch.hook !== undefined) nanWatch.hook(prim, xs, out);
  return out;
}

/** `evalPrimitive` for one input, without an array. */
export function evalPrimitive1(prim: Primitive, x: number): number {
  const out = prim.impl(x);
  if (out !== out && nanWatch.hook !== undefined) nanWatch.hook(prim, [x], out);
  return out;
}

/** `evalPrimitive` for two inputs, without an array. */
export function evalPrimitive2(prim: Primitive, x: number, y: number): number {
  const out = prim.impl(x, y);
  if (out !== out && nanWatch.hook !== undefined) nanWatch.hook(prim, [x, y], out);
  return out;
}
