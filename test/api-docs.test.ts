// Every export of every entry point (package.json `exports`) is documented: a summary, a
// `@category` (the API site groups by it), and at least one `@example` (run by
// doc-examples.test.ts); exported functions document each parameter and what they return.
// New exports are picked up from the entry points; nothing to register here.
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { entryPoints } from "../scripts/doc-examples.js";

/** The categories the API site shows, in order (typedoc.json `categoryOrder`). */
const CATEGORIES = ["Values", "Primitives", "Transforms", "Loops", "Graphs", "Trees", "Errors", "Codecs", "Optimizers", "Drawing"];

interface ExportDoc {
  readonly name: string;
  readonly entry: string;
  readonly file: string;
  readonly summary: string;
  readonly tags: Map<string, string[]>;
  readonly params: string[];
  readonly isFunction: boolean;
  readonly returnsVoid: boolean;
}

function collect(): ExportDoc[] {
  const entries = entryPoints();
  const program = ts.createProgram({
    rootNames: entries.map((e) => e.source),
    options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true },
  });
  const checker = program.getTypeChecker();
  const out: ExportDoc[] = [];
  for (const entry of entries) {
    const sf = program.getSourceFile(entry.source);
    if (sf === undefined) throw new Error(`entry point ${entry.source} not found`);
    const moduleSymbol = checker.getSymbolAtLocation(sf)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decl = symbol.declarations?.[0];
      if (decl === undefined) continue;
      const tags = new Map<string, string[]>();
      // The doc comment of the declaration (for `const x = …`, of its statement).
      const host = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
      for (const tag of ts.getJSDocTags(host).length > 0 ? ts.getJSDocTags(host) : ts.getJSDocTags(decl)) {
        const list = tags.get(tag.tagName.text) ?? [];
        list.push(typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? "");
        tags.set(tag.tagName.text, list);
      }
      const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
      const isFunction = ts.isFunctionDeclaration(decl);
      const params = isFunction ? (decl as ts.FunctionDeclaration).parameters.map((p) => p.name.getText()) : [];
      const sig = isFunction ? checker.getSignatureFromDeclaration(decl as ts.FunctionDeclaration) : undefined;
      const returnsVoid = sig !== undefined && (checker.getReturnTypeOfSignature(sig).flags & ts.TypeFlags.Void) !== 0;
      out.push({ name: exported.name, entry: entry.specifier, file: decl.getSourceFile().fileName, summary, tags, params, isFunction, returnsVoid });
    }
  }
  return out;
}

const docs = collect();
/** Fails listing every offender (an `expect(...).toEqual([])` diff would cut the list short). */
function none(offenders: string[], what: string): void {
  if (offenders.length > 0) throw new Error(`${offenders.length} export(s) lack ${what}:\n  ${offenders.join("\n  ")}`);
}
const where = (d: ExportDoc) => `${d.entry}: ${d.name} (${d.file.slice(d.file.indexOf("/src/") + 1)})`;

describe("API documentation", () => {
  it("finds the exports", () => {
    expect(docs.length).toBeGreaterThan(50);
  });

  it("every export has a summary", () => {
    none(docs.filter((d) => d.summary === "").map(where), "a summary");
  });

  it("every export has an @example", () => {
    none(docs.filter((d) => !d.tags.has("example")).map(where), "an @example");
  });

  it("every export has one @category, from the site's list", () => {
    const bad = docs.filter((d) => d.tags.get("category")?.length !== 1 || !CATEGORIES.includes(d.tags.get("category")![0]!.trim()));
    none(
      bad.map((d) => `${where(d)}: ${d.tags.get("category")?.join(", ") ?? "no @category"}`),
      `one @category out of ${CATEGORIES.join(", ")}`,
    );
  });

  it("every exported function documents its parameters and what it returns", () => {
    const bad: string[] = [];
    for (const d of docs.filter((x) => x.isFunction)) {
      const documented = (d.tags.get("param") ?? []).length;
      if (documented < d.params.length) bad.push(`${where(d)}: @param for ${d.params.join(", ")}`);
      if (!d.returnsVoid && !d.tags.has("returns")) bad.push(`${where(d)}: @returns`);
    }
    none(bad, "parameter or return documentation");
  });
});
