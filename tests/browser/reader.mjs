// Reads a built handbook as a person would, in Chromium driven by playwright-core: every page
// type at desktop and phone sizes, light and dark. Run by `browser::every_page_type_reads_well…`
// in tests/suite/browser.rs, which checks the JSON report this prints.
//
//   HANDBOOK_NODE_MODULES=target/axe/node_modules CHROMIUM=/usr/bin/chromium \
//     node tests/browser/reader.mjs BASE_URL SHOTS_DIR PAGES_JSON
//
// PAGES_JSON is an array of [name, path]. For each page, size and theme it checks that the page
// opens at the top, that nothing is drawn over the footer (bounding boxes over the whole page)
// and that nothing sticks out sideways, and saves a full-page screenshot. On a phone it opens
// the menu drawer (full height, scrolls, holds the header's links) and the full-screen search;
// on the desktop it copies a code block, follows "On this page" while scrolling, folds it on a
// narrower screen, and shows heading link icons on hover.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.HANDBOOK_NODE_MODULES, "noop.js"));
const { chromium } = require("playwright-core");

const [base, shots, pagesJson] = process.argv.slice(2);
const pages = JSON.parse(pagesJson);
const sizes = [["desktop", 1366, 900], ["phone", 390, 844]];
const report = { problems: [], visited: 0, shots: [], drawers: 0, searches: 0, copied: 0, followed: 0, folded: 0, icons: 0 };
const problem = (where, what) => report.problems.push(`${where}: ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

// Measures the page as laid out: scroll position, boxes below the footer's top, boxes past the
// right edge. Boxes inside a scrolling or fixed container are left out: they are clipped there.
function measure() {
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== "visible" || s.overflowY !== "visible" || s.position === "fixed") return true;
    }
    return false;
  };
  const y = window.scrollY;
  const footer = document.querySelector(".site-footer");
  const footerTop = footer.getBoundingClientRect().top + y;
  const below = [], wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden" || s.position === "fixed") continue;
    if (el.closest(".skip-link, .visually-hidden, script, style")) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || clipped(el)) continue;
    if (el.closest(".layout") && !el.closest(".site-footer") && r.bottom + y > footerTop + 1) below.push(describe(el) + " bottom " + Math.round(r.bottom + y) + " > footer " + Math.round(footerTop));
    if (r.right > window.innerWidth + 1 || r.left < -1) wide.push(describe(el) + " spans " + Math.round(r.left) + ".." + Math.round(r.right));
  }
  return {
    scrollY: y,
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    below: below.slice(0, 5),
    wide: wide.slice(0, 5),
    hasToc: !!document.querySelector(".toc"),
  };
}

async function openAndMeasure(page, url, where) {
  await page.goto(url, { waitUntil: "load" });
  if (url.includes("?q=")) await page.waitForSelector(".search-list li", { timeout: 10000 });
  const m = await page.evaluate(measure);
  if (m.scrollY !== 0) problem(where, `opened scrolled ${m.scrollY}px down`);
  if (m.below.length) problem(where, `drawn over the footer: ${m.below.join("; ")}`);
  if (m.scrollWidth > m.width + 1) problem(where, `scrolls sideways: ${m.scrollWidth}px wide in ${m.width}px (${m.wide.join("; ")})`);
  return m;
}

// The phone menu: a drawer from below the header to the bottom of the screen that holds the
// header's links, scrolls to its last entry, and closes with Escape.
async function checkDrawer(page, where, hasToc) {
  await page.click(".nav-toggle");
  const d = await page.evaluate(() => {
    const drawer = document.getElementById("sidebar");
    const r = drawer.getBoundingClientRect();
    const visible = link => {
      const b = link.getBoundingClientRect();
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      return b.height > 0 && b.top >= r.top - 1 && b.bottom <= window.innerHeight + 1 && !!hit && link.contains(hit);
    };
    const links = [...drawer.querySelectorAll(".drawer-links a")];
    const find = part => links.find(a => new URL(a.href).pathname.endsWith(part));
    const decisions = find("/decision-log/"), changes = find("/changes/");
    const all = [...drawer.querySelectorAll("a[href]")];
    const first = all[0];
    const firstVisible = first && visible(first);
    drawer.scrollTop = drawer.scrollHeight;
    const last = all[all.length - 1];
    return {
      top: r.top, bottom: r.bottom, height: window.innerHeight, width: r.width,
      decisions: !!decisions, changes: !!changes, firstVisible,
      lastVisible: !!last && visible(last),
      toc: !!drawer.querySelector(".drawer-toc a, .drawer-toc-entries a"),
      bodyLocked: getComputedStyle(document.body).overflow === "hidden",
    };
  });
  if (d.top > 60 || d.bottom < d.height - 1 || d.width < 380) problem(where, `the menu is not a full-height drawer: ${JSON.stringify(d)}`);
  if (!d.decisions || !d.changes) problem(where, `the menu lacks Decisions or What changed: ${JSON.stringify(d)}`);
  if (!d.firstVisible || !d.lastVisible) problem(where, `the menu's first or last entry cannot be reached: ${JSON.stringify(d)}`);
  if (hasToc && !d.toc) problem(where, "the menu lacks On this page");
  if (!d.bodyLocked) problem(where, "the page behind the open menu scrolls");
  await page.keyboard.press("Escape");
  const closed = await page.evaluate(() => !document.body.classList.contains("nav-open") &&
    getComputedStyle(document.getElementById("sidebar")).display === "none");
  if (!closed) problem(where, "Escape does not close the menu");
  report.drawers++;
}

