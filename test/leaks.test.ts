// Leaked tracers (values of a transform that has returned) are refused with TracerLeakError
// wherever they enter a transform — arguments, primals, tangents, cotangents, aux, constants a
// staged graph closed over — and when a transformed function returns one; never returned back.
import { describe, expect, it } from "vitest";
import {
  add,
  ChainruleError,
  explain,
  grad,
  hessian,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  makeGraph,
  mul,
  sin,
  TracerLeakError,
  valueAndGrad,
  vjp,
  type Num,
} from "../src/index.js";

/** A value of a `grad` (or of `transform`) that escaped: its trace is closed. */
function leakedFrom(transform: "grad" | "jvp" | "jit" | "vjp" = "grad"): Num {
  let leaked: Num = 0;
  const keep = (x: Num): Num => {
    leaked = mul(x, 2);
    return x;
  };
  if (transform === "grad") grad(keep)(1);
  else if (transform === "jvp") jvp(keep, [1], [1]);
  else if (transform === "vjp") vjp(keep, 1);
  // verify: false, else the first-call check's eager run of keep overwrites `leaked` with a number.
  else jit(keep, { verify: false })(1);
  return leaked;
}

/** Asserts that `run` throws a TracerLeakError naming `transform` (the one that made the value). */
function expectLeak(run: () => unknown, transform = "grad"): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TracerLeakError);
  expect((error as Error).message).toContain(`created by ${transform}`);
}

describe("a leaked tracer given to a transform is refused with TracerLeakError", () => {
  it("jvp primal", () => {
    const leaked = leakedFrom();
    expectLeak(() => jvp((x: Num) => x, [leaked], [1]));
    expectLeak(() => jvp((x: Num[]) => x[0]!, [[1, leaked]], [[1, 1]]));
  });
  it("jvp primal with a zero tangent (the value is not lifted)", () => {
    const leaked = leakedFrom();
    expectLeak(() => jvp((x: Num) => x, [leaked], [0]));
  });
  it("jvp tangent", () => {
    const leaked = leakedFrom();
    expectLeak(() => jvp((x: Num) => x, [1], [leaked]));
    expectLeak(() => jvp((x: Num) => mul(x, 3), [1], [leaked]));
  });
  it("vjp pullback cotangent", () => {
    const leaked = leakedFrom();
    const [, pullback] = vjp((x: Num) => mul(x, 3), 1);
    expectLeak(() => pullback(leaked));
    // The pullback is still usable afterwards.
    expect(pullback(1)).toEqual([3]);
  });
  it("vjp pullback cotangent of an output that is an input", () => {
    const leaked = leakedFrom();
    const [, pullback] = vjp((x: Num) => x, 1);
    expectLeak(() => pullback(leaked));
  });
  it("grad / valueAndGrad / jacrev / jacfwd / hessian / explain argument", () => {
    const leaked = leakedFrom();
    expectLeak(() => grad((x: Num) => x)(leaked));
    expectLeak(() => valueAndGrad((x: Num) => x)(leaked));
    expectLeak(() => jacrev((x: Num[]) => x)([1, leaked]));
    expectLeak(() => jacfwd((x: Num[]) => x)([1, leaked]));
    expectLeak(() => hessian((x: Num[]) => mul(x[0]!, x[1]!))([1, leaked]));
    expectLeak(() => explain((x: Num) => x)(leaked));
  });
  it("hvp point and direction", () => {
    const leaked = leakedFrom();
    expectLeak(() => hvp((x: Num[]) => mul(x[0]!, x[0]!))([leaked], [1]));
    expectLeak(() => hvp((x: Num[]) => mul(x[0]!, x[0]!))([1], [leaked]));
  });
  it("jit and makeGraph argument", () => {
    const leaked = leakedFrom();
    expectLeak(() => jit((x: Num) => x)(leaked));
    expectLeak(() => jit((x: Num) => mul(x, 2))(leaked));
    expectLeak(() => makeGraph((x: Num) => x)(leaked));
  });
  it("a jitted function that closes over a leaked tracer", () => {
    const leaked = leakedFrom();
    expectLeak(() => jit((x: Num) => add(x, leaked))(1));
    expectLeak(() => jit((_x: Num) => leaked)(1));
    expectLeak(() => jit((x: Num) => [x, leaked])(1));
    expectLeak(() => makeGraph((_x: Num) => leaked)(1));
    // Also when the jitted function is called under another transform.
    expectLeak(() => grad(jit((x: Num) => add(x, leaked)))(1));
    expectLeak(() => grad((x: Num) => add(x, jit((_y: Num) => leaked)(x)))(1));
  });
  it("a leaked tracer from jit, jvp or vjp is named after that transform", () => {
    expectLeak(() => grad((x: Num) => x)(leakedFrom("jvp")), "jvp");
    expectLeak(() => jvp((x: Num) => x, [1], [leakedFrom("vjp")]), "vjp");
    expectLeak(() => jvp((x: Num) => x, [leakedFrom("jit")], [1]), "jit");
  });
});

