// A tiny static file server for the browser example, on 127.0.0.1 only. It serves the
// repository's examples/, dist/ and the dependencies the page loads (@viz-js/viz, and the ES
// module builds of fp-ts and io-ts, which the page's import map points at); nothing else. Those
// builds import each other without file extensions, so a request without one is answered with
// the `.js` file of that name, as bundlers and dev servers do. Used by test-browser/browser.test.ts, and by hand:
//
//   npm run serve      (builds, then prints the page's address; Ctrl-C to stop)
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ALLOWED = ["examples/", "dist/", "node_modules/@viz-js/viz/", "node_modules/fp-ts/es6/", "node_modules/io-ts/es6/"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};

/** `file` relative to the repository root, with forward slashes. */
function rel0(file) {
  return file.slice(root.length + 1).split(sep).join("/");
}

/**
 * Starts the server on 127.0.0.1 (`port` 0: any free port).
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startServer({ port = 0 } = {}) {
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname).replace(/^\/+/, "");
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    if (path === "") {
      res.writeHead(302, { location: "/examples/browser/index.html" }).end();
      return;
    }
    let file = normalize(join(root, path));
    if (extname(file) === "" && (rel0(file).startsWith("node_modules/fp-ts/") || rel0(file).startsWith("node_modules/io-ts/"))) file += ".js";
    const rel = file.slice(root.length + 1).split(sep).join("/");
    if (!file.startsWith(root + sep) || !ALLOWED.some((p) => rel.startsWith(p)) || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404).end("not found");
      return;
    }
    let stat;
    try {
      stat = statSync(file);
    } catch {
      res.writeHead(404).end("not found");
      return;
    }
    if (!stat.isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": stat.size,
      "cache-control": "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolveStart, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address();
      resolveStart({
        url: `http://127.0.0.1:${actual}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startServer({ port });
  console.log(`serving on ${url}; open ${url}/examples/browser/index.html (Ctrl-C to stop)`);
}
