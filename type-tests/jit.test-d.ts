import { expectError, expectType } from "tsd";
import { add, grad, jit, mul, sum, valueAndGrad, type Lowered, type Num } from "chainrule";

// Same parameters as f; Num leaves of the result come back as number.
const f = (x: Num, y: Num) => mul(x, y);
expectType<number>(jit(f)(1, 2));
expectError(jit(f)(1));
expectError(jit(f)(1, "2"));

// Trees in and out. Data is traced too, so it is typed Num (number[] is refused: see jit-misuse.test-d.ts).
const loss = (p: { w: Num[]; b: Num }, x: Num[]) => add(sum(p.w.map((w, i) => mul(w, x[i]!))), p.b);
expectType<number>(jit(loss)({ w: [1, 2], b: 0 }, [3, 4]));
expectError(jit(loss)({ w: [1, 2] }, [3, 4]));
expectType<{ s: number; v: number[] }>(jit((x: Num) => ({ s: x, v: [x, mul(x, 2)] }))(1));
expectType<[number, number]>(jit((p: [Num, Num]): [Num, Num] => [p[1], p[0]])([1, 2]));

// Composed with the other transforms.
expectType<{ w: number[]; b: number }>(jit(grad(loss))({ w: [1, 2], b: 0 }, [3, 4]));
expectType<[number, { w: number[]; b: number }]>(jit(valueAndGrad(loss))({ w: [1, 2], b: 0 }, [3, 4]));
expectType<number>(grad(jit((x: Num) => mul(x, x)))(3));
expectType<number>(jit(grad(grad((x: Num) => mul(x, mul(x, x)))))(2));

// Static arguments keep their types.
const scaled = jit((x: Num, cfg: { k: number; name: string }) => mul(x, cfg.k), { staticArgnums: 1 });
expectType<number>(scaled(2, { k: 3, name: "a" }));
expectError(jit((x: Num) => x, { staticArgnums: "0" }));

// lower() takes the same arguments.
expectType<Lowered>(jit(f).lower(1, 2));
expectType<string | undefined>(jit(f).lower(1, 2).source);
expectError(jit(f).lower(1));
