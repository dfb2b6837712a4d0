// Builds the dashboard into ../internal/web/dist/: app.js (one minified
// IIFE), app.css, index.html and THIRD_PARTY_NOTICES.txt. The output is
// deterministic (no hashes, no timestamps, no source maps), so `make
// web-check` can rebuild and compare with the committed files.

import * as esbuild from "esbuild";
import { copyFile, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../internal/web/dist");

await mkdir(out, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ["src/main.ts"],
  outfile: path.join(out, "app.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});
if (result.errors.length > 0) process.exit(1);

// The sign-in page's own script: tiny, no packages, no shared code with app.js.
const signin = await esbuild.build({
  absWorkingDir: here,
  entryPoints: ["src/signin.ts"],
  outfile: path.join(out, "signin.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
});
if (signin.errors.length > 0) process.exit(1);

await copyFile(path.join(here, "src/app.css"), path.join(out, "app.css"));

const indexHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>tipgate — sales dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app/assets/app.css">
<script src="/app/assets/app.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header id="app-header" class="app-header"></header>
<main id="main" tabindex="-1">
<p class="loading boot-loading" role="status">Loading the dashboard…</p>
<noscript><p class="state-card">The tipgate dashboard needs JavaScript.</p></noscript>
</main>
</body>
</html>
`;
await writeFile(path.join(out, "index.html"), indexHTML);

// THIRD_PARTY_NOTICES.txt: every package with a file in the bundle, with its license text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.set(m[1], path.join(here, "node_modules", m[1]));
}
const names = [...packages.keys()].sort();
const sections = [];
for (const name of names) {
  const dir = packages.get(name);
  const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const files = (await readdir(dir)).filter((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f)).sort();
  let text = "";
  for (const f of files) text += (await readFile(path.join(dir, f), "utf8")).trim() + "\n";
  const lines = [
    `${name} ${pkg.version}`,
    `License: ${typeof pkg.license === "string" ? pkg.license : JSON.stringify(pkg.license)}`,
  ];
  const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  if (repo) lines.push(`Source: ${repo}`);
  if (name === "world-atlas") {
    lines.push(
      "Data: the bundled countries-110m.json is derived from Natural Earth (https://www.naturalearthdata.com/),",
      "which is in the public domain. The world-atlas package itself is ISC-licensed:",
    );
  }
  sections.push(lines.join("\n") + "\n\n" + (text || "(no license file in the package)\n"));
}
const notices =
  "Third-party software bundled in app.js of the tipgate dashboard\n" +
  "================================================================\n\n" +
  `Packages: ${names.join(", ")}\n\n` +
  sections.map((s) => "-".repeat(72) + "\n" + s).join("\n");
await writeFile(path.join(out, "THIRD_PARTY_NOTICES.txt"), notices);

const size = result.metafile.outputs[path.relative(here, path.join(out, "app.js"))]?.bytes;
console.log(`built ${path.relative(process.cwd(), out)}/: app.js ${size ?? "?"} bytes, ${names.length} bundled packages`);
