/**
 * Sub-graphs: the bodies of loops and branches, staged once and carried as the parameters of a
 * primitive with several outputs (see `Primitive.multi`).
 *
 * A body is staged on abstract inputs (`stageFlat`); the outer values it closes over — numbers,
 * or tracers of enclosing transforms — end up as constants of its graph. Tracers cannot stay
 * there (the enclosing transform would not see them used), so {@link closeOver} turns them into
 * leading inputs of the graph ("closure conversion", as JAX does): the loop primitive then takes
 * them as ordinary operands, and every transform differentiates through them.
 */
import { ChainruleError, NonFiniteError } from "../errors.js";
import { evaluate, Graph, INPUT, SLOT } from "../core/graph.js";
import { nanWatch } from "../core/eval.js";
import type { Num } from "../core/num.js";
import { stageFlat } from "../core/stage.js";
import { compileGraph, type Executable } from "../jit/compile.js";
import { optimize } from "../jit/optimize.js";

/**
 * A scan as one generated function (see {@link SubGraph.scanKernel}): runs steps `s0 .. s1` of
 * `T` (step s reads element `t = rev ? T - 1 - s : s`), writing the carry entering element t to
 * `cs[(t - c0)·nK ..]` when `cs` is not null.
 */
export type ScanKernel = (
  m: Float64Array,
  xs: ArrayLike<number>,
  xs0: number,
  res: number[] | null,
  cs: Float64Array | null,
  c0: number,
  s0: number,
  s1: number,
  T: number,
  rev: boolean,
) => void;

/** A staged body whose graph has only numbers as constants: every outer value is an input. */
export class SubGraph {
  /** The compiled form, made on first use on numbers (undefined: not yet; null: interpret). */
  private exec: Executable | null | undefined = undefined;
  private memory: Float64Array | undefined = undefined;

  constructor(
    readonly graph: Graph,
    /** The name of the loop or branch (for messages). */
    readonly name: string,
  ) {}

  get inputCount(): number {
    return this.graph.inputs.length;
  }

  get outputCount(): number {
    return this.graph.outputs.length;
  }

  /**
   * Runs the body on numbers: `ins` (one per input) in, outputs written to `out`. Compiled to
   * JavaScript on first use (a loop inside it runs as one call, as under jit); interpreted
   * through the primitives while `debugNans` watches, so that it names the primitive.
   */
  runNumbers(ins: ArrayLike<number>, out: number[] | Float64Array): void {
    if (nanWatch.hook !== undefined) {
      const vals = evaluate(this.graph, Array.from(ins));
      const outs = this.graph.outputs;
      for (let k = 0; k < outs.length; k++) {
        const r = outs[k]!;
        out[k] = (r >= 0 ? vals.get(r) : this.graph.constant(r)) as number;
      }
      return;
    }
    if (this.exec === undefined) {
      this.exec = compiled(this.graph);
      this.memory = this.exec.newMemory();
    }
    const exec = this.exec!;
    const m = this.memory!;
    for (let i = 0; i < ins.length; i++) m[i] = ins[i]!;
    exec.run(m);
    const slots = exec.outputSlots;
    for (let k = 0; k < slots.length; k++) out[k] = m[slots[k]!]!;
  }

  /**
   * Direct access for hot loops, or undefined where the body must be interpreted (while
   * `debugNans` watches): write the inputs to `m[0 ..]`, call
   * `run(m)`, read output k at `m[out[k]]`.
   */
  stepper(): { readonly m: Float64Array; readonly run: (m: Float64Array) => void; readonly out: Int32Array } | undefined {
    if (nanWatch.hook !== undefined) return undefined;
    if (this.exec === undefined) {
      this.exec = compiled(this.graph);
      this.memory = this.exec.newMemory();
    }
    const exec = this.exec!;
    return { m: this.memory!, run: (m) => exec.run(m), out: exec.outputSlots };
  }

