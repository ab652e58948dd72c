// Command-line transcripts in the documentation are tests too, so that they never go stale:
// in README.md and docs/*.md, a ```sh block holding a single `npx chainrule …` command and
// followed directly by a ```text block must print exactly that text (standard output, then
// standard error; trailing spaces and the final newline aside). The command runs in-process
// (src/cli/main.ts), as test/cli.test.ts does.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";

const ROOT = join(import.meta.dirname, "..");

interface Block {
  readonly info: string;
  readonly line: number;
  readonly lines: string[];
}

interface Transcript {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly expected: string;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  let open: Block | undefined;
  text.split("\n").forEach((l, i) => {
    if (open !== undefined) {
      if (/^\s*```\s*$/.test(l)) {
        out.push(open);
        open = undefined;
      } else open.lines.push(l);
      return;
    }
    const m = /^\s*```(\S*)/.exec(l);
    if (m) open = { info: m[1]!, line: i + 1, lines: [] };
  });
  return out;
}

/** The transcripts of one Markdown file: a one-command ```sh block directly followed by ```text. */
function transcriptsIn(file: string, text: string): Transcript[] {
  const all = blocks(text);
  const lines = text.split("\n");
  const out: Transcript[] = [];
  all.forEach((b, k) => {
    const next = all[k + 1];
    if (b.info !== "sh" || next === undefined || next.info !== "text") return;
    const commands = b.lines.filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
    if (commands.length !== 1 || !commands[0]!.trim().startsWith("npx chainrule ")) return;
    // Only blank lines between the two blocks.
    const between = lines.slice(b.line + b.lines.length + 1, next.line - 1);
    if (between.some((l) => l.trim() !== "")) return;
    out.push({ file, line: b.line, command: commands[0]!.trim(), expected: next.lines.join("\n") });
  });
  return out;
}

/** Splits a command line as a POSIX shell would for plain words and '…' / "…" quoting. */
function shellWords(s: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let word = "";
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (c === '"' || c === "'") {
        const end = s.indexOf(c, i + 1);
        if (end < 0) throw new Error(`unterminated quote in ${s}`);
        word += s.slice(i + 1, end);
        i = end + 1;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const transcripts = files.flatMap((f) => transcriptsIn(f, readFileSync(join(ROOT, f), "utf8")));

describe("command-line transcripts in the documentation", () => {
  it("there are transcripts to check", () => {
    expect(transcripts.length).toBeGreaterThanOrEqual(3);
  });

  it("splits command lines as the shell does", () => {
    expect(shellWords(`npx chainrule explain "(x + y) * z" x=-2 'a b'c`)).toEqual(["npx", "chainrule", "explain", "(x + y) * z", "x=-2", "a bc"]);
  });

  it.each(transcripts.map((t) => [`${t.file}:${t.line} ${t.command}`, t] as const))("%s", async (_name, t) => {
    const [npx, bin, ...args] = shellWords(t.command);
    expect([npx, bin]).toEqual(["npx", "chainrule"]);
    let printed = "";
    await main(args, {
      out: (s) => (printed += s),
      err: (s) => (printed += s),
      writeFile: () => {},
    });
    const normalise = (s: string) =>
      s
        .split("\n")
        .map((l) => l.trimEnd())
        .join("\n")
        .replace(/\n+$/, "");
    expect(normalise(printed)).toBe(normalise(t.expected));
  });
});
