// The API report: runs API Extractor (configured by api-extractor.json) on the shipped
// declarations of every entry point in package.json `exports`, one report each in etc/:
// etc/chainrule.api.md for "chainrule", etc/chainrule-draw.api.md for "chainrule/draw", ….
//
//   node scripts/api-report.mjs           check (CI): fails when the public API differs from
//                                         the committed report, or a report is missing
//   node scripts/api-report.mjs --local   update the reports (npm run api:update), then commit
//
// Run after `npm run build` (the npm scripts do).
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const local = process.argv.includes("--local");
const configPath = join(root, "api-extractor.json");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const base = ExtractorConfig.loadFile(configPath);

let failed = false;
for (const [key, target] of Object.entries(pkg.exports)) {
  const types = typeof target === "string" ? undefined : target.types;
  if (types === undefined || !types.endsWith(".d.ts")) continue;
  const dts = join(root, types);
  if (!existsSync(dts)) {
    console.error(`api-report: ${types} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
  const reportName = key === "." ? pkg.name : `${pkg.name}-${key.slice(2).replace(/\//g, "-")}`;
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: dts,
      apiReport: { ...base.apiReport, reportFileName: reportName },
    },
    configObjectFullPath: configPath,
    packageJsonFullPath: join(root, "package.json"),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false });
  const report = `etc/${reportName}.api.md`;
  if (!result.succeeded) {
    failed = true;
    if (!local && result.apiReportChanged) {
      console.error(
        `\napi-report: the public API of "${key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`}" differs from ${report}.\n` +
          `  If the change is intended, run \`npm run api:update\` and commit ${report}.\n` +
          `  The new report is temp/api/${reportName}.api.md; compare: diff ${report} temp/api/${reportName}.api.md\n`,
      );
    } else {
      console.error(`api-report: API Extractor reported ${result.errorCount} error(s) and ${result.warningCount} warning(s) for ${types}`);
    }
  } else if (local && result.apiReportChanged) {
    console.log(`api-report: updated ${report}; commit it`);
  } else {
    console.log(`api-report: ${report} is up to date`);
  }
}
process.exit(failed ? 1 : 0);
