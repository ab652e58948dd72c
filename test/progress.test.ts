// The examples' progress line: one updating line on a terminal, plain lines elsewhere (CI).
import { describe, expect, it } from "vitest";
import { progressLine } from "../examples/progress.mjs";

/** A stream that records what is written, and a clock that advances 100 ms a call. */
function fixture(isTTY: boolean) {
  const written: string[] = [];
  let t = 0;
  const progress = progressLine({ total: 100, stream: { isTTY, write: (s: string) => written.push(s) }, now: () => (t += 100) });
  return { written, progress };
}

describe("progressLine", () => {
  it("writes one line a report, with the loss and the steps per second, when not on a terminal", () => {
    const { written, progress } = fixture(false);
    progress.report(10, { loss: 0.123456 });
    progress.report(30, { loss: 0.05 });
    progress.done();
    expect(written).toEqual(["step  10/100   loss 0.1235   100 steps/s\n", "step  30/100   loss 0.0500   200 steps/s\n"]);
    expect(written.join("")).not.toContain("\r");
  });

  it("updates one line in place on a terminal, blanking what a shorter line leaves, and ends it", () => {
    const { written, progress } = fixture(true);
    progress.report(10, { loss: 12.5 });
    progress.report(20, { loss: 1 });
    progress.done();
    expect(written[0]).toBe("\rstep  10/100   loss 12.5000   100 steps/s");
    expect(written[1]).toBe("\rstep  20/100   loss 1.0000   100 steps/s ");
    expect(written[1]!.length).toBe(written[0]!.length);
    expect(written[2]).toBe("\n");
    expect(written.slice(0, 2).join("")).not.toContain("\n");
  });
});
