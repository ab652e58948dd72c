// Prints the closing "N passed, M failed" line of a CI run from vitest's JSON report and the
// outcome of the other steps of `npm test` (build, type check, tsd), read from its log.
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

let passed = 0;
let failed = 0;
if (opt("--failed-step") !== undefined) {
  failed += 1;
} else {
  const status = Number(opt("--status") ?? "1");
  const log = existsSync(opt("--log") ?? "") ? readFileSync(opt("--log"), "utf8") : "";
  const reportPath = "test-results/vitest.json";
  let vitestRan = false;
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
    vitestRan = true;
  }
  // The steps around vitest count as one test each: they either ran clean or not.
  const buildOk = !/error TS\d+/.test(log.split("vitest")[0] ?? "");
  if (!vitestRan) {
    failed += 1; // build or type check failed before vitest could run
  } else {
    passed += buildOk ? 2 : 0; // build + type check
    const tsdFailed = status !== 0 && failed === 0;
    if (tsdFailed) failed += 1;
    else if (status === 0) passed += 1; // tsd
  }
}
console.log(`${passed} passed, ${failed} failed`);