// Search on a phone: the box spans the header and results fill the screen; Cancel leaves.
async function checkPhoneSearch(page, where) {
  await page.click("form.site-search input");
  await page.keyboard.type("deploy");
  await page.waitForSelector(".site-search .search-list li", { timeout: 10000 });
  const s = await page.evaluate(() => {
    const rect = el => el.getBoundingClientRect().toJSON();
    return {
      form: rect(document.querySelector("form.site-search")),
      panel: rect(document.querySelector(".search-panel")),
      cancel: rect(document.querySelector(".search-cancel")),
      width: window.innerWidth, height: window.innerHeight,
    };
  });
  if (s.form.left > 1 || s.form.right < s.width - 1 || s.form.top > 1) problem(where, `the search box does not span the header: ${JSON.stringify(s.form)}`);
  if (s.panel.left > 1 || s.panel.right < s.width - 1 || s.panel.bottom < s.height - 1 || s.panel.top > 60) problem(where, `search results are not full-screen: ${JSON.stringify(s.panel)}`);
  if (s.cancel.width < 1 || s.cancel.right > s.width + 1) problem(where, `no Cancel button: ${JSON.stringify(s.cancel)}`);
  await page.click(".search-cancel");
  const left = await page.evaluate(() => document.querySelector(".search-panel").hidden &&
    !document.querySelector("form.site-search").classList.contains("is-open"));
  if (!left) problem(where, "Cancel does not leave the full-screen search");
  report.searches++;
}

// Desktop reading aids on a long page with code.
async function checkReadingAids(context, page, url, where) {
  await page.goto(url, { waitUntil: "load" });
  // Copy button: hover shows it; the clipboard then holds the block's code.
  const pre = page.locator(".content pre").first();
  await pre.hover();
  const button = page.locator(".code-block .copy-code").first();
  const opacity = await button.evaluate(el => getComputedStyle(el).opacity);
  if (opacity !== "1") problem(where, `the copy button is not shown on hover (opacity ${opacity})`);
  await button.click();
  await page.waitForFunction(() => document.querySelector(".copy-code.copied"), null, { timeout: 5000 });
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const code = await pre.evaluate(el => (el.querySelector("code") || el).innerText.replace(/\n$/, ""));
  if (copied !== code || !code) problem(where, `copied ${JSON.stringify(copied.slice(0, 60))}, the block holds ${JSON.stringify(code.slice(0, 60))}`);
  else report.copied++;
  // "On this page" follows the reader: scroll to the third section and its entry is marked.
  const target = await page.evaluate(() => {
    const links = [...document.querySelectorAll(".toc a[href^='#']")];
    const link = links[Math.min(2, links.length - 1)];
    document.getElementById(decodeURIComponent(link.hash.slice(1))).scrollIntoView();
    return link.getAttribute("href");
  });
  await page.waitForFunction(href => {
    const marked = document.querySelector(".toc a[aria-current]");
    return marked && marked.getAttribute("href") === href;
  }, target, { timeout: 5000 }).then(() => report.followed++, () => problem(where, `On this page does not mark ${target} while it is read`));
  // A link icon on a heading on hover.
  const heading = page.locator(".content h2").first();
  await heading.hover();
  const icon = await heading.locator(".heading-anchor").evaluate(el => {
    const s = getComputedStyle(el);
    return { opacity: s.opacity, width: el.getBoundingClientRect().width, mask: s.maskImage || s.webkitMaskImage };
  });
  if (icon.opacity !== "1" || icon.width < 8 || !/svg/.test(icon.mask)) problem(where, `no link icon on heading hover: ${JSON.stringify(icon)}`);
  else report.icons++;
}

// Between phone and desktop "On this page" is a folded box above the page that opens on click.
async function checkFolding(browser, url, where) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  const before = await page.evaluate(() => {
    const toc = document.querySelector(".toc"), main = document.querySelector("main");
    return { open: toc.querySelector("details").open, above: toc.getBoundingClientRect().bottom <= main.getBoundingClientRect().top + 1, shown: toc.getBoundingClientRect().height > 0 };
  });
  await page.click(".toc summary");
  const after = await page.evaluate(() => document.querySelector(".toc details").open);
  if (before.open || !before.above || !before.shown || !after) problem(where, `On this page does not fold at 1000px: ${JSON.stringify({ before, after })}`);
  else report.folded++;
  await context.close();
}

try {
  for (const [size, width, height] of sizes) {
    for (const theme of ["light", "dark"]) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", error => errors.push(error.message));
      for (const [name, pagePath] of pages) {
        const where = `${name} (/${pagePath}) ${size} ${theme}`;
        const url = base + pagePath;
        const m = await openAndMeasure(page, url, where);
        const file = path.join(shots, `${name}-${size}-${theme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        report.shots.push(file);
        if (size === "phone") {
          await checkDrawer(page, where, m.hasToc);
          if (name === "home") {
            await checkPhoneSearch(page, where);
          }
        }
        report.visited++;
      }
      for (const error of errors) problem(`${size} ${theme}`, `script error: ${error}`);
      await context.close();
    }
  }
  const guide = pages.find(([name]) => name === "guide");
  if (guide) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(base).origin });
    const page = await context.newPage();
    await checkReadingAids(context, page, base + guide[1], `guide (/${guide[1]}) desktop`);
    await context.close();
    await checkFolding(browser, base + guide[1], `guide (/${guide[1]}) at 1000px`);
  }
} catch (error) {
  problem("reader.mjs", error.stack || String(error));
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
