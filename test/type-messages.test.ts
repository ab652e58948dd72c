// The compile errors a user reads: each snippet in type-tests/messages/ marks its mistakes with
// `// error: <text>`, and the first line of the compile error on that line must contain <text>
// (what is wrong, in the user's terms), not "No overload matches this call" or a complaint about
// Tracer's internals. Any other error in the snippets fails too. See type-tests/messages/README.md.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "type-tests", "messages");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".mts"))
  .sort()
  .map((f) => join(dir, f));

interface Expected {
  readonly file: string;
  readonly line: number; // 1-based
  readonly text: string;
}

const MARK = "// error: ";
const expected: Expected[] = files.flatMap((file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .flatMap((source, i) => {
      const at = source.indexOf(MARK);
      return at < 0 ? [] : [{ file, line: i + 1, text: source.slice(at + MARK.length).trim() }];
    }),
);

/** First line of each diagnostic, by "file:line". */
let firstLines: Map<string, string[]>;

beforeAll(() => {
  // The options of a strict user project (as tsconfig.json here), with "chainrule" the source.
  const program = ts.createProgram({
    rootNames: files,
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: [],
      paths: { chainrule: [join(root, "src", "index.ts")] },
    },
  });
  firstLines = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "(global)";
    const first = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0]!;
    firstLines.set(where, [...(firstLines.get(where) ?? []), first]);
  }
}, 60_000);

describe("compile errors say what is wrong on their first line", () => {
  it("the snippets mark mistakes to check", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(expected.length).toBeGreaterThanOrEqual(25);
  });

  it.each(expected.map((e) => [`${e.file.slice(dir.length + 1)}:${e.line}`, e] as const))("%s", (_name, e) => {
    const lines = firstLines.get(`${e.file}:${e.line}`) ?? [];
    expect(lines, "exactly one compile error on this line").toHaveLength(1);
    expect(lines[0]).toContain(e.text);
    expect(lines[0]).not.toMatch(/No overload matches|_trace|Tracer'/);
  });

  it("no compile error where none is marked (the correct calls beside the mistakes compile)", () => {
    const marked = new Set(expected.map((e) => `${e.file}:${e.line}`));
    const unexpected = [...firstLines].filter(([where]) => !marked.has(where));
    expect(unexpected).toEqual([]);
  });
});
