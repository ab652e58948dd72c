/**
 * `plotSvg`: line plots as a standalone SVG string, with no dependency (loss curves, a
 * function and its derivative). Every text it writes is escaped.
 */
import { ChainruleError } from "../errors.js";
import { describeValue } from "../core/num.js";
import { isArrayValue, readOptions, type OptionReader } from "../transforms/common.js";

/**
 * One line of a {@link plotSvg} plot: its `y` values, at `x` (default `0, 1, 2, …`), with an
 * optional `label` for the legend.
 *
 * @example
 * ```ts
 * import { plotSvg, type PlotSeries } from "chainrule/draw";
 * const line: PlotSeries = { x: [0, 1, 2], y: [0, 1, 4], label: "x²" };
 * console.log(plotSvg([line]).includes("x²")); // true
 * ```
 * @category Drawing
 */
export interface PlotSeries {
  /** The values, one a point. A point that is not finite (or not positive with `logY`) is skipped: the line breaks there. */
  readonly y: readonly number[];
  /** Where each value is on the x axis, as long as `y`; by default the index `0, 1, 2, …`. */
  readonly x?: readonly number[];
  /** The series' name in the legend (no legend when no series has one). */
  readonly label?: string;
}

/**
 * Options of {@link plotSvg}.
 *
 * @example
 * ```ts
 * import { plotSvg, type PlotOptions } from "chainrule/draw";
 * const options: PlotOptions = { title: "loss", xLabel: "step", logY: true, width: 480, height: 300 };
 * console.log(plotSvg([{ y: [1, 0.1, 0.01] }], options).includes('width="480"')); // true
 * ```
 * @category Drawing
 */
export interface PlotOptions {
  /** A caption above the plot. */
  readonly title?: string;
  /** The x axis' name, under it. */
  readonly xLabel?: string;
  /** The y axis' name, along it. */
  readonly yLabel?: string;
  /** A logarithmic y axis (ticks at powers of ten); points ≤ 0 are skipped. Default false. */
  readonly logY?: boolean;
  /** Width of the picture in pixels, 120 to 10 000 (default 640). */
  readonly width?: number;
  /** Height of the picture in pixels, 90 to 10 000 (default 400). */
  readonly height?: number;
}

const text: OptionReader<string> = (value, where) => {
  if (typeof value !== "string") throw new ChainruleError(`${where} must be a string, got ${describeValue(value)}`);
  return value;
};
const size =
  (min: number): OptionReader<number> =>
  (value, where) => {
    if (typeof value !== "number" || !(value >= min && value <= 10_000)) {
      throw new ChainruleError(`${where} must be a number of pixels from ${min} to 10000, got ${describeValue(value)}`);
    }
    return value;
  };
const numbers: OptionReader<readonly number[]> = (value, where) => {
  if (!isArrayValue(value)) throw new ChainruleError(`${where} must be an array of numbers, got ${describeValue(value)}`);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "number") throw new ChainruleError(`${where}[${i}] must be a number, got ${describeValue(value[i])}`);
  }
  return value as readonly number[];
};

const PLOT_OPTIONS = {
  title: text,
  xLabel: text,
  yLabel: text,
  logY: ((value, where) => {
    if (typeof value !== "boolean") throw new ChainruleError(`${where} must be true or false, got ${describeValue(value)}`);
    return value;
  }) as OptionReader<boolean>,
  width: size(120),
  height: size(90),
};
/** The keys of series `k`, whose messages name it (`plotSvg: series[1].y[3] must be …`). */
const seriesKeys = (k: number) => {
  const at =
    <T>(read: OptionReader<T>, key: string): OptionReader<T> =>
    (value) =>
      read(value, `plotSvg: series[${k}].${key}`);
  return { y: at(numbers, "y"), x: at(numbers, "x"), label: at(text, "label") };
};

/** Colours of the series, in turn. */
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** Escapes text for SVG content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A coordinate or tick label: short and free of float noise (0.30000000000000004 → 0.3). */
function fmt(v: number): string {
  return String(Number(v.toPrecision(10)));
}

/** About `count` evenly spaced round ticks (steps of 1, 2 or 5 × 10^k) within [lo, hi]. */
function linearTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/**
 * Ticks of a log axis, as exponents of ten within [lo, hi]: the powers of ten, with 2 and 5
 * times them when fewer than three powers are in range; round values when not even one is.
 */
function logTicks(lo: number, hi: number): number[] {
  const decades = Math.floor(hi) - Math.ceil(lo) + 1;
  if (decades < 1) return linearTicks(10 ** lo, 10 ** hi, 5).map((v) => Math.log10(v));
  const ticks: number[] = [];
  const step = Math.max(1, Math.ceil(decades / 8));
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    const mantissas = decades < 3 ? [1, 2, 5] : k % step === 0 ? [1] : [];
    for (const m of mantissas) {
      const t = k + Math.log10(m);
      if (t >= lo - 1e-12 && t <= hi + 1e-12) ticks.push(t);
    }
  }
  return ticks;
}

/** Extends a range that is a single value so that it can be drawn. */
function widen(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo, hi];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, hi + d];
}

