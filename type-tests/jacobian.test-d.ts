import { expectError, expectType } from "tsd";
import { add, hessian, hvp, jacfwd, jacrev, mul, sin, sum, type Num } from "chainrule";

// Vector in, vector out: number[][], row i = output i.
const vec = (x: Num[]): Num[] => [mul(x[0]!, x[1]!), sin(x[0]!)];
expectType<number[][]>(jacfwd(vec)([1, 2]));
expectType<number[][]>(jacrev(vec)([1, 2]));

// Scalar out: the Jacobian is the gradient.
const scalar = (x: Num[]): Num => mul(x[0]!, x[1]!);
expectType<number[]>(jacfwd(scalar)([1, 2]));
expectType<number[]>(jacrev(scalar)([1, 2]));

// Records in and out: each output leaf becomes an input-shaped tree.
const rec = (p: { a: Num; b: Num[] }) => ({ s: add(p.a, sum(p.b)), pair: [p.a, mul(p.a, p.a)] as [Num, Num] });
type In = { a: number; b: number[] };
expectType<{ s: In; pair: [In, In] }>(jacfwd(rec)({ a: 1, b: [2] }));
expectType<{ s: In; pair: [In, In] }>(jacrev(rec)({ a: 1, b: [2] }));

// argnums: a number picks the argument; an inline array gives a tuple per output leaf.
const two = (x: Num, y: { c: Num[] }, label: string): Num[] => [mul(x, y.c[0]!), label === "" ? x : y.c[0]!];
expectType<{ c: number[] }[]>(jacrev(two, { argnums: 1 })(1, { c: [2] }, "l"));
expectType<[number, { c: number[] }][]>(jacfwd(two, { argnums: [0, 1] })(1, { c: [2] }, "l"));

// hasAux.
const [j, aux] = jacrev((x: Num[]) => [[mul(x[0]!, 2)], { tag: "t", v: x[0]! }], { hasAux: true })([1]);
expectType<[number[]]>(j); // the inline output literal is a tuple (const inference, as in grad)
expectType<number>(aux.v);

// hessian of a scalar function of a vector: number[][].
expectType<number[][]>(hessian(scalar)([1, 2]));
expectType<number>(hessian((x: Num) => mul(x, mul(x, x)))(2));
expectType<{ a: In; b: In[] }>(hessian((p: { a: Num; b: Num[] }) => mul(p.a, sum(p.b)))({ a: 1, b: [2] }));

// hvp returns x's type; v has x's shape; extra arguments follow.
expectType<number[]>(hvp(scalar)([1, 2], [0, 1]));
const withData = (p: { w: Num[]; b: Num }, data: number[]) => add(mul(p.w[0]!, data[0]!), mul(p.b, p.b));
expectType<{ w: number[]; b: number }>(hvp(withData)({ w: [1], b: 2 }, { w: [1], b: 0 }, [3]));
expectError(hvp(withData)({ w: [1], b: 2 }, { w: [1] }, [3]));

// Nesting: inside another transform the same functions compose.
expectType<number[][]>(jacfwd(jacrev(scalar))([1, 2]));