  /**
   * The whole scan over this body as one generated function (the body's statements inlined in a
   * `for` loop), or undefined where that is not possible (interpreted bodies, several chunks,
   * very wide carries). Call it with the memory of {@link stepper} holding the constants and the
   * initial carry: it runs steps `s0 .. s1` of `T`, reading element t's x at `xs[xs0 + t·nX ..]`,
   * writing its y to `res[nK + t·nY ..]` (when `res` is not null) and the carry entering it to
   * `cs[(t - c0)·nK ..]` (when `cs` is not null), and leaves the carry in memory.
   */
  scanKernel(nC: number, nK: number, nX: number, nY: number): ScanKernel | undefined {
    const key = `${nC} ${nK} ${nX} ${nY}`;
    if (this.kernels.has(key)) return this.kernels.get(key);
    let kernel: ScanKernel | undefined;
    const st = this.stepper();
    const inline = this.exec?.inline;
    if (st !== undefined && inline !== undefined && nK + nX + nY <= 256) {
      const out = st.out;
      // Names: the body's statements use m, v<n>, a<n>, c<n>, k<n> and $h $p $g $t $f $z; the
      // loop's own start with $ and are none of those.
      const lines: string[] = ["function kernel(m, $x, $x0, $r, $s, $c0, $a, $b, $n, $v) {", "  for (let $i = $a; $i < $b; $i++) {", "    const $e = $v ? $n - 1 - $i : $i;"];
      lines.push(`    m[${nC}] = $e;`);
      if (nK > 0) {
        lines.push("    if ($s !== null) {");
        for (let j = 0; j < nK; j++) lines.push(`      $s[($e - $c0) * ${nK} + ${j}] = m[${nC + 1 + j}];`);
        lines.push("    }");
      }
      for (let j = 0; j < nX; j++) lines.push(`    m[${nC + 1 + nK + j}] = $x[$x0 + $e * ${nX} + ${j}];`);
      lines.push("    {", inline.statements, "    }");
      if (nY > 0) {
        lines.push("    if ($r !== null) {");
        for (let j = 0; j < nY; j++) lines.push(`      $r[${nK} + $e * ${nY} + ${j}] = m[${out[nK + j]!}];`);
        lines.push("    }");
      }
      for (let j = 0; j < nK; j++) lines.push(`    const $q${j} = m[${out[j]!}];`);
      for (let j = 0; j < nK; j++) lines.push(`    m[${nC + 1 + j}] = $q${j};`);
      lines.push("  }", "}");
      const source = lines.join("\n");
      kernel = inline.make(source) as ScanKernel;
      this.sources.set(key, source);
    }
    this.kernels.set(key, kernel);
    return kernel;
  }

  /** The source of {@link scanKernel} (made if needed), for `jit(f).lower(…).source`. */
  scanKernelSource(nC: number, nK: number, nX: number, nY: number): string | undefined {
    this.scanKernel(nC, nK, nX, nY);
    return this.sources.get(`${nC} ${nK} ${nX} ${nY}`);
  }

  private readonly sources = new Map<string, string>();

  private readonly kernels = new Map<string, ScanKernel | undefined>();

  /** Runs the body on any values by applying its primitives (enclosing transforms see each one). */
  run(ins: readonly Num[]): Num[] {
    const g = this.graph;
    const vals = evaluate(g, ins);
    return g.outputs.map((r) => (r >= 0 ? vals.get(r) : g.constant(r)));
  }

}

/**
 * Compiled bodies by their graph's content: a loop inside a function called many times (an
 * eager training loop) stages its body again on every call, but compiles it once.
 */
const compiledBodies = new Map<string, Executable>();
const MAX_COMPILED_BODIES = 256;

function compiled(g: Graph): Executable {
  const key = graphKey(g);
  let exec = key === undefined ? undefined : compiledBodies.get(key);
  if (exec === undefined) {
    exec = compileGraph(optimize(g).graph);
    if (key !== undefined) {
      if (compiledBodies.size >= MAX_COMPILED_BODIES) compiledBodies.delete(compiledBodies.keys().next().value!);
      compiledBodies.set(key, exec);
    }
  }
  return exec;
}

/** A string that determines `g` (primitives, operands, constants, outputs), or undefined when it has parameters or custom functions. */
function graphKey(g: Graph): string | undefined {
  if (g.params.size > 0) return undefined;
  const parts: string[] = [];
  const ids = g.primIds.data;
  for (let i = 0; i < g.size; i++) {
    if (ids[i]! < 0) return undefined; // a custom function's primitive: not identified by its id
    parts.push(String(ids[i]));
  }
  parts.push("|", Array.from(g.argStart.toInt32Array()).join(","), "|", Array.from(g.args.toInt32Array()).join(","), "|");
  for (let k = 0; k < g.consts.length; k++) parts.push(String(Object.is(g.consts.get(k), -0) ? "-0" : g.consts.get(k)));
  parts.push("|", g.outputs.join(","), "|", String(g.checkNans));
  return parts.join(" ");
}


