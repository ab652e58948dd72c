/**
 * The strategy without generated code: runs a compiled graph's equations one at a time on the
 * same memory layout as the generated code (so both give the same results). Used where the
 * runtime forbids `new Function` (a Content-Security-Policy without 'unsafe-eval') and for graphs
 * too large and irregular for code generation to pay off.
 */
import { absorbs, applyImpl, ChainProduct } from "../core/eval.js";
import { INPUT, SLOT, type Graph } from "../core/graph.js";
import { SCALE } from "../primitives/arithmetic.js";

/** Runs `g` on `m` one equation at a time (no code generation). */
export function interpretGraph(
  g: Graph,
  onNan: (v: number) => Error,
  onAbsorb: (v: number, c: number, d: number) => Error,
): (m: Float64Array) => void {
  const n = g.size;
  const first = g.inputs.length;
  const prims = g.primitives();
  const impls = prims.map((p) => (p === INPUT ? undefined : p.impl));
  const st = g.argStart.toInt32Array().subarray(0, n + 1);
  const sl = g.args.toInt32Array().map((r) => (r >= 0 ? r : n + ~r));
  const check = g.checkNans;
  // The chain-rule products that a checked graph checks for an absorbed ±Infinity or NaN.
  const products = new Set<number>();
  if (check) for (let v = first; v < n; v++) if (prims[v] === SCALE && g.params.get(v) instanceof ChainProduct) products.add(v);
  // Primitives with several outputs (loops): one call writes all their outputs; their slots are skipped.
  const multi = new Map<number, (m: Float64Array) => void>();
  for (const [v, width] of g.widths) {
    const rules = prims[v]!.multi!;
    const params = g.params.get(v);
    multi.set(v, (m) => {
      const xs = new Array<number>(st[v + 1]! - st[v]!);
      for (let j = 0; j < xs.length; j++) xs[j] = m[sl[st[v]! + j]!]!;
      const outs = rules.evaluate(xs, params);
      for (let k = 0; k < width; k++) {
        if (check && outs[k] !== outs[k]) throw onNan(v + k);
        m[v + k] = outs[k]!;
      }
    });
  }
  return (m) => {
    for (let v = first; v < n; v++) {
      if (multi.size > 0 && (prims[v] === SLOT || multi.has(v))) {
        multi.get(v)?.(m);
        continue;
      }
      const f = impls[v]!;
      const s = st[v]!;
      let x: number;
      switch (st[v + 1]! - s) {
        case 0:
          x = f();
          break;
        case 1:
          x = f(m[sl[s]!]!);
          break;
        case 2:
          x = f(m[sl[s]!]!, m[sl[s + 1]!]!);
          break;
        case 3:
          x = f(m[sl[s]!]!, m[sl[s + 1]!]!, m[sl[s + 2]!]!);
          break;
        default: {
          const xs = new Array<number>(st[v + 1]! - s);
          for (let j = 0; j < xs.length; j++) xs[j] = m[sl[s + j]!]!;
          x = applyImpl(prims[v]!, xs);
        }
      }
      if (check && (x !== x || x === 0)) {
        if (x !== x) throw onNan(v);
        if (products.has(v) && absorbs(m[sl[s]!]!, m[sl[s + 1]!]!)) throw onAbsorb(v, m[sl[s]!]!, m[sl[s + 1]!]!);
      }
      m[v] = x;
    }
  };
}
