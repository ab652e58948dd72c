/**
 * Checking what users' derivative rules return (`definePrimitive`'s `partials`/`jvp`/`vjp`,
 * and through them `customVjp`/`customJvp`): junk there would surface far from its cause, as
 * a TypeError inside the backward pass or, worse, as a silently wrong derivative.
 */
import { ChainruleError, TreeStructureError } from "../errors.js";
import { describeValue, isTracer, leakError, type Num } from "./num.js";
import { isArrayValue } from "../tree/tree.js";

/**
 * Checks one value a rule returned at `path` (e.g. `[1]`): a `Num` of an open trace. A wrong
 * count is a ChainruleError (as for `customVjp`'s `bwd`); a wrong entry a TreeStructureError at its path.
 */
function expectNum(v: unknown, who: string, rule: string, path: string, expected: string): Num {
  if (typeof v === "number") return v;
  if (!isTracer(v)) {
    throw new TreeStructureError(
      `${who}: its ${rule} rule returned ${describeValue(v)} at ${path}, where ${expected} belongs: write the rule with numbers and chainrule's ops`,
      path,
    );
  }
  if (!v._trace.active) throw leakError(v._trace, `what ${who}'s ${rule} rule returned at ${path}`);
  return v;
}

/** What a `partials` or `vjp` rule returns: one `Num` per input (`n` of them). */
export function expectNums(out: unknown, n: number, who: string, rule: string): readonly Num[] {
  const what = rule === "vjp" ? "cotangent" : "partial derivative";
  if (!isArrayValue(out) || out.length !== n) {
    throw new ChainruleError(
      `${who}: its ${rule} rule must return an array of ${n} ${what}${n === 1 ? "" : "s"} (one per input), got ${describeValue(out)}`,
    );
  }
  for (let i = 0; i < n; i++) expectNum(out[i], who, rule, `[${i}]`, `a ${what} (a Num)`);
  return out as readonly Num[];
}

/** What a `jvp` rule returns: the pair `[out, tangentOut]`; returns the tangent. */
export function expectTangentPair(out: unknown, who: string, rule: string): Num {
  if (!isArrayValue(out) || out.length !== 2) {
    throw new ChainruleError(`${who}: its ${rule} rule must return a pair [out, tangentOut], got ${describeValue(out)}`);
  }
  return expectNum(out[1], who, rule, "[1]", "the output tangent (a Num)");
}
