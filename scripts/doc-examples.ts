/**
 * Documentation examples as tests (as fp-ts does): collects every ```ts block in the `@example`
 * tags of `src/**\/*.ts` and in the Markdown documentation (README.md, docs/**\/*.md), type-checks
 * them against the package (they import from "chainrule", mapped to `src/`), and prepares each
 * to run with its printed values checked against the comments that say what they print:
 *
 *     console.log(grad(f)(-2, 5, -4)); // -4
 *     console.log(value.toFixed(2)); // "0.73"
 *     console.log(String(graph));
 *     // graph(a, b) {
 *     // ...
 *
 * A trailing comment is checked when it starts with a literal (number, string, boolean, null,
 * array or object literal — `[1, { a: 2 }]`, `-0`, `NaN`), optionally followed by prose after
 * `;`, `:`, `,` or ` (`. A number written with decimals matches a value that rounds to it
 * (`0.73` matches 0.7310585786); an integer must match to 1e-12 (relative). Comments that are
 * not literals (`// sin 1 + cos 1`) are prose: the line still runs, unchecked. A string with
 * line breaks is compared line by line with the comment lines right below the `console.log`.
 *
 * In Markdown, ```ts blocks run; ```ts no-run blocks are only type-checked; ```ts ignore
 * blocks are skipped. `test/doc-examples.test.ts` runs everything; nothing needs registering:
 * a new export's `@example` is picked up by the next `npm test`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the extracted examples are written (gitignored). `tsc -p .doc-examples` re-checks them. */
export const OUT_DIR = join(ROOT, ".doc-examples");

/** One example: where it was found and its code. */
export interface DocExample {
  /** Stable id, also the file name stem: `src-core-num-ts-l41`. */
  readonly id: string;
  /** Path relative to the repository, with `/`. */
  readonly file: string;
  /** 1-based line in `file` of the example's first code line. */
  readonly line: number;
  /** The documented declaration (`grad`, `Graph`, `Graph.toDot`) or the Markdown heading. */
  readonly symbol: string;
  readonly code: string;
  /** False for ```ts no-run blocks: type-checked only. */
  readonly run: boolean;
}

/** What a `console.log` in an example is expected to print. */
export type Expectation =
  | { readonly kind: "value"; readonly value: unknown; readonly text: string }
  | { readonly kind: "lines"; readonly lines: readonly string[] };

/** A `console.log` call in an example, by id, with its expectation (if it has one). */
export interface LogSite {
  readonly id: number;
  /** 1-based line in the source file (not in the example). */
  readonly line: number;
  readonly argCount: number;
  readonly expect: Expectation | undefined;
}

export interface PreparedExample {
  readonly example: DocExample;
  /** Absolute path of the runnable module (console.log calls rewritten to `__docLog(id, ...)`). */
  readonly runFile: string;
  readonly logs: readonly LogSite[];
}

// ---- collecting -------------------------------------------------------------------------------

function walk(dir: string, accept: (path: string) => boolean, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "api" && !e.name.startsWith(".")) walk(p, accept, out);
    } else if (accept(p)) out.push(p);
  }
  return out;
}

const relPath = (abs: string): string => relative(ROOT, abs).split(sep).join("/");

function makeId(file: string, line: number): string {
  return `${file.replace(/[^A-Za-z0-9]+/g, "-")}-l${line}`;
}

