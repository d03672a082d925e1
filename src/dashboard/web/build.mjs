// Builds the dashboard: src/ (TypeScript, Preact, uPlot, CodeMirror 6) bundled by esbuild, and
// public/ copied, into ../ui/ — the folder the C++ build embeds (cmake/embed_files.cmake). The
// output is committed, so building vigia needs no node; esbuild's output is deterministic, and
//   node build.mjs --verify
// (npm run check, run by ctest as dashboard_bundle_check) rebuilds in memory and fails when
// the committed ../ui/ differs from what the sources give: sources and bundle cannot drift.
//   node build.mjs          rebuild ../ui/ (make run does it when npm is installed)
//   node build.mjs --sizes  also print each file's size and the first page's gzipped total
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../ui');
const verify = process.argv.includes('--verify');
const sizes = process.argv.includes('--sizes');

// CodeMirror's styles (style-mod) go into a <style> element when the editor is in a document
// (a constructed, adopted stylesheet only inside a shadow root); the CSP (style-src 'self', no
// 'unsafe-inline') blocks such an element. This patch makes style-mod adopt a constructed
// stylesheet into the document too — CSSOM, which the CSP does not govern — so the policy stays
// strict (docs/dashboard.md, "Keys and security"). The build fails if style-mod changed.
const STYLE_MOD_FROM = '!root.head && root.adoptedStyleSheets && win.CSSStyleSheet';
const STYLE_MOD_TO = 'root.adoptedStyleSheets && win.CSSStyleSheet';
const adoptStyles = {
  name: 'style-mod-adopt',
  setup(build) {
    build.onLoad({ filter: /[\\/]style-mod[\\/]src[\\/]style-mod\.js$/ }, ({ path }) => {
      const src = readFileSync(path, 'utf8');
      if (!src.includes(STYLE_MOD_FROM)) throw new Error(`${path}: the StyleSet condition to patch is not there (style-mod changed): see build.mjs`);
      return { contents: src.replace(STYLE_MOD_FROM, STYLE_MOD_TO), loader: 'js' };
    });
  },
};

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  write: false,
  target: ['chrome109', 'firefox115', 'safari16'],
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
};
// The app: one entry, pages split into chunks loaded when first opened (import()).
const app = await esbuild.build({
  ...common,
  entryPoints: { 'js/app': 'src/app.tsx' },
  outdir: out,
  format: 'esm',
  splitting: true,
  chunkNames: 'js/[name]-[hash]',
  metafile: true,
  plugins: [adoptStyles],
});
// The streamed query's worker (a classic script of its own: no shared chunks).
const worker = await esbuild.build({ ...common, entryPoints: { 'js/query_worker': 'src/query_worker.ts' }, outdir: out, format: 'iife' });
const css = await esbuild.build({ ...common, entryPoints: { app: 'src/app.css' }, outdir: out });

const files = new Map(); // path under ui/ → bytes
for (const r of [app, worker, css]) for (const f of r.outputFiles) files.set(relative(out, f.path), Buffer.from(f.contents));
for (const f of readdirSync(join(here, 'public'))) files.set(f, readFileSync(join(here, 'public', f)));
// Brotli at its best (quality 11, too slow to run in the server at start) beside each script
// and the stylesheet: StaticSite sends <file>.br to browsers that accept br, gzip (its own) to
// the others. Not for index.html (the server fills in its asset URLs). Deterministic, and
// checked to decode to the file.
for (const [f, bytes] of [...files]) {
  if (!/\.(js|css)$/.test(f)) continue;
  const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  if (!brotliDecompressSync(br).equals(bytes)) throw new Error(`${f}: brotli does not round-trip`);
  // Tiny files rarely shrink enough to be worth a Content-Encoding (StaticSite's gzip rule).
  if (br.length + 64 < bytes.length) files.set(`${f}.br`, br);
}

function listed(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listed(join(dir, e.name), base) : [relative(base, join(dir, e.name))]);
}

// A committed <file>.br built by another Node.js (another brotli library: Debian's node links
// the system's) may differ byte for byte at the same quality; it is right when it decodes to
// exactly the file this build makes.
function sameBrotli(f) {
  if (!f.endsWith('.br')) return false;
  try {
    return brotliDecompressSync(readFileSync(join(out, f))).equals(files.get(f.slice(0, -3)));
  } catch {
    return false;
  }
}

if (verify) {
  const have = listed(out).sort();
  const want = [...files.keys()].sort();
  const problems = [];
  for (const f of want) {
    if (!have.includes(f)) problems.push(`missing: ui/${f}`);
    else if (!readFileSync(join(out, f)).equals(files.get(f)) && !sameBrotli(f)) problems.push(`differs: ui/${f}`);
  }
  for (const f of have) if (!files.has(f)) problems.push(`not built from src/: ui/${f}`);
  if (problems.length) {
    console.error(`src/dashboard/ui/ is not what src/dashboard/web/ builds (run \`npm run build\` there and commit ui/):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`src/dashboard/ui/: ${files.size} files, identical to the build of src/dashboard/web/`);
} else {
  rmSync(out, { recursive: true, force: true });
  for (const [f, bytes] of files) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    writeFileSync(join(out, f), bytes);
  }
}

if (sizes) {
  // The first page: the shell, the CSS, app.js and what it imports statically, and the search
  // page's chunk, its editor's and its charts' (loaded after the page draws) with their imports
  // (what a visit to /ui/search loads).
  const meta = app.metafile.outputs;
  const key = (f) => relative(out, join(here, f));
  const first = new Set(['index.html', 'app.css', 'favicon.svg']);
  const visit = (f) => {
    const k = key(f);
    if (first.has(k)) return;
    first.add(k);
    for (const i of meta[f].imports) if (i.kind === 'import-statement' || (i.kind === 'dynamic-import' && /search|editor|chart/.test(meta[i.path]?.entryPoint || i.path))) visit(i.path);
  };
  const appOut = Object.keys(meta).find((f) => meta[f].entryPoint === 'src/app.tsx');
  visit(appOut);
  for (const f of Object.keys(meta)) if (/search|editor|chart/.test(meta[f].entryPoint || '') || /pages\/search|src\/editor|src\/chart/.test(Object.keys(meta[f].inputs).join())) visit(f);
  let raw = 0;
  let gz = 0;
  let brs = 0;
  for (const [f, bytes] of [...files].sort()) {
    if (f.endsWith('.br')) continue;
    const g = gzipSync(bytes, { level: 9 }).length;
    const b = files.get(`${f}.br`)?.length ?? bytes.length;
    console.log(`${first.has(f) ? '*' : ' '} ${f.padEnd(36)} ${String(bytes.length).padStart(8)} B  ${String(g).padStart(7)} B gzip  ${String(b).padStart(7)} B br`);
    if (first.has(f)) {
      raw += bytes.length;
      gz += g;
      brs += b;
    }
  }
  console.log(`first page (*): ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped, ${(brs / 1024).toFixed(1)} KB brotli (budget 300 KB gzipped)`);
}
