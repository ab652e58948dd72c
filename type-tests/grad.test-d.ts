import { expectAssignable, expectError, expectType } from "tsd";
import { grad, valueAndGrad, mul, add, sum, dot, type Num } from "chainrule";

// A record of parameters: the gradient has exactly its type.
const loss = (p: { w: Num[]; b: Num }, x: number[]) => add(dot(p.w, x), p.b);
expectType<{ w: number[]; b: number }>(grad(loss)({ w: [1, 2], b: 0 }, [3, 4]));

// Wrong shapes are compile errors.
expectError(grad(loss)({ w: [1, 2] }, [3, 4]));
expectError(grad(loss)({ w: [1, "2"], b: 0 }, [3, 4]));
expectError(grad(loss)({ w: [1, 2], b: "0" }, [3, 4]));

// Tuples keep their length.
expectType<[number, number]>(grad((p: [Num, Num]) => mul(p[0], p[1]))([1, 2]));

// Scalars, and grad of grad.
const f = (x: Num) => mul(x, mul(x, x));
expectType<number>(grad(f)(2));
expectType<number>(grad(grad(f))(2));
expectType<number>(grad(grad(grad(f)))(2));

// Interfaces work as well as type aliases.
interface Layer {
  w: Num[];
  b: Num;
}
interface Model {
  layers: Layer[];
  scale: Num;
}
const modelLoss = (m: Model) => mul(m.scale, sum(m.layers.map((l) => add(sum(l.w), l.b))));
expectType<{ layers: { w: number[]; b: number }[]; scale: number }>(
  grad(modelLoss)({ layers: [{ w: [1], b: 2 }], scale: 3 }),
);

// Readonly arrays keep being readonly.
const ro = (xs: readonly Num[]) => sum(xs);
expectType<readonly number[]>(grad(ro)([1, 2]));

// argnums: a number picks that argument; an inline array gives a tuple.
const g3 = (a: Num, b: { c: Num }, d: Num[]) => add(mul(a, b.c), sum(d));
expectType<{ c: number }>(grad(g3, { argnums: 1 })(1, { c: 2 }, [3]));
expectType<[number, number[]]>(grad(g3, { argnums: [0, 2] })(1, { c: 2 }, [3]));
expectType<[number, { c: number }, number[]]>(grad(g3, { argnums: [0, 1, 2] })(1, { c: 2 }, [3]));

// Arguments not differentiated may be anything.
const withConfig = (x: Num, cfg: { name: string; scale: number }) => mul(x, cfg.scale);
expectType<number>(grad(withConfig)(1, { name: "a", scale: 2 }));

// hasAux: [gradient, aux], aux with Num leaves as numbers.
const withAux = (x: Num) => [mul(x, x), { sq: mul(x, x), tag: "t" }] as const;
const [gAux, aux] = grad(withAux, { hasAux: true })(3);
expectType<number>(gAux);
expectType<number>(aux.sq);
expectType<"t">(aux.tag);

// valueAndGrad.
expectType<[number, number]>(valueAndGrad(f)(2));
expectType<[number, [number, number[]]]>(valueAndGrad(g3, { argnums: [0, 2] })(1, { c: 2 }, [3]));
const [[v, auxV], gV] = valueAndGrad(withAux, { hasAux: true })(3);
expectType<number>(v);
expectType<number>(gV);
expectAssignable<{ sq: number }>(auxV);

// A function returning a non-scalar is not accepted by grad.
expectError(grad((x: Num) => [x, x]));
