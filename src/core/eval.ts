/**
 * Evaluating a primitive on plain numbers — the bottom of every stack of traces — and the one
 * hook `debugNans` uses to watch it.
 */
import { ChainruleError } from "../errors.js";
import type { Primitive } from "./primitive.js";

/**
 * `hook` is called, while `debugNans` is active, when a primitive evaluated on numbers produced
 * NaN — and when a chain-rule product (`scale` with a {@link ChainProduct} as params, or one
 * computed inline in `rules.ts`) gave 0: a zero factor may have absorbed an infinite or NaN one,
 * which the hook checks. It is `undefined` otherwise, so that outside `debugNans` the check
 * costs one comparison.
 * `rule` is the primitive whose derivative rule is running (set only by {@link inRuleOf}),
 * so that the hook can say where it was.
 */
export const nanWatch: {
  hook: ((prim: Primitive, xs: readonly number[], out: number, product?: ChainProduct) => void) | undefined;
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

/**
 * The params of a `scale` that is a step of the chain rule — a cotangent or tangent times a local
 * gradient of `rule` — given only while `debugNans` is active, so that its check can tell it
 * from a rule's own deliberate `0 · ∞ = 0` (`pow`'s derivative of x⁰) and name the rule, also
 * in a staged graph. One per rule ({@link chainProduct}), so equal steps stay equal for `reroll`.
 */
export class ChainProduct {
  constructor(readonly rule: Primitive | undefined) {}
}

const products = new Map<Primitive | undefined, ChainProduct>();

/** The {@link ChainProduct} of `rule`. */
export function chainProduct(rule: Primitive | undefined): ChainProduct {
  let p = products.get(rule);
  if (p === undefined) products.set(rule, (p = new ChainProduct(rule)));
  return p;
}

/** Evaluates `prim` (with `params`, if it has any) on numbers. */
export function evalPrimitive(prim: Primitive, xs: readonly number[], params?: unknown): number {
  const f = prim.impl;
  // Direct calls for the common arities: a spread call is several times slower.
  const out = xs.length === 1 ? f(xs[0]!) : xs.length === 2 ? f(xs[0]!, xs[1]!) : applyImpl(prim, xs);
  if (nanWatch.hook !== undefined && (out !== out || (out === 0 && params instanceof ChainProduct))) {
    nanWatch.hook(prim, xs, out, params instanceof ChainProduct ? params : undefined);
  }
  return out;
}

/** Whether `c · d` is a product where a zero factor absorbs one that is ±Infinity or NaN. */
export function absorbs(c: number, d: number): boolean {
  return (c === 0 && d - d !== 0) || (d === 0 && c - c !== 0); // x - x is 0 exactly for finite x
}

/**
 * Most inputs passed to an `impl` as separate arguments: engines put arguments on the stack,
 * and V8's default stack overflows somewhere above 100 000.
 */
export const MAX_SPREAD_ARGS = 50_000;

/**
 * `prim`'s value at `xs`, for any number of inputs: through `implArray` when the primitive has
 * one (the variadic built-ins), otherwise by spreading `xs` into `impl` (user primitives).
 * @throws {@link ChainruleError} when a user primitive is given more inputs than a call can take.
 */
export function applyImpl(prim: Primitive, xs: ArrayLike<number>): number {
  if (prim.implArray !== undefined) return prim.implArray(xs);
  if (xs.length > MAX_SPREAD_ARGS) {
    throw new ChainruleError(
      `${prim.name}: ${xs.length} inputs are more than a primitive whose impl takes its inputs as separate arguments can be given (at most ${MAX_SPREAD_ARGS}); ` +
        "split the computation into smaller primitives, or use sum, dot or logSumExp, which take any number",
    );
  }
  return prim.impl(...Array.from(xs)); // bounded just above: safe to spread
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
