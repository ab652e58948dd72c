/**
 * The graph IR: inputs, equations, outputs. Reverse mode records one as it runs (its tape),
 * `makeGraph` and `jit` stage one, and `explain` annotates one with values and gradients.
 *
 * Storage is flat and lives in typed arrays, so that a graph of a million equations stays
 * small and costs the garbage collector nothing: equation `i` defines variable `i`; its
 * primitive is `prim(i)` and its operands are `args.data[argStart.data[i] .. argStart.data[i+1])`.
 * An operand `r >= 0` is variable `r`; `r < 0` is a constant, `constant(r)` (a number, or a
 * value of an enclosing transform).
 */
import { ChainruleError } from "../errors.js";
import type { Num } from "./num.js";
import { anonymousPrimitive, primitiveById, shownName, type Primitive } from "./primitive.js";
import { TYPED_FROM, ValueStore } from "./values.js";
import { giveInt32, takeInt32 } from "./pool.js";
import { graphToDot, graphToString, type DotOptions } from "./print.js";
import { bind, bindMulti, refuseLeaks } from "./trace.js";
import type { TreeDef } from "../tree/tree.js";

/** The pseudo-primitive of input variables. */
export const INPUT: Primitive = anonymousPrimitive({
  name: "input",
  arity: 0,
  impl: () => {
    throw new ChainruleError("an input variable has no implementation");
  },
  rule: "zero",
  emit: undefined,
});

/**
 * The pseudo-primitive of the second and later outputs of a primitive with several outputs: an
 * equation `i` of such a primitive (its head) defines variables `i .. i + width - 1`; entries
 * `i + 1 ..` are slots (no operands), filled by the head.
 */
export const SLOT: Primitive = anonymousPrimitive({
  name: "slot",
  arity: 0,
  impl: () => {
    throw new ChainruleError("an output slot has no implementation");
  },
  rule: "zero",
  emit: undefined,
});

/**
 * A growable array of integers in an `Int32Array` (nothing for the GC to scan or copy; one
 * monomorphic store on the hot path). Large buffers come from, and go back to, `pool.ts`.
 */
export class IntBuffer {
  private buf: Int32Array = new Int32Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[this.length++] = v;
  }

  /** The entries (read-only use; entries at `length` and beyond are meaningless). */
  get data(): Int32Array {
    return this.buf;
  }

  /** A copy of the entries as an `Int32Array`. */
  toInt32Array(): Int32Array {
    return this.buf.slice(0, this.length);
  }

  /** Gives the storage back for reuse (see `pool.ts`); the buffer must not be used again. */
  release(): void {
    if (this.buf.length >= TYPED_FROM) giveInt32(this.buf);
    this.buf = new Int32Array(64);
    this.length = 0;
  }

  private grow(): void {
    const next = this.buf.length * 2 >= TYPED_FROM ? takeInt32(this.buf.length * 2) : new Int32Array(this.buf.length * 2);
    next.set(this.buf);
    if (this.buf.length >= TYPED_FROM) giveInt32(this.buf);
    this.buf = next;
  }
}

/**
 * One equation, as {@link Graph.equations} lists it for reading.
 *
 * @example
 * ```ts
 * import { makeGraph, add, mul, type Equation, type Num } from "chainrule";
 * const [first]: Equation[] = makeGraph((x: Num, y: Num) => mul(add(x, y), y))(1, 2).equations();
 * console.log(first); // { primitive: "add", output: "c", inputs: ["a", "b"] }
 * ```
 * @category Graphs
 */
export interface Equation {
  /** The primitive's name, e.g. `mul` (also for the product of cotangent and local gradient that derivatives are built from). */
  readonly primitive: string;
  /** The output variable's name. */
  readonly output: string;
  /** Operands: variable names, or constants printed as numbers. */
  readonly inputs: readonly string[];
}

/**
 * A computation graph: inputs, one equation per primitive application, and outputs.
 * `String(graph)` prints one equation a line; `graph.toDot()` gives Graphviz DOT.
 *
 * @example
 * ```ts
 * import { makeGraph, add, mul, type Num } from "chainrule";
 * const g = makeGraph((x: Num, y: Num, z: Num) => mul(add(x, y), z))(-2, 5, -4);
 * console.log(String(g));
 * // graph(a, b, c) {
 * //   // inputs: a = args[0], b = args[1], c = args[2]
 * //   d = add(a, b)
 * //   e = mul(d, c)
 * //   return e
 * // }
 * ```
 * @category Graphs
 */
