/**
 * The forward (JVP) and reverse (VJP) rules of a primitive, derived from the rules it states.
 *
 * From a local gradient `∂ = partials(xs, out)`:
 *   JVP: tangentOut = Σᵢ ∂ᵢ · tᵢ        VJP: ctᵢ = ct · ∂ᵢ
 * From a VJP alone (scalar output): ∂ = vjp(xs, out, 1).
 * From a JVP alone: ∂ᵢ = jvp(xs, out, eᵢ) (one call per input).
 *
 * Products go through `scale`, so a zero tangent or cotangent contributes zero even where the
 * local gradient is NaN or infinite (the branch `where` discarded), and a local gradient of
 * exactly 0 or 1 adds no work at all. Under `debugNans` a product where that zero absorbed an
 * infinite or NaN factor is reported: it is also how an overflow turns a gradient into a
 * finite wrong value (`0 · ∞` from `1 / exp(1000)`).
 */
import { absorbs, chainProduct, inRuleOf, nanWatch } from "./eval.js";
import { bind } from "./trace.js";
import type { Num } from "./num.js";
import { ALL_PARTIALS, type PartialsRule, type Primitive, type RuleSet } from "./primitive.js";
import { add, neg, scale, SCALE } from "../primitives/arithmetic.js";
import { sumOfNonzero } from "../primitives/reductions.js";

const derivedPartials = new WeakMap<Primitive, PartialsRule>();

/** The local gradient of `p`, stated or derived. */
export function partialsOf(p: Primitive): PartialsRule {
  const rule = p.rule;
  if (rule === "zero") return (xs) => xs.map(() => 0);
  if (rule.partials !== undefined) return rule.partials;
  let d = derivedPartials.get(p);
  if (d === undefined) {
    const { vjp, jvp } = rule;
    if (vjp !== undefined) {
      d = (xs, out, params) => vjp(xs, out, 1, params);
    } else {
      const jvpRule = jvp!;
      d = (xs, out, params) =>
        xs.map((_, i) => jvpRule(xs, out, xs.map((__, j) => (i === j ? 1 : 0)), params));
    }
    derivedPartials.set(p, d);
  }
  return d;
}

/**
 * `c · d` for a (co)tangent `c` and a local gradient `d`, without work where either is 0 or ±1.
 * A zero on either side gives 0 even against ±Infinity or NaN; under `debugNans` that is
 * reported (the hook gets `scale(c, d) = 0`), since the true product was not 0.
 */
export function times(c: Num, d: Num): Num {
  if (nanWatch.hook !== undefined) {
    if (typeof c === "number" && typeof d === "number") {
      if (absorbs(c, d)) nanWatch.hook(SCALE, [c, d], 0);
    } else if (d !== 1 && d !== 0 && d !== -1 && c !== 1 && c !== -1) {
      return bind(SCALE, [c, d], chainProduct(nanWatch.rule)); // checked where its value is known (eval.ts, jit)
    }
  }
  if (d === 1) return c;
  if (d === 0) return 0;
  if (d === -1) return neg(c);
  if (c === 1) return d;
  if (c === -1) return neg(d);
  return scale(c, d);
}

/** The output tangent of `p` at `xs` (with value `out`) for input tangents `ts` (0 = none). */
export function jvpTangent(p: Primitive, xs: readonly Num[], out: Num, ts: readonly Num[], params: unknown): Num {
  if (p.rule === "zero") return 0;
  return inRuleOf(p, ruleTangent, xs, out, ts, params); // for debugNans: "inside the rule of p"
}

function ruleTangent(p: Primitive, xs: readonly Num[], out: Num, ts: readonly Num[], params: unknown): Num {
  const rule = p.rule as RuleSet; // not "zero": jvpTangent checked
  if (rule.jvp !== undefined) return rule.jvp(xs, out, ts, params);
  let needed = 0;
  for (let i = 0; i < ts.length && i < 31; i++) if (ts[i] !== 0) needed |= 1 << i;
  const d = partialsOf(p)(xs, out, params, ts.length > 31 ? ALL_PARTIALS : needed);
  const terms: Num[] = [];
  for (let i = 0; i < ts.length; i++) {
    const ti = ts[i]!;
    if (ti !== 0) terms.push(times(ti, d[i]!));
  }
  return terms.length === 2 ? accumulate(terms[0]!, terms[1]!) : sumOfNonzero(terms);
}

/** `acc + c`, where either may be an exact zero. */
export function accumulate(acc: Num, c: Num): Num {
  if (acc === 0) return c;
  if (c === 0) return acc;
  return add(acc, c);
}

/**
 * `acc + c·d`: one step of the chain rule (a cotangent `c` times a local gradient `d`, summed
 * where a value fans out), with the arithmetic of `times` and `accumulate`. On plain numbers —
 * every step of a first-order backward pass — it is computed inline; a NaN result goes through
 * the ops instead, so that `debugNans` sees which primitive made it.
 */
export function addProduct(acc: Num, c: Num, d: Num): Num {
  if (typeof acc === "number" && typeof c === "number" && typeof d === "number") {
    const sum = acc + (c === 0 || d === 0 ? 0 : c * d);
    if (nanWatch.hook === undefined || (sum === sum && !absorbs(c, d))) return sum;
  }
  return accumulate(acc, times(c, d));
}
