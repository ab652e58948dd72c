// The function given to grad, valueAndGrad, jacfwd, jacrev or hessian returns the wrong thing.
import { customJvp, customVjp, grad, hessian, hvp, jacfwd, jacrev, jvp, mul, valueAndGrad, vjp, type Num } from "chainrule";

grad((x: Num) => [x, mul(x, x)]); // error: "grad: the function must return a scalar Num, not an array (for a vector output use jacrev or jacfwd)"
grad((x: Num[]) => x.map((v) => mul(v, v))); // error: "grad: the function must return a scalar Num, not an array
grad((x: Num) => ({ y: x })); // error: "grad: the function must return a scalar Num, not an object (for a tree output use jacrev or jacfwd)"
grad((x: Num) => "x"); // error: "grad: the function must return a scalar Num"
grad((x: Num) => (x === 0 ? "zero" : x)); // error: "grad: the function must return a scalar Num"
valueAndGrad((x: Num) => [x, x]); // error: "valueAndGrad: the function must return a scalar Num, not an array
jacrev((x: Num) => "x"); // error: "jacrev: the function must return a tree of Num (a Num, or arrays and plain objects of them)"
jacfwd((x: Num) => ({ y: x, label: "y" })); // error: "jacfwd: the function must return a tree of Num
hessian((x: Num) => [x, "x"]); // error: "hessian: the function must return a tree of Num
hessian((x: Num) => new Date()); // error: "hessian: the function must return a tree of Num
hvp((x: Num[]) => x); // error: "hvp: the function must return a scalar Num, not an array
vjp((x: Num) => ({ y: x, label: "y" }), 1); // error: "vjp: the function must return a tree of Num
jvp((x: Num) => "x", [1], [1]); // error: "jvp: the function must return a tree of Num
customVjp((x: Num) => "x", { fwd: (x) => ["x", x], bwd: (x, ct) => [ct] }); // error: "customVjp: the function must return a tree of Num
customJvp((x: Num) => true, { jvp: ([x], [t]) => [true, t] }); // error: "customJvp: the function must return a tree of Num

// Accepted: a scalar for grad, any tree of Num for the Jacobians.
grad((x: Num) => mul(x, x));
grad(function square(x: Num) {
  return mul(x, x);
});
jacrev((x: Num[]) => ({ y: x, z: [mul(x[0]!, 2)] }));
hessian((x: Num[]) => mul(x[0]!, x[1]!));
hvp((x: Num[]) => mul(x[0]!, x[1]!));
vjp((x: Num) => [x, { y: x }], 1);
jvp((x) => mul(x, x), [1], [1]);
customVjp((x: Num) => mul(x, x), { fwd: (x) => [mul(x, x), x], bwd: (x, ct) => [mul(ct, mul(2, x))] });