export class Graph {
  /**
   * @internal Primitive of each equation (`INPUT` for inputs): its table index, or `~k` for
   * `unlisted[k]` (a per-function primitive, which no global table keeps alive).
   */
  readonly primIds = new IntBuffer();
  /** @internal The unlisted primitives (custom functions') that equations use, and their index. */
  readonly unlisted: Primitive[] = [];
  private unlistedIndex: Map<Primitive, number> | undefined = undefined;
  /** @internal Start of each equation's operands in `args`; one more entry than equations. */
  readonly argStart = new IntBuffer();
  /** @internal Operands: `r >= 0` is variable `r`, `r < 0` is the constant `constant(r)`. */
  readonly args = new IntBuffer();
  /**
   * @internal Constant operands: operand `~k` is `consts.get(k)` — numbers (kept in a typed
   * array) or values of enclosing transforms.
   */
  readonly consts = new ValueStore();
  /** @internal Per-equation parameters, for the few primitives that have them. */
  readonly params = new Map<number, unknown>();
  /** @internal Variables of the inputs, in order. */
  readonly inputs: number[] = [];
  /** @internal Tree path of each input (e.g. `w[3]`), for printing. */
  readonly inputPaths: string[] = [];
  /** @internal Output operands (variables or constants), in tree order. */
  outputs: number[] = [];
  /** @internal The structure of the output tree. */
  outputDef: TreeDef | undefined = undefined;
  /** Forward value of every variable, when the graph was built from concrete values (`explain`). */
  values: readonly Num[] | undefined = undefined;
  /** Gradient of the output with respect to every variable, when known (`explain`). */
  grads: readonly Num[] | undefined = undefined;
  /** @internal The number of outputs of each equation of a primitive with several outputs (its head). */
  readonly widths = new Map<number, number>();
  /**
   * @internal Set when `debugNans` ran while this graph was staged: code compiled from it must
   * check every equation's value for NaN and throw `NonFiniteError` naming the equation.
   */
  checkNans = false;

  constructor() {
    this.argStart.push(0);
  }

  /** Number of variables (inputs and equations). */
  get size(): number {
    return this.primIds.length;
  }

  /** @internal The primitive of equation `i`. */
  prim(i: number): Primitive {
    const id = this.primIds.data[i]!;
    return id >= 0 ? primitiveById(id) : this.unlisted[~id]!;
  }

  /**
   * @internal Gives the graph's typed storage back for reuse; the graph must not be used again.
   * `grad` calls it on its tape once the gradient has been read out.
   */
  release(): void {
    this.primIds.release();
    this.argStart.release();
    this.args.release();
    this.consts.release();
  }

  /** @internal The primitive of every equation, as an array (for passes over the whole graph). */
  primitives(): Primitive[] {
    const out = new Array<Primitive>(this.size);
    for (let i = 0; i < out.length; i++) out[i] = this.prim(i);
    return out;
  }

  /** @internal The value of constant operand `r` (`r < 0`). */
  constant(r: number): Num {
    return this.consts.get(~r);
  }

  /** @internal Adds an input variable. */
  addInput(path = ""): number {
    const id = this.primIds.length;
    this.primIds.push(INPUT.id);
    this.argStart.push(this.args.length);
    this.inputs.push(id);
    this.inputPaths.push(path);
    return id;
  }

  /** @internal Appends variable `id` as an operand of the equation being built. */
  pushVar(id: number): void {
    this.args.push(id);
  }

  /** @internal Appends a constant operand to the equation being built; returns its operand. */
  pushConst(v: Num): number {
    const ref = this.constRef(v);
    this.args.push(ref);
    return ref;
  }

  /** @internal Makes a constant operand without adding it to an equation (for outputs). */
  constRef(v: Num): number {
    const k = this.consts.length;
    this.consts.push(v);
    return ~k;
  }

  /** @internal Closes the equation whose operands were just pushed; returns its variable. */
  finish(prim: Primitive, params?: unknown): number {
    const id = this.primIds.length;
    this.primIds.push(prim.id >= 0 ? prim.id : this.unlistedId(prim));
    this.argStart.push(this.args.length);
    if (params !== undefined) this.params.set(id, params);
    return id;
  }

  /**
   * @internal Adds the equation `prim(a)` (no params) and returns its variable: one call for
   * reverse mode's hot path, where the separate pushes no longer fit V8's inlining budget.
   */
  addUnary(prim: Primitive, a: number): number {
    this.args.push(a);
    return this.finish(prim);
  }

  /** @internal Adds the equation `prim(a, b)` (no params) and returns its variable (see {@link Graph.addUnary}). */
  addBinary(prim: Primitive, a: number, b: number): number {
    this.args.push(a);
    this.args.push(b);
    return this.finish(prim);
  }

