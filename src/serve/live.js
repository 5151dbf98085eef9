// Live reload for `handbook serve`; injected by the server only, never part of a build.
(function () {
  "use strict";
  var base = document.currentScript.src.replace(/__handbook\/live\.js.*$/, "");
  var key = "handbook-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, Number(saved)); };
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  // "/docs/a/index.html" and "/docs/a/" are the same page.
  function normal(path) {
    path = decodeURIComponent(path);
    return path.replace(/index\.html$/, "");
  }

  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }

  var overlay = null;
  function showProblems(messages) {
    if (!messages.length) {
      if (overlay) overlay.remove();
      overlay = null;
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "handbook-problems";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;background:#2b0b0e;color:#ffd7d9;border:2px solid #ff5c6c;border-radius:8px;" +
        "padding:1rem 1.25rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.4)";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "handbook: the last change has errors; showing the last good build";
    title.style.cssText = "display:block;margin-bottom:.5rem;color:#fff";
    var text = document.createElement("pre");
    text.style.cssText = "margin:0;white-space:pre-wrap";
    text.textContent = messages.join("\n");
    overlay.appendChild(title);
    overlay.appendChild(text);
  }

  // The page says when it listens and how many rebuilds it has looked at
  // (<html data-live="connected" data-live-seen="2">), so tools and tests can tell a page that
  // chose not to reload from one that has not heard yet.
  var root = document.documentElement;
  var seen = 0;
  var events = new EventSource(base + "__handbook/events");
  events.addEventListener("open", function () { root.dataset.live = "connected"; });
  events.addEventListener("error", function () { root.dataset.live = "reconnecting"; });
  events.addEventListener("reload", function (event) {
    var data = JSON.parse(event.data);
    var here = normal(location.pathname);
    if (data.all || data.changed.some(function (path) { return normal(path) === here; })) reload();
    root.dataset.liveSeen = String(++seen);
  });
  events.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data).messages);
  });
  events.addEventListener("search", function () {
    if (window.handbookSearch && window.handbookSearch.reset) window.handbookSearch.reset();
    if (/\/search\/$/.test(location.pathname) && location.search) reload();
  });
})();
