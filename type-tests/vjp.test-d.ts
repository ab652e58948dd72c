import { expectError, expectType } from "tsd";
import { vjp, add, mul, sin, sum, type Num } from "chainrule";

// The output comes back as numbers with its own shape; the pullback takes a cotangent of that
// shape and returns one gradient per primal, each shaped like its primal.
const f = (p: { w: Num[]; b: Num }, x: Num) => ({ y: add(mul(sum(p.w), x), p.b), s: [sin(x)] });
const [out, pullback] = vjp(f, { w: [1, 2], b: 0 }, 3);
expectType<{ y: number; s: number[] }>(out);
expectType<[{ w: number[]; b: number }, number]>(pullback({ y: 1, s: [0] }));

// A cotangent of the wrong shape is a compile error.
expectError(pullback({ y: 1 }));
expectError(pullback({ y: "1", s: [0] }));

// Scalars and tuples.
const [v, pb] = vjp((x: Num, y: Num) => mul(x, y), 2, 3);
expectType<number>(v);
expectType<[number, number]>(pb(1));
const [t] = vjp((p: [Num, Num]) => [p[1], p[0]] as [Num, Num], [1, 2]);
expectType<[number, number]>(t);
