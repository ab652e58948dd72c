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
import type { Num } from "./num.js";
import { accumulate, vjpCotangents } from "./rules.js";

/**
 * Propagates cotangents backward through `g`. `ct[i]` holds the cotangent of variable `i`
 * (0 for none) and is updated in place; `vals[i]` is the value of variable `i`.
 */
export function backward(g: Graph, vals: readonly Num[], ct: Num[]): void {
  const prims = g.prims;
  const argStart = g.argStart.data;
  const args = g.args.data;
  const hasParams = g.params.size > 0;
  for (let i = g.size - 1; i >= 0; i--) {
    const c = ct[i]!;
    if (c === 0) continue; // a zero cotangent contributes zero
    const p = prims[i]!;
    if (p.rule === "zero") continue; // inputs, and constants to differentiation
    const xs = g.operands(i, vals);
    const cts = vjpCotangents(p, xs, vals[i]!, c, hasParams ? g.params.get(i) : undefined);
    const s = argStart[i]!;
    for (let j = 0; j < cts.length; j++) {
      const r = args[s + j]!;
      if (r < 0) continue; // a constant operand takes no gradient
      const cj = cts[j]!;
      if (cj !== 0) ct[r] = accumulate(ct[r]!, cj);
    }
  }
}

/** A cotangent array for `g`: one exact zero per variable. */
export function zeroCotangents(g: Graph): Num[] {
  return new Array<Num>(g.size).fill(0);
}
