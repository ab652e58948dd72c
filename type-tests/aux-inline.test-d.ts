import { expectType } from "tsd";
import { grad, mul, type Num } from "chainrule";
// hasAux with an inline array literal (no `as const`): the pair is inferred as a tuple.
const [g, aux] = grad((x: Num) => [mul(x, x), { n: 1 }], { hasAux: true })(3);
expectType<number>(g);
expectType<number>(aux.n);
