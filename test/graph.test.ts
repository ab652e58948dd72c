// Graphs: makeGraph's text and DOT, explain's annotated graphs for the lecture notes' examples, and
// the graphs of derivatives.
import { describe, expect, it } from "vitest";
import {
  add,
  ConcretizationError,
  div,
  exp,
  explain,
  floor,
  grad,
  gt,
  makeGraph,
  mul,
  neg,
  sigmoid,
  sin,
  sqrt,
  square,
  sub,
  toNumber,
  valueAndGrad,
  where,
  type Graph,
  type Num,
} from "../src/index.js";

const seed = (x: Num, y: Num, z: Num) => mul(add(x, y), z);
const neuron = (w: Num[], x: Num[]) => div(1, add(1, exp(neg(add(add(mul(w[0]!, x[0]!), mul(w[1]!, x[1]!)), w[2]!)))));

// ---- reading a graph back -----------------------------------------------------------------------

/** Input names from the header line, `graph(a, b, c) {`. */
function inputNames(g: Graph): string[] {
  const header = /^graph\(([^)]*)\) \{$/.exec(String(g).split("\n")[0]!);
  expect(header).not.toBeNull();
  return header![1] === "" ? [] : header![1]!.split(", ");
}

/** The operand names of the `return` line (a flat list, in order). */
function outputNames(g: Graph): string[] {
  const line = String(g)
    .split("\n")
    .find((l) => l.startsWith("  return "));
  expect(line).toBeDefined();
  return line!
    .slice("  return ".length)
    .replace(/"[^"]*":/g, "")
    .replace(/[[\]{}]/g, "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const IMPLS: Record<string, (...xs: number[]) => number> = {
  add: (a, b) => a! + b!,
  sub: (a, b) => a! - b!,
  mul: (a, b) => a! * b!,
  div: (a, b) => a! / b!,
  neg: (a) => -a!,
  reciprocal: (a) => 1 / a!,
  sin: Math.sin,
  cos: Math.cos,
  exp: Math.exp,
  square: (a) => a! * a!,
  sum: (...xs) => xs.reduce((s, v) => s + v, 0),
};

/**
 * Evaluates a printed graph with our own interpreter (not chainrule's): proof that the
 * equations it lists compute the function, not just that they look right.
 */
function interpret(g: Graph, inputs: readonly number[]): number[] {
  const env = new Map<string, number>();
  inputNames(g).forEach((n, i) => env.set(n, inputs[i]!));
  const value = (operand: string): number => (env.has(operand) ? env.get(operand)! : Number(operand));
  for (const eq of g.equations()) {
    const impl = IMPLS[eq.primitive];
    if (impl === undefined) throw new Error(`no interpreter for ${eq.primitive}`);
    env.set(eq.output, impl(...eq.inputs.map(value)));
  }
  return outputNames(g).map(value);
}

/**
 * A structural check of DOT: statements, well-formed strings and HTML labels, every edge between
 * declared nodes. `labels` maps each node to its plain-text tooltip (the equation, and the value
 * and gradient when the graph has them).
 */
function checkDot(dot: string): { nodes: Set<string>; edges: Set<string>; labels: Map<string, string> } {
  const lines = dot.split("\n");
  expect(lines[0]).toMatch(/^digraph [A-Za-z_][A-Za-z0-9_]* \{$/);
  expect(lines.at(-1)).toBe("}");
  const nodes = new Set<string>();
  const edges = new Set<string>();
  const labels = new Map<string, string>();
  /** Parses `[k=v, …]`: v is a "string", an <html> label with balanced brackets, or a bare word. */
  const parseAttrs = (text: string): Map<string, string> => {
    const out = new Map<string, string>();
    expect(text.startsWith("[") && text.endsWith("]"), `attribute list: ${text}`).toBe(true);
    let i = 1;
    while (i < text.length - 1) {
      const key = /^[A-Za-z]+=/.exec(text.slice(i));
      expect(key, `attribute at ${text.slice(i, i + 20)}`).not.toBeNull();
      i += key![0].length;
      let value: string;
      if (text[i] === '"') {
        const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
        expect(m, "a well-formed string").not.toBeNull();
        value = JSON.parse(m![0]) as string;
        i += m![0].length;
      } else if (text[i] === "<") {
        let depth = 0;
        let j = i;
        for (; j < text.length; j++) {
          if (text[j] === "<") depth++;
          else if (text[j] === ">" && --depth === 0) break;
        }
        expect(depth, "balanced HTML label").toBe(0);
        value = text.slice(i, j + 1);
        i = j + 1;
      } else {
        const m = /^[A-Za-z0-9_.#]+/.exec(text.slice(i));
        expect(m, "a bare value").not.toBeNull();
        value = m![0];
        i += m![0].length;
      }
      out.set(key![0].slice(0, -1), value);
      if (text.startsWith(", ", i)) i += 2;
    }
    return out;
  };
  for (const line of lines.slice(1, -1)) {
    const edge = /^ {2}([A-Za-z_][A-Za-z0-9_]*)(?::box)? -> ([A-Za-z_][A-Za-z0-9_]*)(?::box)?;$/.exec(line);
    if (edge !== null) {
      edges.add(`${edge[1]} -> ${edge[2]}`);
      continue;
    }
    const stmt = /^ {2}([A-Za-z_][A-Za-z0-9_]*) (\[.*\]);$/.exec(line);
    expect(stmt, `a DOT statement: ${line.slice(0, 60)}`).not.toBeNull();
    const attrs = parseAttrs(stmt![2]!);
    if (["graph", "node", "edge"].includes(stmt![1]!)) continue;
    expect(nodes.has(stmt![1]!), `node ${stmt![1]} declared twice`).toBe(false);
    nodes.add(stmt![1]!);
    labels.set(stmt![1]!, attrs.get("tooltip") ?? attrs.get("label") ?? "");
  }
  for (const e of edges) for (const end of e.split(" -> ")) expect(nodes.has(end), `edge ${e}: ${end} is declared`).toBe(true);
  return { nodes, edges, labels };
}

// ---- makeGraph ----------------------------------------------------------------------------------------

describe("makeGraph", () => {
  it("prints the lecture notes' (x + y)·z one equation a line", () => {
    const g = makeGraph(seed)(-2, 5, -4);
    expect(String(g)).toBe(
      [
        "graph(a, b, c) {",
        "  // inputs: a = args[0], b = args[1], c = args[2]",
        "  d = add(a, b)",
        "  e = mul(d, c)",
        "  return e",
        "}",
      ].join("\n"),
    );
    expect(g.equations()).toEqual([
      { primitive: "add", output: "d", inputs: ["a", "b"] },
      { primitive: "mul", output: "e", inputs: ["d", "c"] },
    ]);
    // The structure, not the numbers: other values give the same graph.
    expect(String(makeGraph(seed)(1, 2, 3))).toBe(String(g));
  });

  it("toDot() is valid-looking DOT with every node and edge", () => {
    const { nodes, edges, labels } = checkDot(makeGraph(seed)(-2, 5, -4).toDot());
    for (const n of ["a", "b", "c", "d", "e"]) expect(nodes.has(n)).toBe(true);
    for (const e of ["a -> d", "b -> d", "d -> e", "c -> e"]) expect(edges.has(e)).toBe(true);
    expect(labels.get("d")).toContain("add");
    expect(labels.get("e")).toContain("mul");
    expect(labels.get("a")).toContain("args[0]");
    // The output is drawn too.
    expect([...edges].some((e) => e.startsWith("e -> "))).toBe(true);
  });

  it("paths of tree inputs, constants, zero-gradient primitives and tree outputs", () => {
    const g = makeGraph((p: { w: Num[]; b: Num }) => ({ s: mul(p.w[0]!, p.b), v: [floor(p.w[1]!), add(p.b, 2.5)] }))({ w: [1, 2], b: 3 });
    const text = String(g);
    expect(text).toContain("// inputs: a = w[0], b = w[1], c = b");
    expect(g.equations()).toEqual([
      { primitive: "mul", output: "d", inputs: ["a", "c"] },
      { primitive: "floor", output: "e", inputs: ["b"] },
      { primitive: "add", output: "f", inputs: ["c", "2.5"] },
    ]);
    expect(outputNames(g)).toEqual(["d", "e", "f"]);
    expect(text).toMatch(/return \{ "?s"?: d, "?v"?: \[e, f\] \}/);
  });

  it("where and comparisons are staged as equations (the condition is abstract)", () => {
    const g = makeGraph((x: Num) => where(gt(x, 0), sqrt(x), 0))(1);
    expect(g.equations().map((e) => e.primitive)).toEqual(["gt", "sqrt", "where"]);
  });

  it("DOT strings are escaped: quotes and backslashes in keys", () => {
    const key = 'say "hi" \\ there';
    const { labels } = checkDot(makeGraph((p: Record<string, Num>) => mul(p[key]!, 2))({ [key]: 1 }).toDot());
    expect(labels.get("a")).toContain(JSON.stringify(key));
  });

  it("toNumber inside makeGraph is a ConcretizationError", () => {
    expect(() => makeGraph((x: Num) => (toNumber(x) > 0 ? x : 0))(1)).toThrow(ConcretizationError);
  });
});

// ---- graphs of derivatives ------------------------------------------------------------------------------

describe("makeGraph of a derivative contains the derivative's equations", () => {
  it("grad(sin) is cos", () => {
    const g = makeGraph(grad(sin))(0.3);
    const eqs = g.equations();
    const out = outputNames(g);
    expect(out).toHaveLength(1);
    const def = eqs.find((e) => e.output === out[0]);
    expect(def).toEqual({ primitive: "cos", output: out[0], inputs: ["a"] });
  });

  it("grad of the lecture notes' (x + y)·z with respect to x is z itself", () => {
    expect(outputNames(makeGraph(grad(seed))(-2, 5, -4))).toEqual(["c"]);
    // All three partials: z, z and x + y.
    const g = makeGraph(grad(seed, { argnums: [0, 1, 2] }))(-2, 5, -4);
    const [dx, dy, dz] = outputNames(g);
    expect([dx, dy]).toEqual(["c", "c"]);
    expect(g.equations().find((e) => e.output === dz)).toEqual({ primitive: "add", output: dz, inputs: ["a", "b"] });
  });

  it("first and second derivatives of x·sin x, evaluated by our own interpreter", () => {
    const f = (x: Num) => mul(x, sin(x));
    const g1 = makeGraph(grad(f))(1);
    const g2 = makeGraph(grad(grad(f)))(1);
    expect(g1.equations().map((e) => e.primitive)).toContain("cos");
    expect(g2.equations().map((e) => e.primitive)).toEqual(expect.arrayContaining(["sin", "cos", "neg"]));
    for (const x of [-2, 0, 0.7, 3]) {
      expect(interpret(g1, [x])[0]).toBeCloseTo(Math.sin(x) + x * Math.cos(x), 14);
      expect(interpret(g2, [x])[0]).toBeCloseTo(2 * Math.cos(x) - x * Math.sin(x), 14);
    }
  });

  it("the gradient of the neuron, staged once, evaluated anywhere", () => {
    const g = makeGraph(grad(neuron, { argnums: [0, 1] }))([2, -3, -3], [-1, -2]);
    for (const [w, x] of [
      [[2, -3, -3], [-1, -2]],
      [[0.5, 1, 0], [3, -1]],
    ] as [number[], number[]][]) {
      const out = interpret(g, [...w, ...x]);
      const [dw, dx] = grad(neuron, { argnums: [0, 1] })(w, x);
      [...dw, ...dx].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
    }
  });
});

// ---- explain: the lecture notes' annotated figures ---------------------------------------------------------------

describe("explain: each node's value and gradient", () => {
  it("the lecture notes' example (x + y)·z at (-2, 5, -4): every node as in the notes", () => {
    const g = explain((p: { x: Num; y: Num; z: Num }) => mul(add(p.x, p.y), p.z))({ x: -2, y: 5, z: -4 });
    expect(String(g)).toBe(
      [
        "graph(a, b, c) {",
        "  a = input      // x: value -2, grad -4",
        "  b = input      // y: value 5, grad -4",
        "  c = input      // z: value -4, grad 3",
        "  d = add(a, b)  // value 3, grad -4",
        "  e = mul(d, c)  // value -12, grad 1",
        "  return e",
        "}",
      ].join("\n"),
    );
    expect(g.values).toEqual([-2, 5, -4, 3, -12]);
    expect(g.grads).toEqual([-4, -4, 3, -4, 1]);
    // The same graph for positional arguments.
    const g2 = explain(seed)(-2, 5, -4);
    expect(g2.values).toEqual([-2, 5, -4, 3, -12]);
    expect(g2.grads).toEqual([-4, -4, 3, -4, 1]);
    const { labels } = checkDot(g.toDot());
    expect(labels.get("d")).toBe("d = add(a, b): value 3, grad -4");
    expect(labels.get("a")).toBe("a = x: value -2, grad -4");
  });

  it("the sigmoid neuron at w = [2, -3, -3], x = [-1, -2]: the notes' figure, node by node", () => {
    const g = explain(neuron)([2, -3, -3], [-1, -2]);
    expect(g.equations().map((e) => e.primitive)).toEqual(["mul", "mul", "add", "add", "neg", "exp", "add", "div"]);
    // By hand: s = w0x0 + w1x1 + w2 = 1, f = σ(1); every gradient is σ'(1) times a factor.
    const e1 = Math.exp(-1);
    const f = 1 / (1 + e1);
    const ds = f * (1 - f);
    const values = [2, -3, -3, -1, -2, -2, 6, 4, 1, -1, e1, 1 + e1, f];
    const grads = [-ds, -2 * ds, ds, 2 * ds, -3 * ds, ds, ds, ds, ds, -ds, -1 / (1 + e1) ** 2, -1 / (1 + e1) ** 2, 1];
    values.forEach((v, i) => expect(g.values![i]).toBeCloseTo(v, 14));
    grads.forEach((v, i) => expect(g.grads![i]).toBeCloseTo(v, 14));
    // The figure's two-decimal numbers: f ≈ 0.73, df/dw ≈ [-0.20, -0.39, 0.20], df/dx ≈ [0.39, -0.59].
    const two = (v: Num | undefined) => (v as number).toFixed(2);
    expect(two(g.values![12]!)).toBe("0.73");
    expect(g.grads!.slice(0, 5).map(two)).toEqual(["-0.20", "-0.39", "0.20", "0.39", "-0.59"]);
    expect([g.values![10], g.values![11]].map(two)).toEqual(["0.37", "1.37"]);
    expect([g.grads![9], g.grads![10], g.grads![11]].map(two)).toEqual(["-0.20", "-0.53", "-0.53"]);
    // The text carries the same numbers, with the inputs' paths.
    const text = String(g);
    expect(text).toContain("// args[0][0]: value 2, grad -0.196612");
    expect(text).toContain("// args[1][1]: value -2, grad -0.589836");
    expect(text).toMatch(/m = div\(1, l\) +\/\/ value 0\.731059, grad 1/);
  });

  it("the small network: the input w1's gradient is the notes' formula", () => {
    const p = { w1: 0.5, w2: -0.4, b: 0.1, w3: 0.8, b1: -0.2, w4: -1.2, b2: 0.3 };
    const x = [1.5, -0.5];
    const t = [1, 0];
    const loss = (q: typeof p, xs: number[], ts: number[]) => {
      const a = sigmoid(add(add(mul(q.w1, xs[0]!), mul(q.w2, xs[1]!)), q.b));
      const y1 = sigmoid(add(mul(q.w3, a), q.b1));
      const y2 = sigmoid(add(mul(q.w4, a), q.b2));
      return add(square(sub(y1, ts[0]!)), square(sub(y2, ts[1]!)));
    };
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const z = p.w1 * x[0]! + p.w2 * x[1]! + p.b;
    const a = s(z);
    const [zp, zpp] = [p.w3 * a + p.b1, p.w4 * a + p.b2];
    const dLdzp = 2 * (s(zp) - t[0]!) * s(zp) * (1 - s(zp));
    const dLdzpp = 2 * (s(zpp) - t[1]!) * s(zpp) * (1 - s(zpp));
    const dw1 = (dLdzp * p.w3 + dLdzpp * p.w4) * s(z) * (1 - s(z)) * x[0]!;
    const g = explain(loss)(p, x, t);
    // Inputs come first, in key order, then the remaining arguments' leaves.
    expect(String(g)).toContain("a = input");
    expect(g.grads![0]).toBeCloseTo(dw1, 15);
    expect(g.values![0]).toBe(0.5);
    // The output node: its value is the loss and its gradient 1.
    expect(g.values!.at(-1)).toBe(valueAndGrad(loss)(p, x, t)[0]);
    expect(g.grads!.at(-1)).toBe(1);
  });
});
