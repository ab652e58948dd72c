// Parameters of the wrong shape passed to the gradient function.
import { add, dot, grad, type Num } from "chainrule";

const loss = (p: { w: Num[]; b: Num }, x: number[]) => add(dot(p.w, x), p.b);
grad(loss)({ w: [1, 2], b: 0, c: 3 }, [1, 1]); // error: Object literal may only specify known properties, and 'c' does not exist in type '{ w: Num[]; b: Num; }'
grad(loss)({ w: [1, "2"], b: 0 }, [1, 1]); // error: Type 'string' is not assignable to type 'Num'
grad(loss)({ w: 1, b: 0 }, [1, 1]); // error: Type 'number' is not assignable to type 'Num[]'
// A missing key: the first line shows both types; the second names the key ("Property 'b' is missing …").
grad(loss)({ w: [1, 2] }, [1, 1]); // error: Argument of type '{ w: number[]; }' is not assignable to parameter of type '{ w: Num[]; b: Num; }'
