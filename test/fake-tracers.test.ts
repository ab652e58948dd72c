// Objects pretending to be tracers (Tracer.prototype without the constructor, subclasses made
// outside chainrule, `{ _trace }`-shaped records, proxies and copies of real tracers) are refused
// with a ChainruleError saying they are not values made by chainrule — by every primitive, every
// transform, toNumber and String — and never crash with a TypeError.
import { describe, expect, it } from "vitest";
import {
  ChainruleError,
  checkGrads,
  customVjp,
  definePrimitive,
  explain,
  grad,
  hvp,
  jacfwd,
  jacrev,
  jit,
  jvp,
  makeGraph,
  mul,
  sin,
  sum,
  toNumber,
  Tracer,
  vjp,
  where,
  type Num,
} from "../src/index.js";

/** What the fake with a throwing `_trace` getter throws: the user's own exception may pass through unchanged. */
const USER_ERROR = new Error("the user's own getter");

/** A real tracer of a closed grad (its prototype and fields are copied by some fakes). */
function realTracer(): Tracer {
  let t: unknown = 0;
  grad((x: Num) => ((t = x), x))(1);
  return t as Tracer;
}

/** Each kind of fake, made fresh (inside an open transform where it copies a live tracer). */
const fakes: [string, (live?: Tracer) => unknown][] = [
  ["Object.create(Tracer.prototype)", () => Object.create(Tracer.prototype)],
  ["Object.create(Tracer.prototype) with a _trace field", () => Object.assign(Object.create(Tracer.prototype), { _trace: { active: true, level: 1, transform: "grad" } })],
  ["an object with a real tracer's prototype", () => Object.create(Object.getPrototypeOf(realTracer()))],
  ["a plain object shaped like a tracer with a live trace", (live) => ({ _trace: (live ?? realTracer())._trace, _id: 0 })],
  ["a plain { _trace } object", () => ({ _trace: { active: true, level: 5, transform: "grad", process: () => 1, primalOf: () => 1 } })],
  [
    "a subclass instance made without its constructor",
    () => {
      abstract class Fake extends (Tracer as unknown as abstract new () => object) {}
      return Object.create(Fake.prototype);
    },
  ],
  [
    "a Tracer whose _trace getter throws",
    () =>
      Object.create(Tracer.prototype, {
        _trace: {
          get() {
            throw USER_ERROR;
          },
        },
      }),
  ],
];

/**
 * Asserts a ChainruleError that says what the value is (never a TypeError). Where a tree is
 * expected, a plain `{ _trace }` record is a tree like any other: refusing it with a
 * TreeStructureError naming the path is right, so `plain` only asks for a ChainruleError.
 */
function expectRefused(run: () => unknown, plain = false): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  if (error === USER_ERROR) return;
  expect(error, "expected a ChainruleError").toBeInstanceOf(ChainruleError);
  if (!plain) expect((error as Error).message).toContain("not a value made by chainrule");
}

const asNum = (v: unknown) => v as Num;

describe("fake tracers are not Tracers", () => {
  for (const [name, make] of fakes) {
    it(`${name}: instanceof Tracer is false`, () => {
      const fake = make();
      let answer: unknown;
      try {
        answer = fake instanceof Tracer;
      } catch (e) {
        answer = e;
      }
      expect(answer === false || answer === USER_ERROR).toBe(true);
    });
  }
  it("real tracers are Tracers, of their own class only", () => {
    const t = realTracer();
    expect(t instanceof Tracer).toBe(true);
    expect(t).toBeInstanceOf(Tracer);
    const ctor = t.constructor as new (...args: never[]) => unknown;
    expect(t instanceof ctor).toBe(true);
    expect(Object.create(ctor.prototype) instanceof ctor).toBe(false);
  });
  it("a faithful copy or a transparent Proxy of a live tracer is the same value", () => {
    const copy = (x: Num) => Object.assign(Object.create(Object.getPrototypeOf(x) as object) as object, x) as Num;
    expect(grad((x: Num) => mul(copy(x), x))(3)).toBe(6);
    expect(grad((x: Num) => mul(new Proxy(x as Tracer, {}), x))(3)).toBe(6);
  });
  it("a subclass of Tracer cannot be constructed outside chainrule", () => {
    const Base = Tracer as unknown as new (key?: unknown) => object;
    class Fake extends Base {
      _trace = undefined;
    }
    class Guess extends Base {
      constructor() {
        super(Symbol("chainrule tracer"));
      }
    }
    expectRefused(() => new Fake());
    expectRefused(() => new Guess());
  });
});

