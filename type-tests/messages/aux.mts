// hasAux: the function returns a pair [out, aux].
import { grad, jacrev, mul, valueAndGrad, type Num } from "chainrule";

const noConst = (x: Num) => [mul(x, x), { x }];
grad(noConst, { hasAux: true }); // error: "grad: with hasAux, the function must return a pair [out, aux], but its result is typed as an array: write `return [out, aux] as const`, or annotate the return type"
valueAndGrad((x: Num) => [x, x, x], { hasAux: true }); // error: "valueAndGrad: with hasAux, the function must return a pair [out, aux], not 3 values"
grad((x: Num) => mul(x, x), { hasAux: true }); // error: "grad: with hasAux, the function must return a pair [out, aux]"
grad((x: Num) => [[x], "aux"], { hasAux: true }); // error: "grad: with hasAux, the function must return a pair [out, aux] whose out is a scalar Num"
jacrev((x: Num) => ["x", 1], { hasAux: true }); // error: "jacrev: with hasAux, the function must return a pair [out, aux] whose out is a tree of Num"
declare const flag: boolean;
grad((x: Num) => mul(x, x), { hasAux: flag }); // error: "grad: hasAux must be written as true or false, not a boolean variable

// Accepted: a pair written inline (no `as const` needed), `as const`, or an annotated return type.
grad((x: Num) => [mul(x, x), { x }], { hasAux: true });
grad((x: Num) => [mul(x, x), { x }] as const, { hasAux: true });
grad((x: Num): [Num, { x: Num }] => [mul(x, x), { x }], { hasAux: true });