/** The name of the declaration that starts at `text[pos]` (after a doc comment). */
function declarationName(text: string, pos: number, enclosingClass: string | undefined): string {
  const rest = text.slice(pos, pos + 400).replace(/^\s+/, "");
  const decl = /^(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/.exec(rest);
  if (decl) return decl[1]!;
  const member = /^(?:(?:public|protected|static|readonly|abstract|override|get|set|async)\s+)*(\[?[A-Za-z_$][\w$.]*\]?)/.exec(rest);
  if (member) return enclosingClass === undefined ? member[1]! : `${enclosingClass}.${member[1]}`;
  return "(unknown)";
}

/** Examples in the TSDoc comments of one TypeScript file. */
export function examplesInSource(absPath: string): DocExample[] {
  const text = readFileSync(absPath, "utf8");
  const file = relPath(absPath);
  const out: DocExample[] = [];
  const comment = /\/\*\*[\s\S]*?\*\//g;
  let m: RegExpExecArray | null;
  while ((m = comment.exec(text)) !== null) {
    const body = m[0];
    if (!body.includes("@example")) continue;
    const startLine = text.slice(0, m.index).split("\n").length; // line of "/**"
    const lines = body.split("\n").map((l) => l.replace(/^\s*\/?\*+\/?\s?/, "").replace(/\s*\*\/\s*$/, ""));
    // Find the class this comment sits in (for member names), by the nearest preceding class.
    const before = text.slice(0, m.index);
    const classMatch = [...before.matchAll(/^(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)].pop();
    const indented = /^[ \t]+\/\*\*/.test(text.slice(text.lastIndexOf("\n", m.index) + 1, m.index + 3));
    const symbol = declarationName(text, m.index + body.length, indented ? classMatch?.[1] : undefined);
    let inExample = false;
    let fence: { start: number; lines: string[]; info: string } | undefined;
    lines.forEach((l, i) => {
      if (fence !== undefined) {
        if (/^\s*```\s*$/.test(l)) {
          pushBlock(out, file, startLine + fence.start + 1, symbol, fence.lines, fence.info);
          fence = undefined;
        } else fence.lines.push(l);
        return;
      }
      const tag = /^\s*@(\w+)/.exec(l);
      if (tag) inExample = tag[1] === "example";
      const open = /^\s*```(ts|typescript)\b(.*)$/.exec(l);
      if (inExample && open) fence = { start: i, lines: [], info: open[2]!.trim() };
    });
  }
  return out;
}

/** Examples in the ```ts blocks of one Markdown file. */
export function examplesInMarkdown(absPath: string): DocExample[] {
  const text = readFileSync(absPath, "utf8");
  const file = relPath(absPath);
  const out: DocExample[] = [];
  let heading = file;
  let fence: { start: number; lines: string[]; info: string } | undefined;
  text.split("\n").forEach((l, i) => {
    if (fence !== undefined) {
      if (/^\s*```\s*$/.test(l)) {
        pushBlock(out, file, fence.start + 2, heading, fence.lines, fence.info);
        fence = undefined;
      } else fence.lines.push(l);
      return;
    }
    const h = /^#{1,6}\s+(.*)$/.exec(l);
    if (h) heading = `${file} § ${h[1]!.trim()}`;
    const open = /^\s*```(ts|typescript)\b(.*)$/.exec(l);
    if (open) fence = { start: i, lines: [], info: open[2]!.trim() };
  });
  return out;
}

function pushBlock(out: DocExample[], file: string, line: number, symbol: string, lines: string[], info: string): void {
  const flags = info.split(/\s+/);
  if (flags.includes("ignore")) return;
  out.push({ id: makeId(file, line), file, line, symbol, code: lines.join("\n") + "\n", run: !flags.includes("no-run") });
}

/** Every example of the project: TSDoc in `src/`, then README.md and `docs/` Markdown. */
export function collectExamples(root = ROOT): DocExample[] {
  const sources = walk(join(root, "src"), (p) => p.endsWith(".ts") && !p.endsWith(".d.ts"));
  const markdown = [join(root, "README.md"), ...walk(join(root, "docs"), (p) => p.endsWith(".md"))];
  return [...sources.flatMap(examplesInSource), ...markdown.flatMap((p) => {
    try {
      return examplesInMarkdown(p);
    } catch {
      return [];
    }
  })];
}

// ---- the package's entry points -----------------------------------------------------------------

/**
 * The package's entry points, from `package.json` `exports`, each mapped to its TypeScript
 * source: `chainrule` → `src/index.ts`, `chainrule/draw` → `src/draw/index.ts`.
 */
export function entryPoints(root = ROOT): { specifier: string; source: string }[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
  const out: { specifier: string; source: string }[] = [];
  for (const [key, target] of Object.entries(pkg.exports)) {
    const js = typeof target === "string" ? target : (target as Record<string, string>)["import"] ?? (target as Record<string, string>)["default"];
    if (js === undefined || !js.endsWith(".js") || !js.startsWith("./dist/")) continue;
    const specifier = key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    out.push({ specifier, source: join(root, "src", js.slice("./dist/".length).replace(/\.js$/, ".ts")) });
  }
  return out;
}

// ---- preparing: files to type-check and files to run --------------------------------------------

/** Parses a literal at the start of `s`: returns the value and the rest, or undefined. */
export function parseLiteral(s: string): { value: unknown; rest: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const fail = Symbol("fail");
  const value = (): unknown => {
    ws();
    const c = s[i];
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (s[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        const v = value();
        if (v === fail) return fail;
        arr.push(v);
        ws();
        if (s[i] === ",") {
          i++;
          ws();
          if (s[i] === "]") {
            i++;
            return arr;
          }
          continue;
        }
        if (s[i] === "]") {
          i++;
          return arr;
        }
        return fail;
      }
    }
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (s[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        let key: string;
        const q = s[i];
        if (q === '"' || q === "'") {
          const k = str();
          if (k === fail) return fail;
          key = k as string;
        } else {
          const m = /^[A-Za-z_$][\w$]*/.exec(s.slice(i));
          if (!m) return fail;
          key = m[0];
          i += key.length;
        }
        ws();
        if (s[i] !== ":") return fail;
        i++;
        const v = value();
        if (v === fail) return fail;
        obj[key] = v;
        ws();
        if (s[i] === ",") {
          i++;
          ws();
          if (s[i] === "}") {
            i++;
            return obj;
          }
          continue;
        }
        if (s[i] === "}") {
          i++;
          return obj;
        }
        return fail;
      }
    }
    if (c === '"' || c === "'") return str();
    const num = /^-?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w$.])/i.exec(s.slice(i));
    if (num) {
      i += num[0].length;
      return num[0] === "-NaN" ? fail : Number(num[0]);
    }
    const word = /^(true|false|null|undefined)(?![\w$])/.exec(s.slice(i));
    if (word) {
      i += word[0].length;
      return { true: true, false: false, null: null, undefined: undefined }[word[1] as "true"];
    }
    return fail;
  };
  const str = (): unknown => {
    const q = s[i];
    let j = i + 1;
    let out = "";
    while (j < s.length && s[j] !== q) {
      if (s[j] === "\\") {
        const n = s[j + 1];
        out += n === "n" ? "\n" : n === "t" ? "\t" : (n ?? "");
        j += 2;
      } else out += s[j++];
    }
    if (j >= s.length) return fail;
    i = j + 1;
    return out;
  };
  const v = value();
  if (v === fail) return undefined;
  return { value: v, rest: s.slice(i) };
}

/** The expectation stated by a trailing comment, if it is one (see the module comment). */
export function trailingExpectation(comment: string): Expectation | undefined {
  const text = comment.trim();
  const parsed = parseLiteral(text);
  if (parsed === undefined) return undefined;
  if (!/^(\s*$|\s*[;:,]\s|\s*[;:,]$|\s+\()/.test(parsed.rest)) return undefined;
  return { kind: "value", value: parsed.value, text: text.slice(0, text.length - parsed.rest.length).trim() };
}

/** Rewrites `console.log(...)` to `__docLog(id, ...)` and reads the expectations. */
function instrument(example: DocExample): { code: string; logs: LogSite[] } {
  const code = example.code;
  const sf = ts.createSourceFile("example.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const logs: LogSite[] = [];
  const edits: { pos: number; end: number; text: string }[] = [];
  const codeLines = code.split("\n");
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === "console" &&
      node.expression.name.text === "log"
    ) {
      const id = logs.length;
      const stmt = ts.isExpressionStatement(node.parent) ? node.parent : undefined;
      const endLine = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      let expect: Expectation | undefined;
      if (stmt !== undefined) {
        const trailing = ts.getTrailingCommentRanges(code, stmt.getEnd()) ?? [];
        const first = trailing[0];
        if (first !== undefined && first.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
          if (node.arguments.length === 1) expect = trailingExpectation(code.slice(first.pos + 2, first.end));
        } else {
          // Comment lines right below: the expected text of a multi-line string.
          const below: string[] = [];
          for (let k = endLine + 1; k < codeLines.length; k++) {
            const cm = /^\s*\/\/ ?(.*)$/.exec(codeLines[k]!);
            if (!cm) break;
            below.push(cm[1]!);
          }
          if (below.length >= 2 && node.arguments.length === 1) expect = { kind: "lines", lines: below };
        }
      }
      logs.push({ id, line: example.line + sf.getLineAndCharacterOfPosition(node.getStart()).line, argCount: node.arguments.length, expect });
      const open = node.arguments.pos; // just after "("
      edits.push({ pos: node.getStart(), end: open, text: `__docLog(${id}${node.arguments.length > 0 ? ", " : ""}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = code;
  for (const e of edits.sort((a, b) => b.pos - a.pos)) out = out.slice(0, e.pos) + e.text + out.slice(e.end);
  const header = "declare const __docLog: (id: number, ...values: unknown[]) => void;\n";
  return { code: header + out, logs };
}

/**
 * Writes every example to `.doc-examples/`: `check/<id>.ts` as written (for the type check)
 * and `run/<id>.ts` instrumented (to run). Also writes the tsconfig that maps the package's
 * entry points to `src/`.
 */
export function prepareExamples(examples: readonly DocExample[], root = ROOT): PreparedExample[] {
  const out = join(root, ".doc-examples");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "check"), { recursive: true });
  mkdirSync(join(out, "run"), { recursive: true });
  const paths: Record<string, string[]> = {};
  for (const e of entryPoints(root)) paths[e.specifier] = [relative(out, e.source).split(sep).join("/")];
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify(
      {
        extends: "../tsconfig.json",
        compilerOptions: { noEmit: true, rootDir: "..", paths, types: ["node"] },
        include: ["check/*.ts"],
      },
      null,
      2,
    ) + "\n",
  );
  return examples.map((example) => {
    // `export {}` keeps an example without imports a module (its own scope).
    writeFileSync(join(out, "check", `${example.id}.ts`), example.code + "export {};\n");
    const { code, logs } = instrument(example);
    const runFile = join(out, "run", `${example.id}.ts`);
    writeFileSync(runFile, code + "export {};\n");
    return { example, runFile, logs };
  });
}

/** A type error in an example, located in its source file. */
export interface ExampleDiagnostic {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Type-checks the prepared examples (one program); returns the errors by example id. */
export function typecheckExamples(examples: readonly DocExample[], root = ROOT): Map<string, ExampleDiagnostic[]> {
  const configPath = join(root, ".doc-examples", "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (parsed === undefined) throw new Error(`could not read ${configPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const byId = new Map<string, ExampleDiagnostic[]>();
  const byFile = new Map(examples.map((e) => [join(root, ".doc-examples", "check", `${e.id}.ts`), e]));
  const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const sf of program.getSourceFiles()) {
    const ex = byFile.get(resolve(sf.fileName));
    if (ex === undefined) continue;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const list = byId.get(ex.id) ?? [];
      list.push({ id: ex.id, file: ex.file, line: ex.line + line, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") });
      byId.set(ex.id, list);
    }
  }
  if (diagnostics.length > 0) {
    throw new Error(`the examples' tsconfig has errors: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
  }
  return byId;
}

// ---- checking what was printed ------------------------------------------------------------------

function decimals(text: string): number {
  const m = /\.(\d+)(?:e([+-]?\d+))?/i.exec(text);
  if (!m) return 0;
  return m[1]!.length - Number(m[2] ?? 0);
}

/** Whether `actual` matches `expected`; numbers written with decimals match when rounded. */
function matches(actual: unknown, expected: unknown, numberText: (n: number) => string): boolean {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return false;
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    if (!Number.isFinite(expected)) return actual === expected;
    if (Object.is(expected, -0)) return Object.is(actual, -0);
    const d = decimals(numberText(expected));
    if (d > 0) return Math.abs(actual - expected) <= 0.5 * 10 ** -d * (1 + 1e-9);
    return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e, numberText));
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    return ek.length === ak.length && ek.every((k) => k in actual && matches((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], numberText));
  }
  return Object.is(actual, expected);
}

/**
 * The numbers' texts in an expected literal, in order (to know how many decimals each has).
 * String literals are skipped first: the digits in `"args[0].b"` are not numbers of the value.
 */
function numberTexts(text: string): string[] {
  const withoutStrings = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  return [...withoutStrings.matchAll(/(?<![\w$."'])-?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w$])/gi)].map((m) => m[0]);
}

/** An error message if what was logged does not match the expectation, else undefined. */
export function checkLogged(site: LogSite, logged: readonly unknown[][], file: string): string | undefined {
  const where = `${file}:${site.line}`;
  if (site.expect === undefined) return undefined;
  if (logged.length === 0) return `${where}: this console.log never ran, but its comment says what it prints`;
  const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : formatValue(v));
  for (const values of logged) {
    const actual = values[0];
    if (site.expect.kind === "value") {
      const texts = numberTexts(site.expect.text);
      let k = 0;
      const numberText = (n: number) => texts[k++] ?? String(n);
      if (!matches(actual, site.expect.value, numberText)) {
        return `${where}: prints ${show(actual)}, but the comment says ${site.expect.text}`;
      }
    } else {
      if (typeof actual !== "string" || !actual.includes("\n")) continue; // prose below a one-line value
      const got = actual.split("\n").map((l) => l.trimEnd());
      const want = site.expect.lines.map((l) => l.trimEnd());
      if (got.join("\n") !== want.join("\n")) {
        return `${where}: prints\n${got.map((l) => `  // ${l}`).join("\n")}\nbut the comment says\n${want.map((l) => `  // ${l}`).join("\n")}`;
      }
    }
  }
  return undefined;
}

/** A value as `console.log` would show it, roughly (for messages). */
export function formatValue(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`).join(", ")} }`;
  }
  return String(v);
}
