// Usage: PLAYWRIGHT_CORE_DIR=<npm prefix with playwright-core> node benches/search_compute.mjs SITE_DIR QUERIES_TSV
// (EACH=1 prints every query). Times handbook's browser search once its files are loaded: each query runs twice in one page,
// and the second run (every file already in memory) is timed.
import { createRequire } from "module";
import http from "http";
import fs from "fs";
import path from "path";
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE_DIR + "/node_modules/playwright-core");
const [site, queriesFile] = process.argv.slice(2);
const queries = fs.readFileSync(queriesFile, "utf8").trim().split("\n").map(l => l.split("\t")[0]);
const server = http.createServer((req, res) => {
  let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = path.join(site, p);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html" });
  res.end(fs.readFileSync(file));
}).listen(0);
const port = server.address().port;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${port}/`);
const times = [];
for (const q of queries) {
  const ms = await page.evaluate(async (q) => {
    await window.handbookSearch.search(q, { limit: 10 });
    const t = performance.now();
    await window.handbookSearch.search(q, { limit: 10 });
    return performance.now() - t;
  }, q);
  times.push(ms); if (process.env.EACH) console.log(q, ms.toFixed(1));
}
times.sort((a, b) => a - b);
console.log(`queries ${times.length}: median ${times[times.length >> 1].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
await browser.close();
server.close();
