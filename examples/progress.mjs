// A progress line for long-running examples: every report shows the step, the values given
// (loss, accuracy, …) and the steps per second since the previous report. On a terminal it is
// one line updated in place (`\r`); when the output is not a terminal (a file, a pipe, CI) each
// report is a line of its own, so logs stay readable.
//
//   const progress = progressLine({ total: 100 });
//   progress.report(10, { loss: 0.1234 });   // step   10/100   loss 0.1234   812 steps/s
//   progress.done();

/** How a value is shown: numbers to 4 decimals, anything else as it is. */
const show = (v) => (typeof v === "number" ? v.toFixed(4) : String(v));

/**
 * Makes a progress reporter for a loop of `total` steps, writing to `stream` (default
 * process.stdout; `stream.isTTY` decides between one updating line and plain lines). `now`
 * (milliseconds) is a parameter so that tests can give a clock.
 */
export function progressLine({ total, stream = process.stdout, now = () => performance.now() } = {}) {
  const tty = stream.isTTY === true;
  const width = String(total ?? "").length;
  let lastStep = 0;
  let lastTime = now();
  let shown = 0; // length of the line on the terminal, to blank what a shorter line leaves
  return {
    /** Reports that `step` steps are done; `fields` are the values to show, e.g. `{ loss }`. */
    report(step, fields = {}) {
      const t = now();
      const rate = t > lastTime ? ((step - lastStep) * 1000) / (t - lastTime) : Infinity;
      lastStep = step;
      lastTime = t;
      const parts = [`step ${String(step).padStart(width)}${total === undefined ? "" : `/${total}`}`];
      for (const [name, value] of Object.entries(fields)) parts.push(`${name} ${show(value)}`);
      parts.push(Number.isFinite(rate) ? `${rate.toFixed(0)} steps/s` : "- steps/s");
      const line = parts.join("   ");
      if (tty) {
        stream.write(`\r${line.padEnd(shown)}`);
        shown = line.length;
      } else stream.write(`${line}\n`);
    },
    /** Ends the updating line on a terminal (nothing to do otherwise). */
    done() {
      if (tty && shown > 0) stream.write("\n");
      shown = 0;
    },
  };
}
