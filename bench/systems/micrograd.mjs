// A micrograd-style tape, after micrograd's engine.py: Value objects holding data and grad, each
// result remembering its children and a _backward closure; backward() sorts the graph
// topologically and runs the closures in reverse. The recursive sort (as in engine.py)
// overflows the stack on deep graphs; backwardIterative() is the same with an explicit stack.
export class Value {
  constructor(data, children = [], op = "") {
    this.data = data;
    this.grad = 0;
    this._backward = () => {};
    this._prev = children;
    this._op = op;
  }
  add(other) {
    other = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + other.data, [this, other], "+");
    out._backward = () => { this.grad += out.grad; other.grad += out.grad; };
    return out;
  }
  mul(other) {
    other = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * other.data, [this, other], "*");
    out._backward = () => { this.grad += other.data * out.grad; other.grad += this.data * out.grad; };
    return out;
  }
  pow(k) {
    const out = new Value(this.data ** k, [this], `**${k}`);
    out._backward = () => { this.grad += k * this.data ** (k - 1) * out.grad; };
    return out;
  }
  exp() {
    const out = new Value(Math.exp(this.data), [this], "exp");
    out._backward = () => { this.grad += out.data * out.grad; };
    return out;
  }
  tanh() {
    const out = new Value(Math.tanh(this.data), [this], "tanh");
    out._backward = () => { this.grad += (1 - out.data * out.data) * out.grad; };
    return out;
  }
  sin() {
    const out = new Value(Math.sin(this.data), [this], "sin");
    out._backward = () => { this.grad += Math.cos(this.data) * out.grad; };
    return out;
  }
  neg() { return this.mul(-1); }
  sub(other) { return this.add(other instanceof Value ? other.neg() : -other); }
  rsub(other) { return this.neg().add(other); } // other - this
  div(other) { return this.mul(other instanceof Value ? other.pow(-1) : 1 / other); }
  backward() {
    const topo = [];
    const visited = new Set();
    const buildTopo = (v) => {
      if (!visited.has(v)) {
        visited.add(v);
        for (const child of v._prev) buildTopo(child);
        topo.push(v);
      }
    };
    buildTopo(this);
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i]._backward();
  }
  backwardIterative() {
    const topo = [];
    const visited = new Set([this]);
    const stack = [this];
    const next = [0]; // index of the next child to visit, per stack entry
    while (stack.length > 0) {
      const v = stack[stack.length - 1];
      const i = next[next.length - 1];
      if (i < v._prev.length) {
        next[next.length - 1] = i + 1;
        const c = v._prev[i];
        if (!visited.has(c)) { visited.add(c); stack.push(c); next.push(0); }
      } else { topo.push(v); stack.pop(); next.pop(); }
    }
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i]._backward();
  }
}
