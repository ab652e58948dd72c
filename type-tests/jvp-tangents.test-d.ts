import { expectError, expectType } from "tsd";
import { grad, jvp, sum, mul, type Num } from "chainrule";

// Tangents mirror the parameters, also for array and record parameters (a tuple stays a tuple).
const f = (x: Num[]) => sum(x);
expectType<[number, number]>(jvp(f, [[1, 2]], [[1, 0]]));
const rec = (p: { w: Num[] }, k: Num) => mul(sum(p.w), k);
expectType<[number, number]>(jvp(rec, [{ w: [1] }, 2], [{ w: [1] }, 0]));
expectError(jvp(rec, [{ w: [1] }, 2], [{ v: [1] }, 0]));

// jvp of an inline grad(f): forward over reverse.
expectType<[number[], number[]]>(jvp(grad(f), [[1, 2]], [[1, 0]]));
