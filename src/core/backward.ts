/**
 * The backward pass — the seed's lesson as code. Walk the graph from the output back to the
 * inputs; each equation multiplies the cotangent arriving at its output (the upstream
 * gradient) by its local gradient to get its inputs' cotangents (the chain rule), and where a
 * value fans out the contributions are summed.
 *
 * It is one loop over the equations in reverse order — no recursion — so a graph of a million
 * operations needs no deep stack. The arithmetic goes through chainrule's ops on the values
 * one level down, so an enclosing transform records it and can differentiate it again.
 */
import type { Graph } from "./graph.js";
import { inRuleOf } from "./eval.js";
import type { Num } from "./num.js";
import { accumulate, addProduct, partialsOf } from "./rules.js";
import { ValueStore } from "./values.js";
import { ALL_PARTIALS, primitiveById, type Primitive, type RuleSet } from "./primitive.js";

/**
 * Propagates cotangents backward through `g`. `ct[i]` holds the cotangent of variable `i`
 * (0 for none) and is updated in place; `vals[i]` is the value of variable `i`.
 */
export function backward(g: Graph, vals: ValueStore, ct: ValueStore): void {
  const primIds = g.primIds.data;
  const pass: Pass = {
    g,
    vals,
    ct,
    argStart: g.argStart.data,
    args: g.args.data,
    hasParams: g.params.size > 0,
    // Built-in rules read their operands and keep nothing, so one array per arity serves them all.
    scratch1: [0],
    scratch2: [0, 0],
  };
  for (let i = g.size - 1; i >= 0; i--) {
    const c = ct.get(i);
    if (c === 0) continue; // a zero cotangent contributes zero
    const p = primitiveById(primIds[i]!);
    if (p.rule === "zero") continue; // inputs, and constants to differentiation
    inRuleOf(p, step, pass, i, c, undefined); // for debugNans: what runs now is p's rule
  }
}

/** What every step of one backward pass shares. */
interface Pass {
  readonly g: Graph;
  readonly vals: ValueStore;
  readonly ct: ValueStore;
  readonly argStart: ArrayLike<number>;
  readonly args: ArrayLike<number>;
  readonly hasParams: boolean;
  readonly scratch1: Num[];
  readonly scratch2: Num[];
}

/** One step of the chain rule: equation `i` (primitive `p`, cotangent `c`) sends cotangents to its inputs. */
function step(p: Primitive, pass: Pass, i: number, c: Num): void {
  const { g, vals, ct, argStart, args } = pass;
  const rule = p.rule as RuleSet; // not "zero": backward skips those
  const s = argStart[i]!;
  const n = argStart[i + 1]! - s;
  let xs: Num[];
  if (p.builtin && n <= 2) {
    xs = n === 1 ? pass.scratch1 : pass.scratch2;
    for (let j = 0; j < n; j++) {
      const r = args[s + j]!;
      xs[j] = r >= 0 ? vals.get(r) : g.constant(r);
    }
  } else {
    xs = g.operands(i, vals);
  }
  const params = pass.hasParams ? g.params.get(i) : undefined;
  if (rule.vjp === undefined) {
    // The seed's rule: each input's cotangent is upstream × local gradient.
    let needed = n > 31 ? ALL_PARTIALS : 0;
    for (let j = 0; j < n && j < 31; j++) if (args[s + j]! >= 0) needed |= 1 << j;
    const d = (rule.partials ?? partialsOf(p))(xs, vals.get(i), params, needed);
    for (let j = 0; j < d.length; j++) {
      const r = args[s + j]!;
      if (r >= 0) ct.set(r, addProduct(ct.get(r), c, d[j]!)); // constants take no gradient
    }
  } else {
    const cts = rule.vjp(xs, vals.get(i), c, params);
    for (let j = 0; j < cts.length; j++) {
      const r = args[s + j]!;
      if (r >= 0) accumulateAt(ct, r, cts[j]!);
    }
  }
}

/** Adds `c` to the cotangent of variable `r` (summing where a value fans out). */
function accumulateAt(ct: ValueStore, r: number, c: Num): void {
  if (c !== 0) ct.set(r, accumulate(ct.get(r), c));
}

/** Cotangents for `g`: one exact zero per variable. */
export function zeroCotangents(g: Graph): ValueStore {
  return new ValueStore(g.size);
}