  /**
   * @internal Closes the equation of a primitive with several outputs, whose operands were just
   * pushed: it defines `width` variables, the first of which is returned (see {@link SLOT}).
   */
  finishMulti(prim: Primitive, params: unknown, width: number): number {
    const id = this.finish(prim, params);
    this.widths.set(id, width);
    for (let k = 1; k < width; k++) {
      this.primIds.push(SLOT.id);
      this.argStart.push(this.args.length);
    }
    return id;
  }

  /** The stored id (`~k`) of an unlisted primitive, adding it to this graph's list. */
  private unlistedId(prim: Primitive): number {
    const index = (this.unlistedIndex ??= new Map());
    let k = index.get(prim);
    if (k === undefined) {
      k = this.unlisted.length;
      this.unlisted.push(prim);
      index.set(prim, k);
    }
    return ~k;
  }

  /** @internal The operands of equation `i`, resolved against `vals`. */
  operands(i: number, vals: ValueStore): Num[] {
    const s = this.argStart.data[i]!;
    const e = this.argStart.data[i + 1]!;
    const xs = new Array<Num>(e - s);
    const args = this.args.data;
    for (let j = s; j < e; j++) {
      const r = args[j]!;
      xs[j - s] = r >= 0 ? vals.get(r) : this.constant(r);
    }
    return xs;
  }

  /** The equations, in order (inputs excluded), with readable names. */
  equations(): Equation[] {
    const out: Equation[] = [];
    for (let i = 0; i < this.size; i++) {
      const p = this.prim(i);
      if (p === INPUT || p === SLOT) continue;
      out.push({ primitive: shownName(p), output: varName(i), inputs: this.operandNames(i) });
    }
    return out;
  }

  /** @internal Operand names of equation `i`. */
  operandNames(i: number): string[] {
    const names: string[] = [];
    for (let j = this.argStart.data[i]!; j < this.argStart.data[i + 1]!; j++) names.push(this.refName(this.args.data[j]!));
    return names;
  }

  /** @internal Name of an operand: a variable name or a printed constant. */
  refName(r: number): string {
    if (r >= 0) return varName(r);
    const c = this.constant(r);
    return typeof c === "number" ? formatNumber(c) : "const";
  }

  /** One equation a line, like JAX's `make_jaxpr`. */
  toString(): string {
    return graphToString(this);
  }

  /**
   * Graphviz DOT in the style of the lecture notes' figures: each node labelled with its operation,
   * and — when the graph has them (from {@link explain}) — its forward value above in green
   * and the gradient of the output with respect to it below in red. Render it with Graphviz,
   * or to SVG in-process with `toSvg` from `chainrule/draw`.
   *
   * @param options - an optional `title` and the layout `direction`.
   * @returns the DOT source.
   * @example
   * ```ts
   * import { explain, add, mul, type Num } from "chainrule";
   * const g = explain((x: Num, y: Num, z: Num) => mul(add(x, y), z))(-2, 5, -4);
   * const dot = g.toDot({ title: "f(x, y, z) = (x + y) z" });
   * console.log(dot.startsWith("digraph chainrule {")); // true
   * ```
   */
  toDot(options?: DotOptions): string {
    return graphToDot(this, options);
  }
}

/** Name of variable `i`: a, b, …, z, ba, bb, … (as jaxprs). */
export function varName(i: number): string {
  let s = "";
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

/** Prints a number exactly and safely: `NaN`, `Infinity`, `-Infinity`, `-0` included. */
export function formatNumber(x: number): string {
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/**
 * Runs `g` on `inputs` by binding each equation's primitive in order, so that any enclosing
 * transform sees (and differentiates) every operation. Returns the value of every variable.
 */
export function evaluate(g: Graph, inputs: readonly Num[]): ValueStore {
  refuseLeaks(inputs, undefined, "", "an argument of a jitted function");
  const vals = new ValueStore();
  let k = 0;
  const hasParams = g.params.size > 0;
  for (let i = 0; i < g.size; i++) {
    const p = g.prim(i);
    if (p === SLOT) continue; // filled by its head
    const params = hasParams ? g.params.get(i) : undefined;
    if (p.multi !== undefined) {
      const outs = bindMulti(p, g.operands(i, vals), params);
      for (let j = 0; j < outs.length; j++) vals.push(outs[j]!);
    } else {
      vals.push(p === INPUT ? inputs[k++]! : bind(p, g.operands(i, vals), params));
    }
  }
  return vals;
}