describe("hasAux returning a leaked tracer is refused", () => {
  const aux = (leaked: Num) => (x: Num) => [mul(x, x), { kept: [1, leaked] }] as [Num, unknown];
  it("under grad and valueAndGrad", () => {
    const leaked = leakedFrom();
    expectLeak(() => grad(aux(leaked), { hasAux: true })(3));
    expectLeak(() => valueAndGrad(aux(leaked), { hasAux: true })(3));
  });
  it("under jacfwd, jacrev and hessian", () => {
    const leaked = leakedFrom();
    expectLeak(() => jacfwd(aux(leaked), { hasAux: true })(3));
    expectLeak(() => jacrev(aux(leaked), { hasAux: true })(3));
    expectLeak(() => hessian(aux(leaked), { hasAux: true })(3));
  });
  it("a leaked tracer as the whole aux", () => {
    const leaked = leakedFrom();
    expectLeak(() => grad((x: Num) => [x, leaked] as [Num, unknown], { hasAux: true })(3));
  });
  it("aux holding the transform's own values and outer values is still lowered", () => {
    const [g, a] = grad((x: Num) => [mul(x, x), { x, s: sin(x), k: 7 }] as [Num, { x: Num; s: Num; k: number }], { hasAux: true })(2);
    expect(g).toBe(4);
    expect(a).toEqual({ x: 2, s: Math.sin(2), k: 7 });
  });
});

describe("a transformed function returning a leaked tracer is refused", () => {
  const returning = (leaked: Num) => (x: Num) => [x, leaked];
  it("under grad and valueAndGrad (scalar output)", () => {
    const leaked = leakedFrom();
    expectLeak(() => grad((_x: Num) => leaked)(1));
    expectLeak(() => valueAndGrad((_x: Num) => leaked)(1));
  });
  it("under vjp", () => {
    const leaked = leakedFrom();
    expectLeak(() => vjp(returning(leaked), 1));
  });
  it("under jvp", () => {
    const leaked = leakedFrom();
    expectLeak(() => jvp(returning(leaked), [1], [1]));
    expectLeak(() => jvp((_x: Num) => leaked, [1], [1]));
  });
  it("under jit and makeGraph", () => {
    const leaked = leakedFrom();
    expectLeak(() => jit(returning(leaked))(1));
    expectLeak(() => makeGraph(returning(leaked))(1));
  });
  it("under jacrev, jacfwd and hessian", () => {
    const leaked = leakedFrom();
    expectLeak(() => jacrev(returning(leaked))(1));
    expectLeak(() => jacfwd(returning(leaked))(1));
    expectLeak(() => hessian((_x: Num) => leaked)(1));
  });
  it("under hvp", () => {
    const leaked = leakedFrom();
    expectLeak(() => hvp((x: Num[]) => add(mul(x[0]!, x[0]!), leaked))([1], [1]));
  });
});

describe("values of enclosing transforms are not leaks", () => {
  it("an outer tracer returned from an inner transform's output and aux", () => {
    // d/dx of the inner jvp's primal output, which is the outer x itself.
    expect(grad((x: Num) => jvp((_y: Num) => x, [1], [1])[0] as Num)(3)).toBe(1);
    expect(grad((x: Num) => grad((y: Num) => [mul(x, y), x] as [Num, unknown], { hasAux: true })(1)[1] as Num)(3)).toBe(1);
    expect(grad((x: Num) => jit((_y: Num) => mul(x, x))(1))(3)).toBe(6);
  });
  it("an outer tracer as a jvp tangent and as a pullback cotangent", () => {
    expect(grad((t: Num) => jvp((y: Num) => mul(y, 5), [1], [t])[1] as Num)(3)).toBe(5);
    expect(
      grad((c: Num) => {
        const [, pb] = vjp((y: Num) => mul(y, 5), 1);
        return pb(c)[0] as Num;
      })(2),
    ).toBe(5);
  });
});

describe("lowerAux walks deep aux without recursion", () => {
  it("aux nested 10⁵ levels deep comes back under grad with hasAux", () => {
    const depth = 100_000;
    const [g, aux] = grad(
      (x: Num) => {
        let tree: unknown = x;
        for (let i = 0; i < depth; i++) tree = i % 2 === 0 ? [tree] : { a: tree };
        return [mul(x, x), tree] as [Num, unknown];
      },
      { hasAux: true },
    )(3);
    expect(g).toBe(6);
    let t: unknown = aux;
    for (let i = depth - 1; i >= 0; i--) {
      if (i % 2 === 0) {
        expect(Array.isArray(t)).toBe(true);
        t = (t as unknown[])[0];
      } else {
        t = (t as { a: unknown }).a;
      }
    }
    expect(t).toBe(3);
  });
  it("shared parts stay shared and cycles stay cycles", () => {
    const [, aux] = grad(
      (x: Num) => {
        const shared = { v: x };
        const cyclic: unknown[] = [x];
        cyclic.push(cyclic);
        return [x, { p: shared, q: shared, c: cyclic }] as [Num, unknown];
      },
      { hasAux: true },
    )(4);
    const a = aux as { p: { v: number }; q: unknown; c: unknown[] };
    expect(a.p).toBe(a.q);
    expect(a.p.v).toBe(4);
    expect(a.c[0]).toBe(4);
    expect(a.c[1]).toBe(a.c);
  });
  it("non-tree values in aux come back untouched", () => {
    const fn = () => 1;
    const date = new Date(0);
    const [, aux] = grad((x: Num) => [x, [fn, date, "s", null, undefined]] as [Num, unknown], { hasAux: true })(1);
    expect(aux).toEqual([fn, date, "s", null, undefined]);
    expect((aux as unknown[])[0]).toBe(fn);
  });
  it("a leaked tracer deep in aux is refused", () => {
    const leaked = leakedFrom();
    expect(() =>
      grad(
        (x: Num) => {
          let tree: unknown = leaked;
          for (let i = 0; i < 1000; i++) tree = { a: tree };
          return [x, tree] as [Num, unknown];
        },
        { hasAux: true },
      )(1),
    ).toThrow(TracerLeakError);
  });
  it("a leaked tracer in aux is a ChainruleError", () => {
    const leaked = leakedFrom();
    expect(() => grad((x: Num) => [x, [leaked]] as [Num, unknown], { hasAux: true })(1)).toThrow(ChainruleError);
  });
});