/**
 * Draws line plots as a standalone SVG document, without any dependency: one or several series
 * (each `y` values, optionally at `x` positions), axes with round ticks, an optional title,
 * axis labels, a legend and a logarithmic y axis. Points that are not finite (NaN, ±∞, or ≤ 0
 * on a log axis) are skipped, breaking the line there. Every text is escaped.
 *
 * @param series - the lines: `[{ y }]`, or `[{ x, y, label }, …]`.
 * @param options - `title`, `xLabel`, `yLabel`, `logY`, `width`, `height` (pixels).
 * @returns the SVG document as a string (write it to a `.svg` file or put it in a page).
 * @throws `ChainruleError` (exported by `chainrule`) when `series` is not a non-empty array of
 * such objects (the message names the place, like `series[1].y[3]`), `x` and `y` differ in
 * length, an option is not valid, or no series has a point that can be drawn.
 * @example
 * ```ts
 * import { plotSvg } from "chainrule/draw";
 * const loss = [1, 0.5, 0.2, 0.1, 0.05];
 * const svg = plotSvg([{ y: loss, label: "training loss" }], { title: "Loss", xLabel: "epoch", logY: true });
 * console.log(svg.startsWith("<svg")); // true
 * // writeFileSync("loss.svg", svg) in Node, or element.innerHTML = svg in a page
 * ```
 * @category Drawing
 */
export function plotSvg(series: readonly PlotSeries[], options?: PlotOptions): string {
  const { title, xLabel, yLabel, logY = false, width = 640, height = 400 } = readOptions(options, PLOT_OPTIONS, "plotSvg");
  if (!isArrayValue(series) || series.length === 0) {
    throw new ChainruleError(`plotSvg: series must be a non-empty array of { y, x?, label? } objects, got ${describeValue(series)}`);
  }
  // Read and check every series; keep the points that can be drawn, as runs of consecutive ones.
  const lines: { label: string | undefined; runs: [number, number][][] }[] = [];
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < series.length; k++) {
    const where = `series[${k}]`;
    const { x, y, label } = readOptions(series[k], seriesKeys(k), "plotSvg", where);
    if (y === undefined) throw new ChainruleError(`plotSvg: ${where} has no y: give the values as { y: [...] }`);
    if (x !== undefined && x.length !== y.length) {
      throw new ChainruleError(`plotSvg: ${where}.x has ${x.length} values and ${where}.y has ${y.length}; they must be as long`);
    }
    const runs: [number, number][][] = [];
    let run: [number, number][] = [];
    for (let i = 0; i < y.length; i++) {
      const px = x === undefined ? i : x[i]!;
      const py = y[i]!;
      if (Number.isFinite(px) && Number.isFinite(py) && (!logY || py > 0)) {
        const ty = logY ? Math.log10(py) : py;
        run.push([px, ty]);
        xMin = Math.min(xMin, px);
        xMax = Math.max(xMax, px);
        yMin = Math.min(yMin, ty);
        yMax = Math.max(yMax, ty);
      } else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length > 0) runs.push(run);
    lines.push({ label, runs });
  }
  if (xMin > xMax) {
    throw new ChainruleError(`plotSvg: no series has a point to draw (every value is missing, not finite${logY ? ", or ≤ 0 on the log axis" : ""})`);
  }
  [xMin, xMax] = widen(xMin, xMax);
  [yMin, yMax] = widen(yMin, yMax);

  const hasLegend = lines.some((l) => l.label !== undefined && l.label !== "");
  const left = 64 + (yLabel ? 16 : 0);
  const top = title ? 36 : 16;
  let longest = 0;
  for (const l of lines) longest = Math.max(longest, l.label?.length ?? 0);
  const right = hasLegend ? Math.min(220, 50 + 6.5 * longest) : 20;
  const bottom = 40 + (xLabel ? 16 : 0);
  const plotW = Math.max(20, width - left - right);
  const plotH = Math.max(20, height - top - bottom);
  const sx = (v: number): string => (left + ((v - xMin) / (xMax - xMin)) * plotW).toFixed(2);
  const sy = (v: number): string => (top + plotH - ((v - yMin) / (yMax - yMin)) * plotH).toFixed(2);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (title) out.push(`<text x="${(left + plotW / 2).toFixed(2)}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  // Ticks and grid lines. On a log axis the ticks are powers of ten (or round values in between for a narrow range).
  const yTicks = logY ? logTicks(yMin, yMax) : linearTicks(yMin, yMax, 6);
  for (const t of yTicks) {
    const y = sy(t);
    out.push(`<line x1="${left}" y1="${y}" x2="${(left + plotW).toFixed(2)}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(logY ? 10 ** t : t))}</text>`);
  }
  for (const t of linearTicks(xMin, xMax, 7)) {
    const x = sx(t);
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${top + plotH + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#555555"/>`);
  if (xLabel) out.push(`<text x="${(left + plotW / 2).toFixed(2)}" y="${top + plotH + 34}" text-anchor="middle">${esc(xLabel)}</text>`);
  if (yLabel) {
    const cy = (top + plotH / 2).toFixed(2);
    out.push(`<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${esc(yLabel)}</text>`);
  }
  // The lines: one polyline per run of drawable points, a dot for a run of one.
  lines.forEach(({ runs }, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    for (const run of runs) {
      if (run.length === 1) {
        out.push(`<circle cx="${sx(run[0]![0])}" cy="${sy(run[0]![1])}" r="2.5" fill="${color}"/>`);
        continue;
      }
      const pts = run.map(([px, py]) => `${sx(px)},${sy(py)}`).join(" ");
      out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"/>`);
    }
  });
  if (hasLegend) {
    let row = 0;
    lines.forEach(({ label }, k) => {
      if (label === undefined || label === "") return;
      const y = top + 10 + 18 * row++;
      const x = left + plotW + 12;
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${PALETTE[k % PALETTE.length]!}" stroke-width="2"/>`);
      out.push(`<text x="${x + 24}" y="${y}" dominant-baseline="middle">${esc(label)}</text>`);
    });
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
