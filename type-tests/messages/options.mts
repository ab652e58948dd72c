// Misspelt options and argnums that name no parameter.
import { grad, hessian, jacrev, mul, valueAndGrad, type Num } from "chainrule";

const f = (x: Num, y: Num) => mul(x, y);
grad(f, { argnum: 1 }); // error: Object literal may only specify known properties, but 'argnum' does not exist in type 'GradOptions<0, false>'. Did you mean to write 'argnums'?
grad(f, { hasaux: true }); // error: 'hasaux' does not exist in type 'GradOptions<0, false>'. Did you mean to write 'hasAux'?
grad(f, { staticArgnums: 1 }); // error: Object literal may only specify known properties, and 'staticArgnums' does not exist in type 'GradOptions<0, false>'
jacrev(f, { argnum: 1 }); // error: 'argnum' does not exist in type 'GradOptions<0, false>'. Did you mean to write 'argnums'?
valueAndGrad(f, { argnums: [0, 1], hasAux: false, extra: 1 }); // error: 'extra' does not exist in type

grad(f, { argnums: 2 }); // error: "grad: argnums 2 is not a parameter position: the function has 2 parameters"
valueAndGrad(f, { argnums: [0, 3] }); // error: "valueAndGrad: argnums 3 is not a parameter position: the function has 2 parameters"
jacrev((x: Num) => x, { argnums: -1 }); // error: "jacrev: argnums -1 is not a parameter position: the function has 1 parameter"
hessian((x: Num) => x, { argnums: 1 }); // error: "hessian: argnums 1 is not a parameter position: the function has 1 parameter"

// Accepted: every position of the parameters, optional ones, rest parameters, argnums from a variable.
grad(f, { argnums: [0, 1] });
grad((x: Num, y?: Num) => mul(x, y ?? 1), { argnums: 1 });
grad((...xs: Num[]) => mul(xs[0]!, xs[1]!), { argnums: 5 });
declare const which: number;
grad(f, { argnums: which });
