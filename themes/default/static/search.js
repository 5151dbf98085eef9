/* handbook search interface: the header box's type-ahead, the /search/ page, highlighting on
 * a page reached from a result, and suggestions on the 404 page. The engine that reads the
 * export and ranks (assets/search-engine.js, from the handbook binary) is loaded before this
 * and reached through window.handbookSearch. No framework, no network. */
(function () {
  "use strict";
  // A theme whose base.html predates the engine split loads only this script: the engine
  // beside it is fetched first.
  if (window.handbookSearch) {
    ui();
  } else if (document.currentScript) {
    var tag = document.createElement("script");
    tag.src = new URL("search-engine.js", document.currentScript.src).href;
    tag.onload = ui;
    document.head.appendChild(tag);
  }

  function ui() {
  var engine = window.handbookSearch;
  if (!engine) return;
  var siteRoot = engine.siteRoot, WORD = engine.word, FILTER_KEYS = engine.filterKeys;
  var unique = engine.unique, run = engine.search, init = engine.ready, href = engine.href;
  var matcherFor = engine.matcher, snippetOf = engine.snippetWith, labelOf = engine.label;

  // ---- presentation ----
  // Appends `text` to `parent` as text nodes, with matching words in <mark>. Never innerHTML.
  function marked(parent, text, matcher) {
    var last = 0;
    text.replace(WORD, function (word, offset) {
      if (matcher(word.toLowerCase())) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
        var mark = document.createElement("mark");
        mark.textContent = word;
        parent.appendChild(mark);
        last = offset + word.length;
      }
      return word;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function highlightTerms(result) {
    return unique(result.highlight.map(function (h) { return h.word || h.prefix; }));
  }

  // Renders the hits into `list`. In the header box's popup (`list` has role=listbox) every
  // link is an option of the listbox (the hit and its sections; the list item is only
  // presentation), so no interactive element sits inside another; on the search page the
  // list is a plain list of links.
  function renderHits(list, result, activeIndex) {
    list.textContent = "";
    var listbox = list.getAttribute("role") === "listbox";
    var matcher = matcherFor(result);
    var terms = highlightTerms(result);
    result.hits.forEach(function (hit, i) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      if (listbox) {
        item.setAttribute("role", "presentation");
        link.setAttribute("role", "option");
        link.id = list.id + "-" + i;
        if (i === activeIndex) link.setAttribute("aria-selected", "true");
      }
      link.href = href(hit.url, terms);
      link.className = "search-hit";
      // Adds a span of plain text, with the matched words marked unless `plain`.
      function part(className, text, plain) {
        if (!text) return;
        var span = document.createElement("span");
        span.className = className;
        if (plain) span.textContent = text;
        else marked(span, text, matcher);
        link.appendChild(span);
      }
      part("search-hit-title", hit.title);
      part("search-hit-section", hit.section);
      part("search-hit-meta", [hit.kind, hit.status, hit.team, hit.date].filter(Boolean).join(" · "), true);
      part("search-hit-snippet", snippetOf(hit, matcher));
      item.appendChild(link);
      // Other sections of the page that match.
      (hit.sections || []).forEach(function (section, k) {
        var sub = document.createElement("a");
        if (listbox) {
          sub.setAttribute("role", "option");
          sub.id = list.id + "-" + i + "-" + k;
        }
        sub.className = "search-hit-sub";
        sub.href = href(section.url, terms);
        marked(sub, section.heading, matcher);
        item.appendChild(sub);
      });
      list.appendChild(item);
    });
  }

  function summary(result) {
    var fixed = (result.corrected || []).map(function (c) { return "“" + c[1] + "”"; });
    var note = fixed.length ? " · showing results for " + fixed.join(", ") : "";
    if (!result.hits.length) return "No results" + note;
    var total = result.total + (result.complete ? "" : "+");
    return total + (result.total === 1 ? " result" : " results") + note;
  }

  // Facet chips; a click toggles the value in `active` (key → values) and calls `onChange`.
  function renderFacets(container, result, active, onChange) {
    container.textContent = "";
    FILTER_KEYS.forEach(function (key) {
      var tally = result.facets[key] || {};
      var names = Object.keys(tally).sort();
      if (names.length < 2 && !(active[key] || []).length) return;
      var group = document.createElement("div");
      group.className = "search-facet";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", key);
      var label = document.createElement("span");
      label.className = "search-facet-label";
      label.textContent = key;
      group.appendChild(label);
      names.forEach(function (name) {
        var button = document.createElement("button");
        button.type = "button";
        var on = (active[key] || []).indexOf(name) >= 0;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.textContent = labelOf(key, name) + " " + tally[name] + (result.complete ? "" : "+");
        button.addEventListener("click", function () {
          var values = active[key] || (active[key] = []);
          var at = values.indexOf(name);
          if (at >= 0) values.splice(at, 1); else values.push(name);
          if (!values.length) delete active[key];
          onChange();
        });
        group.appendChild(button);
      });
      container.appendChild(group);
    });
  }

  // ---- the header box: type-ahead ----
  function setupBox(form) {
    var input = form.querySelector("input[type=search]");
    var panel = form.querySelector(".search-panel");
    if (!input || !panel) return;
    var status = panel.querySelector(".search-status");
    var facets = panel.querySelector(".search-facets");
    var list = panel.querySelector(".search-list");
    var active = -1;
    var current = null;
    var filters = {};
    var serial = 0;
    var timer = null;

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    // On a phone the box opens full-screen while in use (the CSS keys on is-open); Cancel,
    // Escape or a click elsewhere leaves it.
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "search-cancel";
    cancel.textContent = "Cancel";
    input.insertAdjacentElement("afterend", cancel);
    function leave() {
      close();
      form.classList.remove("is-open");
    }
    cancel.addEventListener("click", function () {
      leave();
      input.blur();
    });

    function update() {
      var text = input.value;
      var mine = ++serial;
      if (!text.trim()) { close(); current = null; return; }
      var typeahead = !/\s$/.test(text);
      run(text, { limit: 8, typeahead: typeahead, filters: filters }).then(function (result) {
        if (mine !== serial) return;
        current = result;
        active = -1;
        status.textContent = summary(result);
        renderFacets(facets, result, filters, function () {
          update();
          input.focus();
        });
        renderHits(list, result, active);
        panel.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }, function (error) {
        if (mine !== serial) return;
        status.textContent = "Search is unavailable: " + error.message;
        list.textContent = "";
        panel.hidden = false;
      });
    }

    // Arrow keys walk every option of the listbox in order: each result, then its sections.
    function move(step) {
      var options = list.querySelectorAll("[role=option]");
      if (!current || !options.length) return;
      active = (active + step + options.length + 1) % (options.length + 1);
      if (active === options.length) active = -1;
      Array.prototype.forEach.call(options, function (option, i) {
        if (i === active) option.setAttribute("aria-selected", "true");
        else option.removeAttribute("aria-selected");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    input.addEventListener("focus", function () {
      form.classList.add("is-open");
      init().catch(function () {});
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 60);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { leave(); }
      else if (event.key === "Enter") {
        var target = active >= 0 ? list.querySelectorAll("[role=option]")[active] : list.querySelector("a.search-hit");
        if (target && !panel.hidden) {
          event.preventDefault();
          location.href = target.href;
        }
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) leave();
    });
    // Submitting to /search/ keeps the chips chosen here.
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[data-facet]"), function (old) { old.remove(); });
      FILTER_KEYS.forEach(function (key) {
        (filters[key] || []).forEach(function (value) {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = key;
          hidden.value = value;
          hidden.setAttribute("data-facet", "");
          form.appendChild(hidden);
        });
      });
    });
  }

  // ---- the /search/?q= page ----
  function setupPage(page) {
    var form = page.querySelector("form");
    var input = page.querySelector("input[type=search]");
    var status = page.querySelector(".search-status");
    var facets = page.querySelector(".search-facets");
    var list = page.querySelector(".search-list");
    var params = new URLSearchParams(location.search);
    var filters = {};
    FILTER_KEYS.forEach(function (key) {
      params.getAll(key).forEach(function (v) { (filters[key] = filters[key] || []).push(v.toLowerCase()); });
    });
    input.value = params.get("q") || "";
    function show() {
      var text = input.value;
      if (!text.trim() && !Object.keys(filters).length) { status.textContent = ""; list.textContent = ""; return; }
      status.textContent = "Searching…";
      run(text, { limit: 50, filters: filters }).then(function (result) {
        status.textContent = summary(result) + " for “" + text + "”";
        renderFacets(facets, result, filters, show);
        renderHits(list, result, -1);
      }, function (error) {
        status.textContent = "Search is unavailable: " + error.message;
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      show();
    });
    show();
  }

  // ---- highlight terms on a page reached from a result (?hl=) ----
  function highlightPage() {
    var terms = new URLSearchParams(location.search).get("hl");
    var main = document.querySelector("main .content, main article, main");
    if (!terms || !main) return;
    var wanted = terms.toLowerCase().split(/\s+/).filter(Boolean);
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      var hit = false;
      text.replace(WORD, function (word) {
        var lower = word.toLowerCase();
        if (wanted.some(function (w) { return lower.lastIndexOf(w, 0) === 0; })) hit = true;
        return word;
      });
      if (!hit || (node.parentNode && node.parentNode.closest("script,style,mark"))) return;
      var fragment = document.createDocumentFragment();
      marked(fragment, text, function (lower) {
        return wanted.some(function (w) { return lower.lastIndexOf(w, 0) === 0; });
      });
      node.parentNode.replaceChild(fragment, node);
    });
    var first = main.querySelector("mark");
    if (first && !location.hash) first.scrollIntoView({ block: "center" });
  }

  // ---- keyboard: "/" or Ctrl-K focuses the box ----
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    var box = document.querySelector(".site-search input[type=search]");
    if (!box) return;
    if ((event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // The 404 page: the words of the missing address (below the site root), searched, give a
  // few pages it may have meant, and a search link filled with them.
  function suggest(section) {
    var path = decodeURIComponent(location.pathname);
    var root = siteRoot.pathname;
    if (path.lastIndexOf(root, 0) === 0) path = path.slice(root.length);
    var words = unique((path.match(WORD) || []).map(function (w) { return w.toLowerCase(); })
      .filter(function (w) { return w !== "html" && w !== "index" && w !== "md"; }));
    if (!words.length) return;
    var query = words.join(" ");
    var link = section.querySelector(".suggest-search");
    if (link) link.href = new URL("search/?q=" + encodeURIComponent(query), siteRoot).href;
    run(query, { limit: 5 }).then(function (result) {
      var list = section.querySelector(".suggestions");
      result.hits.forEach(function (hit) {
        var item = document.createElement("li");
        var a = document.createElement("a");
        a.href = href(hit.url, []);
        a.textContent = hit.section ? hit.title + " › " + hit.section : hit.title;
        item.appendChild(a);
        list.appendChild(item);
      });
      section.hidden = false;
    }, function () { section.hidden = false; });
  }

  function start() {
    document.querySelectorAll("form.site-search").forEach(setupBox);
    var page = document.querySelector(".search-page");
    if (page) setupPage(page);
    var missing = document.querySelector(".not-found-suggestions");
    if (missing) suggest(missing);
    highlightPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  }
})();
