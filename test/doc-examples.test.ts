// Every documentation example is a test: each ```ts block in a TSDoc `@example` in src/ (and
// in README.md and docs/*.md) must type-check against the package and run, and what its
// `console.log` lines print must match the comments that say what they print. See
// scripts/doc-examples.ts for the rules. New exports need nothing here: their examples are
// collected from the source.
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  checkLogged,
  collectExamples,
  prepareExamples,
  typecheckExamples,
  type ExampleDiagnostic,
  type PreparedExample,
} from "../scripts/doc-examples.js";

const examples = collectExamples();
let prepared: Map<string, PreparedExample>;
let diagnostics: Map<string, ExampleDiagnostic[]>;

beforeAll(() => {
  prepared = new Map(prepareExamples(examples).map((p) => [p.example.id, p]));
  diagnostics = typecheckExamples(examples);
}, 120_000);

describe("documentation examples", () => {
  it("there are examples to check (the collector found the TSDoc)", () => {
    expect(examples.length).toBeGreaterThan(50);
  });

  it.each(examples.map((e) => [`${e.symbol} (${e.file}:${e.line})`, e] as const))("%s", async (_name, example) => {
    const errors = diagnostics.get(example.id) ?? [];
    if (errors.length > 0) {
      throw new Error(`the example does not type-check:\n${errors.map((d) => `  ${d.file}:${d.line}: ${d.message}`).join("\n")}`);
    }
    if (!example.run) return;
    const p = prepared.get(example.id)!;
    const logged = new Map<number, unknown[][]>();
    (globalThis as { __docLog?: unknown }).__docLog = (id: number, ...values: unknown[]) => {
      const list = logged.get(id) ?? [];
      list.push(values);
      logged.set(id, list);
    };
    // A fresh copy of the package for each example, so that registrations (definePrimitive
    // names, for instance) in one example cannot collide with another's.
    vi.resetModules();
    try {
      await import(/* @vite-ignore */ p.runFile);
    } catch (e) {
      const err = e as Error;
      throw new Error(`the example threw ${err.name}: ${err.message}\n  at ${example.file}:${example.line} (${example.symbol})`);
    }
    const problems = p.logs.map((site) => checkLogged(site, logged.get(site.id) ?? [], example.file)).filter((m) => m !== undefined);
    if (problems.length > 0) throw new Error(problems.join("\n"));
  });
});