describe("fake tracers given to primitives", () => {
  for (const [name, make] of fakes) {
    it(`${name}: mul, sin, sum, where, a user primitive and a custom function refuse it`, () => {
      const fake = asNum(make());
      expectRefused(() => mul(fake, 2));
      expectRefused(() => mul(2, fake));
      expectRefused(() => mul(fake, fake));
      expectRefused(() => sin(fake));
      expectRefused(() => sum([1, fake]));
      expectRefused(() => where(fake, 1, 2));
      const cube = definePrimitive({ name: `cubeFake${fakes.findIndex(([n]) => n === name)}`, impl: (x) => x * x * x, partials: ([x]) => [mul(3, mul(x!, x!))] });
      expectRefused(() => cube(fake));
      const custom = customVjp((x: Num) => mul(x, 2), { fwd: (x) => [mul(x, 2), null], bwd: (_r, ct) => [mul(ct, 2)] });
      expectRefused(() => custom(fake), name.startsWith("a plain")); // its arguments are trees
    });
    it(`${name}: refused next to a live tracer inside grad, also a fake copied from it`, () => {
      expectRefused(() => grad((x: Num) => mul(x, asNum(make(x as Tracer))))(1));
      expectRefused(() => grad((x: Num) => mul(asNum(make(x as Tracer)), x))(1));
      expectRefused(() => grad((x: Num) => sin(asNum(make(x as Tracer))))(1));
    });
  }
});

describe("fake tracers given to transforms, toNumber and String", () => {
  for (const [name, make] of fakes) {
    const plain = name.startsWith("a plain");
    it(`${name}: every transform refuses it as an argument`, () => {
      const fake = make();
      const id = (x: Num) => x;
      expectRefused(() => grad(id)(asNum(fake)), plain);
      expectRefused(() => jvp(id, [asNum(fake)], [1]), plain);
      expectRefused(() => jvp(id, [1], [asNum(fake)]), plain);
      expectRefused(() => vjp(id, asNum(fake)), plain);
      expectRefused(() => vjp(id, 1)[1](asNum(fake)), plain);
      expectRefused(() => jit(id)(asNum(fake)), plain);
      expectRefused(() => makeGraph(id)(asNum(fake)), plain);
      expectRefused(() => explain(id)(asNum(fake)), plain);
      expectRefused(() => jacfwd((x: Num[]) => x)([1, asNum(fake)]), plain);
      expectRefused(() => jacrev((x: Num[]) => x)([1, asNum(fake)]), plain);
      expectRefused(() => hvp((x: Num[]) => mul(x[0]!, x[0]!))([asNum(fake)], [1]), plain);
      // checkGrads passes non-tree arguments through to f, whose primitives refuse them.
      expectRefused(() => checkGrads((x: Num, y: Num) => mul(x, y), [1, asNum(fake)]));
    });
    it(`${name}: a function returning it is refused`, () => {
      const fake = make();
      expectRefused(() => grad((_x: Num) => asNum(fake))(1));
      expectRefused(() => jvp((_x: Num) => asNum(fake), [1], [1]), plain);
      expectRefused(() => vjp((_x: Num) => asNum(fake), 1), plain);
      expectRefused(() => jit((_x: Num) => asNum(fake))(1), plain);
      expectRefused(() => jacrev((x: Num) => [x, asNum(fake)])(1), plain);
    });
    it(`${name}: toNumber refuses it`, () => {
      expectRefused(() => toNumber(asNum(make())));
    });
  }
  it("String(fake), a template literal and JavaScript operators on a fake with Tracer.prototype are refused", () => {
    const fake = Object.create(Tracer.prototype) as Tracer;
    expectRefused(() => String(fake));
    expectRefused(() => `${fake}`);
    expectRefused(() => (fake as unknown as number) + 1);
    expectRefused(() => fake.toString());
  });
  it("the error names the primitive and the argument", () => {
    let message = "";
    try {
      mul(2, asNum(Object.create(Tracer.prototype)));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("mul: argument 1");
  });
  it("a transform argument's error names its path", () => {
    let message = "";
    try {
      grad((p: { w: Num[] }) => p.w[0]!)({ w: [1, asNum(Object.create(Tracer.prototype))] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("w[1]");
  });
});
