// jit's first call of jit(valueAndGrad(f)): stage + optimise + find loops + generate code
// (f.lower(...args): everything the first call does except running the result), per operation
// of f — an equation of makeGraph(f), the forward computation — for W3 (Rosenbrock, 8
// operations a term), W4 (the MLP of W4 over more points, 100 a point) and W6 (the chain, 4 a
// step) sized to about 10⁵ and 4·10⁵ operations. Each figure is the median of several fresh
// processes, so that no run profits from code V8 already optimised in another; with it the
// median CPU time of the process meanwhile (all its threads), steadier than wall time on a busy
// machine.
//
//   npm run build && node bench/first-call.mjs [--runs=5] [--dist=path/to/dist,...] [W3 W6 ...] [--size=100000,400000]
//
// `--dist` measures other builds (e.g. one of an older commit) with the same script; with
// several, their processes alternate, so that all see the same load on the machine.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";

import { makeData, rng } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => argv.find((s) => s.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const dists = opt("dist", fileURLToPath(new URL("../dist", import.meta.url)))
  .split(",")
  .map((d) => resolve(d));

if (argv[0] === "--child") {
  // One measurement: workload argv[1] at size argv[2]; prints {ms, ops} as JSON.
  const cr = await import(pathToFileURL(resolve(dists[0], "index.js")).href);
  const { id, n } = { id: argv[1], n: Number(argv[2]) };
  const { f, args } = setup(cr, id, n);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const lowered = f.lower(...args);
  const ms = performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  const cpu = (c1.user + c1.system) / 1000; // all threads: includes V8's compiler and GC helper threads
  const ops = cr.makeGraph(f.user)(...args).equations().length;
  const g = lowered.graph;
  console.log(JSON.stringify({ ms, cpu, ops, equations: g.size - g.inputs.length, strategy: lowered.strategy }));
} else {
  const runs = Number(opt("runs", 5));
  const sizes = opt("size", "100000,400000").split(",").map(Number);
  const ids = argv.filter((s) => !s.startsWith("--"));
  console.log(`jit first call (f.lower), median of ${runs} processes`);
  for (const id of ids.length > 0 ? ids : ["W3", "W4", "W6"]) {
    for (const n of sizes) {
      const rs = dists.map(() => []);
      for (let r = 0; r < runs; r++) {
        dists.forEach((dist, k) => {
          const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", id, String(n), `--dist=${dist}`], { encoding: "utf8" });
          rs[k].push(JSON.parse(out));
        });
      }
      dists.forEach((dist, k) => {
        const median = (key) => rs[k].map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
        const [ms, cpu] = [median("ms"), median("cpu")];
        const { ops, equations, strategy } = rs[k][0];
        const perOp = (t) => ((t * 1000) / ops).toFixed(2);
        console.log(
          `${id} ~${String(n).padStart(6)} ops: ${ms.toFixed(0).padStart(5)} ms = ${perOp(ms)} µs per operation (CPU ${cpu.toFixed(0)} ms = ${perOp(cpu)} µs) ` +
            `— ${ops} operations, ${equations} equations after optimisation, ${strategy}${dists.length > 1 ? `  ${dist}` : ""}`,
        );
      });
    }
  }
}

/**
 * The jitted value-and-gradient function of workload `id` sized to about `n` operations (`user`:
 * the function itself), and its arguments.
 */
function setup(cr, id, n) {
  const made = setupFunction(cr, id, n);
  return { f: Object.assign(cr.jit(cr.valueAndGrad(made.f)), { user: made.f }), args: made.args };
}

function setupFunction(cr, id, n) {
  const { add, sub, mul, sin, tanh, square, dot, mean } = cr;
  switch (id) {
    case "W3": {
      const f = (x) => {
        let s = 0;
        for (let i = 0; i < x.length - 1; i++) s = add(s, add(mul(100, square(sub(x[i + 1], square(x[i])))), square(sub(1, x[i]))));
        return s;
      };
      return { f, args: [makeData("W3", Math.round(n / 8) + 1).x] };
    }
    case "W4": {
      // The MLP of W4 over n / 100 points.
      const { params } = makeData("W4");
      const r = rng(44);
      const X = Array.from({ length: Math.max(1, Math.round(n / 100)) }, () => [4 * r() - 2, 4 * r() - 2]);
      const Y = X.map(([a, b]) => Math.sin(a) * Math.cos(b));
      const f = (p, X, Y) =>
        mean(
          X.map((x, s) => {
            const h1 = p.W1.map((w, j) => tanh(add(dot(w, x), p.b1[j])));
            const h2 = p.W2.map((w, j) => tanh(add(dot(w, h1), p.b2[j])));
            return square(sub(add(dot(p.W3, h2), p.b3), Y[s]));
          }),
        );
      return { f, args: [params, X, Y] };
    }
    case "W6": {
      const steps = Math.round(n / 4);
      const f = (x) => {
        for (let i = 0; i < steps; i++) x = add(mul(0.9, sin(x)), mul(0.1, x));
        return x;
      };
      return { f, args: [makeData("W6", steps).x0] };
    }
    default:
      throw new Error(`unknown workload ${id}`);
  }
}
