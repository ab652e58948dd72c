// Loops: the body, init and branches disagree.
import { add, cond, foriLoop, gt, scan, sin, switchCase, whileLoop, type Num } from "chainrule";

scan((c: { w: Num }, x: Num) => [c, x] as const, { v: 1 }, [1]); // error: 'v' does not exist in type '{ w: Num; }'
scan((c: Num, x: Num) => [[c], x] as const, 0, [1]); // error: Argument of type '(c: Num, x: Num) => readonly [readonly [Num], Num]' is not assignable
scan((c: Num, x: Num) => [add(c, x), x] as const, 0, [1, 2], { reversed: true }); // error: 'reversed' does not exist in type 'ScanOptions'. Did you mean to write 'reverse'?
foriLoop(0, 5, (_i: Num, c: { w: Num }) => c, { v: 1 }); // error: 'v' does not exist in type '{ w: Num; }'
whileLoop((c: Num) => gt(10, c), (c: Num) => [c], 0); // error: Argument of type '(c: Num) => Num[]' is not assignable to parameter of type '(carry: Num) =>
cond(1, (x: Num) => sin(x), (x: Num) => [x], 3); // error: Argument of type '(x: Num) => Num[]' is not assignable
switchCase(1, [(x: Num) => sin(x), (x: Num) => [x]], 2); // error: Type '(x: Num) => Num[]' is not assignable

// Accepted: annotated bodies, inline pairs, trees.
scan((c: Num, x: Num) => [add(c, x), x], 0, [1, 2]);
scan((c: { w: Num; b: Num[] }, x: Num) => [{ w: add(c.w, x), b: c.b }, c.w] as const, { w: 1, b: [2] }, [1]);
foriLoop(0, 5, (i: Num, c: Num) => add(c, i), 0);
cond(1, (x: Num) => sin(x), () => 0, 3);
