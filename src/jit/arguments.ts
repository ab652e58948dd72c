/**
 * jit's fast path between trees and its memory: argument leaves written straight into the
 * compiled graph's memory (with the structure checked on the way), and the output tree built
 * from it.
 */
import { setOwn } from "../tree/tree.js";
import { kindOf, type TreeDef } from "../tree/tree.js";

/** `fill`: the argument does not have the structure of the entry. */
export const MISMATCH = -1;
/** `fill`: a leaf is a traced value (the call is inside another transform). */
export const TRACED = -2;

/**
 * Writes the leaves of `x` (which must have structure `d`) into `m` from `off`; returns the next
 * offset, MISMATCH when the structure differs, or TRACED when a leaf is a traced value.
 */
export function fill(d: TreeDef, x: unknown, m: Float64Array, off: number): number {
  const end = off + d.numLeaves;
  if (d.kind === "leaf") {
    if (typeof x !== "number") return kindOf(x) === "leaf" ? TRACED : MISMATCH;
    m[off] = x;
    return end;
  }
  if (d.leafArray) {
    // An array of leaves: the common case (parameter vectors).
    const r = fillLeaves(d.children.length, x, m, off);
    return r < 0 ? r : end;
  }
  // Subtrees still to fill, with their values and offsets: an explicit stack (made when first
  // needed), as trees may be arbitrarily deep. Leaves and arrays of leaves are written on the spot.
  let defs: TreeDef[] | undefined;
  let xs: unknown[] | undefined;
  let offs: number[] | undefined;
  let dd = d;
  let node = x;
  let o = off;
  for (;;) {
    const children = dd.children;
    const kind = kindOf(node);
    let keys: readonly string[] | undefined;
    if (dd.kind === "array") {
      if (kind !== "array" || (node as unknown[]).length !== children.length) return MISMATCH;
    } else {
      if (kind !== "object") return MISMATCH;
      const have = Object.keys(node as object);
      keys = dd.keys;
      if (have.length !== keys.length) return MISMATCH;
      for (let i = 0; i < keys.length; i++) if (have[i] !== keys[i]) return MISMATCH;
    }
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      // Two load sites, so that each stays monomorphic (indexing arrays, keying objects).
      const v: unknown = keys === undefined ? (node as unknown[])[i] : (node as Record<string, unknown>)[keys[i]!];
      if (c.kind === "leaf") {
        if (typeof v !== "number") return kindOf(v) === "leaf" ? TRACED : MISMATCH;
        m[o] = v;
      } else if (c.leafArray) {
        const r = fillLeaves(c.children.length, v, m, o);
        if (r < 0) return r;
      } else {
        (defs ??= []).push(c);
        (xs ??= []).push(v);
        (offs ??= []).push(o);
      }
      o += c.numLeaves;
    }
    if (defs === undefined || defs.length === 0) return end;
    dd = defs.pop()!;
    node = xs!.pop();
    o = offs!.pop()!;
  }
}

/** Writes `x`, which must be an array of `n` numbers, into `m` from `off`: 0, MISMATCH or TRACED. */
function fillLeaves(n: number, x: unknown, m: Float64Array, off: number): number {
  if (kindOf(x) !== "array" || (x as unknown[]).length !== n) return MISMATCH;
  const xs = x as unknown[];
  for (let i = 0; i < n; i++) {
    const v: unknown = xs[i];
    if (typeof v !== "number") return kindOf(v) === "leaf" ? TRACED : MISMATCH;
    m[off + i] = v;
  }
  return 0;
}

/** One step of building an output tree: the steps run in order on a stack of built subtrees. */
type Step =
  /** Push the number at `slot`. */
  | { readonly op: "leaf"; readonly slot: number }
  /** Push an array of numbers, copied from `runs` (see {@link copyLeaves}). */
  | { readonly op: "leaves"; readonly template: readonly number[]; readonly runs: readonly number[] }
  /** Replace the top `n` subtrees by an array of them. */
  | { readonly op: "array"; readonly n: number }
  /** Replace the top `keys.length` subtrees by an object with them at `keys`. */
  | { readonly op: "object"; readonly keys: readonly string[] };

/** The step that copies an array of numbers from the memory at `slots`. */
function leavesStep(slots: Int32Array): Step {
  // Copied from a template of doubles and overwritten, which V8 does faster than push (~3×) or
  // new Array(n) (which changes element kind on the first double).
  const template = Array.from(slots, () => 0.5);
  // Copied in runs of slots with a constant step (a gradient is usually a few such runs).
  const runs: number[] = []; // triples: first index, base slot, step
  for (let i = 0; i < slots.length; ) {
    const step = i + 1 < slots.length ? slots[i + 1]! - slots[i]! : 1;
    let j = i + 1;
    while (j < slots.length && slots[j]! - slots[j - 1]! === step) j++;
    runs.push(i, slots[i]!, step);
    i = j;
  }
  runs.push(slots.length, 0, 0);
  return { op: "leaves", template, runs };
}

function copyLeaves(s: { readonly template: readonly number[]; readonly runs: readonly number[] }, m: Float64Array): number[] {
  const a = s.template.slice();
  const runs = s.runs;
  for (let r = 0; r + 3 < runs.length; r += 3) {
    const end = runs[r + 3]!;
    const step = runs[r + 2]!;
    for (let i = runs[r]!, slot = runs[r + 1]!; i < end; i++, slot += step) a[i] = m[slot]!;
  }
  return a;
}

/**
 * A function that builds the output tree of structure `def` from the memory at `slots`: a flat
 * list of steps run on a stack (never nested calls, so any depth works), with arrays of numbers
 * copied in one step.
 */
export function outputBuilder(def: TreeDef, slots: Int32Array): (m: Float64Array) => unknown {
  if (def.kind === "leaf") {
    const s = slots[0]!;
    return (m) => m[s];
  }
  if (def.leafArray) {
    const step = leavesStep(slots) as Extract<Step, { op: "leaves" }>;
    return (m) => copyLeaves(step, m);
  }
  const steps: Step[] = [];
  let k = 0;
  // Post-order walk with an explicit stack: a node's step comes after its children's.
  const defs: TreeDef[] = [def];
  const next: number[] = [0];
  while (defs.length > 0) {
    const top = defs.length - 1;
    const d = defs[top]!;
    const i = next[top]!;
    if (i === d.children.length) {
      defs.pop();
      next.pop();
      steps.push(d.kind === "array" ? { op: "array", n: d.children.length } : { op: "object", keys: d.keys });
      continue;
    }
    next[top] = i + 1;
    const c = d.children[i]!;
    if (c.kind === "leaf") steps.push({ op: "leaf", slot: slots[k++]! });
    else if (c.leafArray) {
      steps.push(leavesStep(slots.subarray(k, k + c.numLeaves)));
      k += c.numLeaves;
    } else {
      defs.push(c);
      next.push(0);
    }
  }
  return (m) => {
    const built: unknown[] = [];
    for (let j = 0; j < steps.length; j++) {
      const s = steps[j]!;
      switch (s.op) {
        case "leaf":
          built.push(m[s.slot]);
          break;
        case "leaves":
          built.push(copyLeaves(s, m));
          break;
        case "array":
          built.push(built.splice(built.length - s.n, s.n));
          break;
        case "object": {
          const o: Record<string, unknown> = {};
          const base = built.length - s.keys.length;
          for (let i = 0; i < s.keys.length; i++) {
            const key = s.keys[i]!;
            setOwn(o, key, built[base + i]); // a key named __proto__ stays an own property
          }
          built.length = base;
          built.push(o);
          break;
        }
      }
    }
    return built[0];
  };
}
