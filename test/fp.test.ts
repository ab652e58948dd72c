// tryCatchChainrule: chainrule's errors as fp-ts Lefts, everything else rethrown.
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { describe, expect, it } from "vitest";
import {
  ChainruleError,
  decodeTree,
  grad,
  mul,
  NonScalarOutputError,
  sum,
  tryCatchChainrule,
  TreeStructureError,
  valueAndGrad,
  type Num,
} from "../src/index.js";

const loss = (p: { w: Num[] }) => sum(p.w.map((w) => mul(w, w)));

describe("tryCatchChainrule", () => {
  it("returns Right with the result", () => {
    expect(tryCatchChainrule(grad(loss))({ w: [1, -3] })).toEqual(E.right({ w: [2, -6] }));
    expect(tryCatchChainrule(valueAndGrad(loss))({ w: [2] })).toEqual(E.right([4, { w: [4] }]));
  });

  it("passes every argument through", () => {
    const f = tryCatchChainrule((a: number, b: string, c?: boolean) => `${a}${b}${String(c)}`);
    expect(f(1, "x")).toEqual(E.right("1xundefined"));
    expect(f(1, "x", true)).toEqual(E.right("1xtrue"));
  });

  it("turns ChainruleErrors into Left, keeping the error object", () => {
    const bad = tryCatchChainrule(grad(loss))({ w: [1, "2" as unknown as number] });
    expect(E.isLeft(bad)).toBe(true);
    if (E.isLeft(bad)) {
      expect(bad.left).toBeInstanceOf(TreeStructureError);
      expect(bad.left.message).toMatch(/w\[1\]/);
    }
    const nonScalar = tryCatchChainrule(grad((x: Num) => [x, x] as unknown as Num))(1);
    expect(E.isLeft(nonScalar) && nonScalar.left).toBeInstanceOf(NonScalarOutputError);
    const base = tryCatchChainrule(() => {
      throw new ChainruleError("plain");
    })();
    expect(E.isLeft(base) && base.left.message).toBe("plain");
  });

  it("rethrows every other exception unchanged", () => {
    const typeError = new TypeError("a bug");
    expect(() =>
      tryCatchChainrule(() => {
        throw typeError;
      })(),
    ).toThrow(typeError);
    expect(() =>
      tryCatchChainrule(() => {
        throw "a string";
      })(),
    ).toThrow("a string");
    // An exception thrown by user code inside a transform is not chainrule's either.
    expect(() =>
      tryCatchChainrule(
        grad((x: Num) => {
          throw new RangeError("user code");
          return x;
        }),
      )(1),
    ).toThrow(RangeError);
  });

  it("composes with pipe and decodeTree (the documented example)", () => {
    const safeGrad = tryCatchChainrule(grad(loss));
    const run = (json: string): string =>
      pipe(
        decodeTree({ w: [0, 0] }, JSON.parse(json)),
        E.chainW((params) => safeGrad(params)),
        E.match(
          (e) => `failed: ${e.name}`,
          (g) => `gradient: ${JSON.stringify(g)}`,
        ),
      );
    expect(run('{ "w": [1, 2] }')).toBe('gradient: {"w":[2,4]}');
    expect(run('{ "w": [1] }')).toBe("failed: TreeDecodeError");
  });
});
