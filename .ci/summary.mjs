// Prints the closing "N passed, M failed" line of a CI run and exits non-zero when anything
// failed. Counts:
//   - `npm test`: vitest's tests from its JSON report (test-results/vitest.json), plus one
//     each for the build + type check and for tsd, read from the log and exit status;
//   - `--suite name=STATUS:report.json`: another vitest run (the browser test): its tests, or
//     one failure when it did not produce a report or failed without a failing test;
//   - `--step name=STATUS`: any other step (docs, API report, package lint, …): one test each.
//   - `--failed-step name`: a step that stopped the run early (one failure).
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const all = (name) => args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));

let passed = 0;
let failed = 0;
const failures = [];

/** Adds a vitest JSON report's counts; returns how many failures it had, or undefined if absent. */
function vitestReport(path) {
  if (!existsSync(path)) return undefined;
  const report = JSON.parse(readFileSync(path, "utf8"));
  const bad = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  passed += report.numPassedTests ?? 0;
  failed += bad;
  return bad;
}

if (opt("--failed-step") !== undefined) {
  failed += 1;
  failures.push(opt("--failed-step"));
} else {
  // npm test
  const status = Number(opt("--status") ?? "1");
  const log = existsSync(opt("--log") ?? "") ? readFileSync(opt("--log"), "utf8") : "";
  const vitestFailures = vitestReport("test-results/vitest.json");
  // The steps around vitest count as one test each: they either ran clean or not.
  const buildOk = !/error TS\d+/.test(log.split("vitest")[0] ?? "");
  if (vitestFailures === undefined) {
    failed += 1; // build or type check failed before vitest could run
    failures.push("build/typecheck");
  } else {
    if (vitestFailures > 0) failures.push("vitest");
    passed += buildOk ? 2 : 0; // build + type check
    const tsdFailed = status !== 0 && vitestFailures === 0;
    if (tsdFailed) {
      failed += 1;
      failures.push("tsd");
    } else if (status === 0) passed += 1; // tsd
  }

  for (const spec of all("--suite")) {
    const m = /^([^=]+)=(\d+):(.+)$/.exec(spec);
    if (!m) throw new Error(`bad --suite ${spec}`);
    const [, name, statusText, path] = m;
    const bad = vitestReport(path);
    if (bad === undefined || (bad === 0 && Number(statusText) !== 0)) {
      failed += 1;
      failures.push(name);
    } else if (bad > 0) failures.push(name);
  }

  for (const spec of all("--step")) {
    const m = /^([^=]+)=(\d+)$/.exec(spec);
    if (!m) throw new Error(`bad --step ${spec}`);
    if (Number(m[2]) === 0) passed += 1;
    else {
      failed += 1;
      failures.push(m[1]);
    }
  }
}
if (failures.length > 0) console.log(`failed: ${failures.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
