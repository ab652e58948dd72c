import { expectError, expectType } from "tsd";
import { add, checkpoint, cond, foriLoop, gt, mul, scan, sin, switchCase, whileLoop, type Num, type ScanOptions, type WhileOptions } from "chainrule";

// scan: the carry and ys types follow the body's.
expectType<[Num, Num[]]>(scan((c: Num, x: Num) => [add(c, x), mul(c, x)] as const, 0, [1, 2]));
// an inline pair without `as const` is a pair too
expectType<[Num, Num[]]>(scan((c: Num, x: Num) => [add(c, x), mul(c, x)], 0, [1, 2]));

// tree carries keep their type; tree xs and ys too
interface Carry {
  w: Num;
  b: Num[];
}
const [carry, ys] = scan(
  (c: Carry, x: { a: Num }) => [{ w: add(c.w, x.a), b: c.b }, { s: c.w, t: [x.a] }] as const,
  { w: 1, b: [2, 3] },
  [{ a: 1 }, { a: 2 }],
);
expectType<Carry>(carry);
expectType<{ readonly s: Num; readonly t: readonly [Num] }[]>(ys);

// xs = null with a length: x is undefined
expectType<[Num, Num[]]>(scan((c: Num, _x: undefined) => [mul(c, 2), c] as const, 1, null, { length: 3 }));

// init must match the body's carry type
expectError(scan((c: { w: Num }, x: Num) => [c, x] as const, { v: 1 }, [1]));
expectError(scan((c: Num, x: Num) => [add(c, x), x] as const, [0], [1]));
// the carry output must have the carry's type
expectError(scan((c: Num, x: Num) => [[c], x] as const, 0, [1]));
// xs must match the body's element type
expectError(scan((c: Num, x: { a: Num }) => [add(c, x.a), x] as const, 0, [1, 2]));

// options
const options: ScanOptions = { reverse: true, length: 2, checkpoint: { snapshots: 8 } };
scan((c: Num, x: Num) => [add(c, x), x] as const, 0, [1, 2], options);
scan((c: Num, x: Num) => [add(c, x), x] as const, 0, [1, 2], { checkpoint: "all" });
expectError(scan((c: Num, x: Num) => [add(c, x), x] as const, 0, [1, 2], { reversed: true }));
expectError(scan((c: Num, x: Num) => [add(c, x), x] as const, 0, [1, 2], { checkpoint: "some" }));

// foriLoop and whileLoop return the carry type
expectType<Num>(foriLoop(0, 5, (i: Num, c: Num) => add(c, i), 0));
expectType<Carry>(foriLoop(0, 5, (_i: Num, c: Carry) => ({ w: sin(c.w), b: c.b }), { w: 1, b: [] }));
expectError(foriLoop(0, 5, (_i: Num, c: Carry) => c, { w: 1 }));
expectType<Num>(whileLoop((c: Num) => gt(10, c), (c: Num) => add(c, 1), 0));
expectType<[Num, Num]>(whileLoop((c: [Num, Num]) => gt(10, c[0]), (c: [Num, Num]) => [add(c[0], 1), c[1]], [0, 1]));
const whileOptions: WhileOptions = { maxSteps: 100 };
whileLoop((c: Num) => gt(10, c), (c: Num) => add(c, 1), 0, whileOptions);
expectError(whileLoop((c: Num) => gt(10, c), (c: Num) => add(c, 1), 0, { maxIterations: 100 }));
expectError(whileLoop((c: Num) => gt(10, c), (c: Num) => [c], 0));

// cond and switchCase return the branches' type
expectType<Num>(cond(1, (x: Num) => sin(x), (x: Num) => mul(x, 2), 3));
expectType<Num>(cond(1, (x: Num, y: Num) => add(x, y), () => 0, 3, 4));
expectType<{ a: Num }>(cond(1, (x: Num) => ({ a: x }), (x: Num) => ({ a: sin(x) }), 3));
expectError(cond(1, (x: Num) => sin(x), (x: Num) => [x], 3));
expectError(cond(1, (x: Num) => ({ a: x }), (x: Num) => ({ b: x }), 3));
expectError(cond(1, (x: Num) => sin(x), (x: Num) => x, "3"));
expectType<Num>(switchCase(1, [(x: Num) => sin(x), (x: Num) => mul(x, x)], 2));
expectError(switchCase(1, [(x: Num) => sin(x), (x: Num) => [x]], 2));

// checkpoint keeps the signature
const f = (p: { w: Num[] }, x: Num): Num => mul(p.w[0]!, x);
expectType<typeof f>(checkpoint(f));

// a pair written `as const` makes nested arrays readonly: still accepted for a mutable carry type
expectType<[[Num, Num], Num[]]>(scan((c: [Num, Num], x: Num) => [[add(c[0], x), c[1]], x] as const, [0, 1], [1, 2]));
expectType<Carry>(scan((c: Carry, x: Num) => [{ w: add(c.w, x), b: [c.w] }, x] as const, { w: 1, b: [2] }, [1])[0]);
