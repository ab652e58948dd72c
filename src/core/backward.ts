/**
 * The backward pass — the lecture notes' lesson as code. Walk the graph from the output back to the
 * inputs; each equation multiplies the cotangent arriving at its output (the upstream
 * gradient) by its local gradient to get its inputs' cotangents (the chain rule), and where a
 * value fans out the contributions are summed.
 *
 * It is one loop over the equations in reverse order — no recursion — so a graph of a million
 * operations needs no deep stack. The arithmetic goes through chainrule's ops on the values
 * one level down, so an enclosing transform records it and can differentiate it again.
 */
import type { Graph } from "./graph.js";
import { inRuleOf, nanWatch } from "./eval.js";
import type { Num } from "./num.js";
import { accumulate, addProduct, partialsOf, times } from "./rules.js";
import { ValueStore } from "./values.js";
import { ALL_PARTIALS, primitiveById, type Primitive } from "./primitive.js";

/**
 * Propagates cotangents backward through `g`. `ct[i]` holds the cotangent of variable `i`
 * (0 for none) and is updated in place; `vals[i]` is the value of variable `i`.
 */
export function backward(g: Graph, vals: ValueStore, ct: ValueStore): void {
  const primIds = g.primIds.data;
  const argStart = g.argStart.data;
  const args = g.args.data;
  const hasParams = g.params.size > 0;
  // Built-in rules read their operands and keep nothing, so one array per arity serves them all.
  const scratch1: Num[] = [0];
  const scratch2: Num[] = [0, 0];
  // Under debugNans only: 1 for each variable some product sent a cotangent to.
  const touched = nanWatch.hook === undefined ? undefined : new Uint8Array(g.size);
  const pass: Pass = { g, vals, argStart, args, hasParams, touched };
  // For debugNans, the mark says whose rule runs (see inRuleOf); one try/finally around the whole
  // loop restores it, also when a rule throws, without a call and a try per equation. The loop
  // body stays inline: it is the hot path of every eager gradient.
  const outer = nanWatch.rule;
  try {
    for (let i = g.size - 1; i >= 0; i--) {
      const c = ct.get(i);
      if (c === 0) {
        // A zero cotangent contributes zero. Under debugNans, one that some product made (not
        // "none") is checked against the local gradient it absorbs.
        if (touched !== undefined && touched[i] === 1) checkAbsorbed(pass, i, primAt(g, primIds[i]!));
        continue;
      }
      const p = primAt(g, primIds[i]!);
      const rule = p.rule;
      if (rule === "zero") continue; // inputs, and constants to differentiation
      nanWatch.rule = p; // what runs now is p's rule
      const s = argStart[i]!;
      const n = argStart[i + 1]! - s;
      let xs: Num[];
      if (p.builtin && n <= 2) {
        xs = n === 1 ? scratch1 : scratch2;
        for (let j = 0; j < n; j++) {
          const r = args[s + j]!;
          xs[j] = r >= 0 ? vals.get(r) : g.constant(r);
        }
      } else {
        xs = g.operands(i, vals);
      }
      const params = hasParams ? g.params.get(i) : undefined;
      if (rule.vjp === undefined) {
        // The local-gradient rule: each input's cotangent is upstream × local gradient.
        const d = (rule.partials ?? partialsOf(p))(xs, vals.get(i), params, neededOf(args, s, n));
        for (let j = 0; j < d.length; j++) {
          const r = args[s + j]!;
          if (r < 0) continue; // constants take no gradient
          ct.set(r, addProduct(ct.get(r), c, d[j]!));
          if (touched !== undefined) touched[r] = 1;
        }
      } else {
        const cts = rule.vjp(xs, vals.get(i), c, params);
        for (let j = 0; j < cts.length; j++) {
          const r = args[s + j]!;
          if (r < 0 || cts[j] === 0) continue; // a vjp rule's exact 0 is "none" (where's other branch)
          accumulateAt(ct, r, cts[j]!);
          if (touched !== undefined) touched[r] = 1;
        }
      }
    }
  } finally {
    nanWatch.rule = outer;
  }
}

/**
 * Under debugNans: equation `i` received cotangents that summed to exactly 0. A zero cotangent
 * absorbs any local gradient, but where that gradient is ±Infinity or NaN the true product was
 * not 0 (typically an overflow upstream, `0 · ∞`): the hook reports it, inside p's rule. Its
 * inputs receive that zero in turn, so they are checked too.
 */
function checkAbsorbed(pass: Pass, i: number, p: Primitive): void {
  if (p.rule === "zero") return;
  inRuleOf(p, localGradientCheck, pass, i, undefined, undefined);
  for (let j = pass.argStart[i]!; j < pass.argStart[i + 1]!; j++) {
    const r = pass.args[j]!;
    if (r >= 0) pass.touched![r] = 1;
  }
}

function localGradientCheck(p: Primitive, pass: Pass, i: number): void {
  const { g, vals, args, argStart } = pass;
  const s = argStart[i]!;
  const n = argStart[i + 1]! - s;
  const d = partialsOf(p)(g.operands(i, vals), vals.get(i), pass.hasParams ? g.params.get(i) : undefined, neededOf(args, s, n));
  for (let j = 0; j < d.length; j++) {
    const dj = d[j]!;
    if (args[s + j]! >= 0 && typeof dj === "number") times(0, dj); // reports 0 · ±∞ or NaN
  }
}

/** The `needed` bits of a rule call: the operands (from `s`, `n` of them) that are variables. */
function neededOf(args: ArrayLike<number>, s: number, n: number): number {
  if (n > 31) return ALL_PARTIALS;
  let needed = 0;
  for (let j = 0; j < n; j++) if (args[s + j]! >= 0) needed |= 1 << j;
  return needed;
}

/** The primitive of an equation from its id: custom functions' primitives are listed per graph (see Graph.prim). */
function primAt(g: Graph, id: number): Primitive {
  return id >= 0 ? primitiveById(id) : g.unlisted[~id]!;
}

/** What the debugNans checks of one backward pass share. */
interface Pass {
  readonly g: Graph;
  readonly vals: ValueStore;
  readonly argStart: ArrayLike<number>;
  readonly args: ArrayLike<number>;
  readonly hasParams: boolean;
  /** Under debugNans only: 1 for each variable some product sent a cotangent to. */
  readonly touched: Uint8Array | undefined;
}

/** Adds `c` to the cotangent of variable `r` (summing where a value fans out). */
function accumulateAt(ct: ValueStore, r: number, c: Num): void {
  if (c !== 0) ct.set(r, accumulate(ct.get(r), c));
}

/** Cotangents for `g`: one exact zero per variable. */
export function zeroCotangents(g: Graph): ValueStore {
  return new ValueStore(g.size);
}