/**
 * Stages `f` on `n` abstract inputs (named by `paths` in messages, `""` for none) and closes the
 * graph over the tracers it captured, which are added to `captured` (deduplicated: a value
 * already there is reused). Returns the graph's constants as they were found; call
 * {@link closeOver} once every body sharing `captured` is staged.
 */
export function stageBody(f: (ins: Num[]) => Num[], paths: readonly string[], name: string, captured: Num[]): Graph {
  const { graph } = stageFlat((ins) => ({ outputs: f(ins) }), paths, name);
  for (let k = 0; k < graph.consts.length; k++) {
    const c = graph.consts.get(k);
    if (typeof c !== "number" && !captured.includes(c)) captured.push(c);
  }
  return graph;
}

/**
 * A copy of `g` whose inputs are `captured` (one each, first) followed by `g`'s own inputs, with
 * every constant that is one of `captured` replaced by its input: a graph with numbers only as
 * constants, to run with the captured values as its leading inputs.
 */
export function closeOver(g: Graph, captured: readonly Num[], name: string): SubGraph {
  const out = new Graph();
  const index = new Map<Num, number>();
  captured.forEach((c, i) => index.set(c, out.addInput("")));
  const remap = new Int32Array(g.size);
  const operand = (r: number): void => {
    if (r >= 0) {
      out.pushVar(remap[r]!);
      return;
    }
    const c = g.constant(r);
    if (typeof c === "number") out.pushConst(c);
    else out.pushVar(index.get(c)!);
  };
  const args = g.args.data;
  const start = g.argStart.data;
  const hasParams = g.params.size > 0;
  for (let i = 0; i < g.size; i++) {
    const p = g.prim(i);
    if (p === SLOT) continue; // numbered by its head below
    if (p === INPUT) {
      remap[i] = out.addInput(g.inputPaths[g.inputs.indexOf(i)] ?? "");
      continue;
    }
    for (let j = start[i]!; j < start[i + 1]!; j++) operand(args[j]!);
    const params = hasParams ? g.params.get(i) : undefined;
    const width = g.widths.get(i);
    if (width !== undefined) {
      const head = out.finishMulti(p, params, width);
      for (let k = 0; k < width; k++) remap[i + k] = head + k;
    } else {
      remap[i] = out.finish(p, params);
    }
  }
  out.outputs = g.outputs.map((r) => {
    if (r >= 0) return remap[r]!;
    const c = g.constant(r);
    return typeof c === "number" ? out.constRef(c) : index.get(c)!;
  });
  out.checkNans = g.checkNans;
  return new SubGraph(out, name);
}

/** Stages and closes one body that shares nothing with another: its captured values and sub-graph. */
export function traceBody(f: (ins: Num[]) => Num[], paths: readonly string[], name: string): { sub: SubGraph; captured: Num[] } {
  const captured: Num[] = [];
  const g = stageBody(f, paths, name, captured);
  return { sub: closeOver(g, captured, name), captured };
}

/**
 * Stages a body derived from others (their jvp or vjp): it runs other sub-graphs on its inputs
 * and so captures nothing. `paths` only gives the input count.
 */
export function deriveBody(n: number, f: (ins: Num[]) => Num[], name: string): SubGraph {
  const { sub, captured } = traceBody(f, new Array<string>(n).fill(""), name);
  if (captured.length > 0) throw new ChainruleError(`${name}: internal error: a derived body captured outer values`);
  return sub;
}

/** Splits `xs` into consecutive pieces of the given sizes. */
export function split<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let k = 0;
  for (const n of sizes) {
    out.push(xs.slice(k, k + n));
    k += n;
  }
  return out;
}

/** `n` exact zeros. */
export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Adds `iteration` to a `NonFiniteError` raised inside step `t` of a loop (debugNans). */
export function inIteration<R>(name: string, t: number, run: () => R): R {
  try {
    return run();
  } catch (e) {
    if (e instanceof NonFiniteError && !e.message.includes(" iteration ")) {
      throw new NonFiniteError(`${e.message} (in ${name}, iteration ${t})`, { ...(e.primitive === undefined ? {} : { primitive: e.primitive }), rule: e.rule });
    }
    throw e;
  }
}
