/* handbook search client: no framework, no network beyond this site, no WASM.
 * Reads the static export in <site>/search/ (see src/search/export.rs for the format) and ranks
 * with the impacts tantivy computed at build time, so results match `handbook search`.
 * Query syntax and semantics mirror src/search/query.rs and src/search/index.rs. */
(function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = new URL("../", script ? script.src : location.href);
  var searchRoot = new URL("search/", siteRoot).href;
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  var FILTER_KEYS = ["kind", "status", "team"];
  var SUFFIXES = ["ing", "ings", "ed", "es", "s", "ment", "ments", "er", "ers", "ion", "ions", "ly"];
  var encoder = new TextEncoder();

  // ---- loading: every file is a script calling handbookSearch.load(name, data) ----
  var loaded = Object.create(null);
  var waiting = Object.create(null);
  var manifest = null;

  function load(name, data) {
    loaded[name] = data;
  }

  function part(name) {
    if (name in loaded) return Promise.resolve(loaded[name]);
    if (waiting[name]) return waiting[name];
    var file = name;
    if (manifest && manifest.bundle && name !== "manifest") file = "bundle";
    var promise = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      var version = manifest ? "?v=" + manifest.version : "";
      tag.src = searchRoot + file + ".js" + version;
      tag.async = true;
      tag.onload = function () {
        if (name in loaded) resolve(loaded[name]);
        else reject(new Error("search file " + file + ".js did not define " + name));
      };
      tag.onerror = function () {
        delete waiting[name];
        reject(new Error("could not load " + tag.src));
      };
      document.head.appendChild(tag);
    });
    waiting[name] = promise;
    return promise;
  }

  var ready = null;
  // Forgets every loaded file, for the preview server after it rebuilt the index.
  function reset() {
    loaded = Object.create(null);
    waiting = Object.create(null);
    manifest = null;
    ready = null;
  }

  function init() {
    if (!ready) {
      ready = part("manifest").then(function (m) {
        manifest = m;
        return part("facets");
      }).then(function (facets) {
        var pageOf = new Int32Array(manifest.sections);
        var sid = 0;
        facets.pages.forEach(function (count, page) {
          for (var i = 0; i < count; i++) pageOf[sid++] = page;
        });
        manifest.pageOf = pageOf;
        manifest.codes = facets.codes;
        manifest.keyMap = new Map(manifest.keys);
        return manifest;
      });
      ready.catch(function () { ready = null; });
    }
    return ready;
  }

  // ---- query syntax (src/search/query.rs) ----
  function parseQuery(text) {
    var query = { terms: [], filters: {} };
    var rest = text.replace(/^\s+/, "");
    while (rest.length) {
      if (rest[0] === '"') {
        var end = rest.indexOf('"', 1);
        if (end < 0) end = rest.length;
        var phrase = rest.slice(1, end).trim();
        if (phrase) query.terms.push({ type: "phrase", text: phrase });
        rest = rest.slice(end + 1).replace(/^\s+/, "");
        continue;
      }
      var match = /^[^\s"]+/.exec(rest);
      var token = match[0];
      rest = rest.slice(token.length).replace(/^\s+/, "");
      var colon = token.indexOf(":");
      var key = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
      if (FILTER_KEYS.indexOf(key) >= 0) {
        var value = token.slice(colon + 1).trim().toLowerCase();
        if (value) {
          var values = query.filters[key] || (query.filters[key] = []);
          if (values.indexOf(value) < 0) values.push(value);
        }
        continue;
      }
      if (token[token.length - 1] === "*") {
        var prefix = token.slice(0, -1).toLowerCase();
        var plain = /^[\p{Alphabetic}\p{N}]*$/u.test(prefix);
        if (plain && Array.from(prefix).length >= 3) query.terms.push({ type: "prefix", text: prefix });
        else if (prefix) query.terms.push({ type: "word", text: prefix });
        continue;
      }
      query.terms.push({ type: "word", text: token });
    }
    return query;
  }

  function words(text) {
    var out = [];
    var found = text.match(WORD) || [];
    for (var i = 0; i < found.length; i++) {
      var word = found[i].toLowerCase();
      if (encoder.encode(word).length < manifest.maxWordBytes) out.push(word);
    }
    return out;
  }

  // ---- shards ----
  function fileOf(word) {
    var chars = Array.from(word);
    for (var length = Math.min(chars.length, 4); length >= 0; length--) {
      var file = manifest.keyMap.get(chars.slice(0, length).join(""));
      if (file !== undefined) return file;
    }
    return undefined;
  }

  function shard(word) {
    var file = fileOf(word);
    if (file === undefined) return Promise.resolve(null);
    return part("t/" + file);
  }

  // Surface form → stem, or null. Word forms the handbook never uses are tried without common
  // suffixes ("deploying" → "deploy"), and with an "e" ("rotating" → "rotate").
  function stemOf(word) {
    return shard(word).then(function (data) {
      var entry = data && data.w[word];
      if (entry) return entry[0] || word;
      var bases = [];
      SUFFIXES.forEach(function (suffix) {
        if (word.length > suffix.length + 2 && word.slice(-suffix.length) === suffix) {
          var base = word.slice(0, -suffix.length);
          bases.push(base, base + "e");
          if (base.length > 3 && base[base.length - 1] === base[base.length - 2]) bases.push(base.slice(0, -1));
        }
      });
      return bases.reduce(function (previous, base) {
        return previous.then(function (stem) {
          if (stem) return stem;
          return shard(base).then(function (d) {
            var e = d && d.w[base];
            return e ? (e[0] || base) : null;
          });
        });
      }, Promise.resolve(null));
    });
  }

  function expand(prefix) {
    var listed = manifest.completions[prefix];
    if (listed) return Promise.resolve(listed.map(function (pair) { return pair[1] || pair[0]; }));
    return shard(prefix).then(function (data) {
      if (!data) return [];
      var found = [];
      for (var surface in data.w) {
        var entry = data.w[surface];
        if (entry[1] > 0 && surface.lastIndexOf(prefix, 0) === 0) found.push([surface, entry[1], entry[0] || surface]);
      }
      found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); });
      return found.slice(0, manifest.expansions).map(function (f) { return f[2]; });
    });
  }

  // VLQ numbers (src/search/export.rs: vlq): 5 bits per digit, 32 = more digits follow.
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128);
  for (var d = 0; d < 64; d++) DIGIT[DIGITS.charCodeAt(d)] = d;
  function numbers(text) {
    var out = [];
    var value = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      value += (digit & 31) * scale;
      if (digit & 32) scale *= 32;
      else { out.push(value); value = 0; scale = 1; }
    }
    return out;
  }

  function addPostings(map, text) {
    var list = numbers(text);
    var sid = 0;
    for (var i = 0; i < list.length; i += 2) {
      sid += list[i];
      map.set(sid, list[i + 1]);
    }
  }

  // Postings of one stem, loaded tier by tier in impact order. `bound` is the most any posting
  // not loaded yet can add (0 once all are in).
  var stemCache = new Map();
  function postings(stem) {
    if (stemCache.has(stem)) return Promise.resolve(stemCache.get(stem));
    var file = fileOf(stem);
    if (file === undefined) return Promise.resolve(null);
    return part("t/" + file).then(function (data) {
      var raw = data.t[stem];
      if (!raw) return null;
      var entry = { stem: stem, file: file, df: raw[0], bounds: raw[1], tiers: 1, map: new Map() };
      addPostings(entry.map, raw[2]);
      entry.bound = raw[1].length ? raw[1][0] : 0;
      stemCache.set(stem, entry);
      return entry;
    });
  }

  function loadTier(entry) {
    if (!entry.bound) return Promise.resolve();
    var tier = entry.tiers;
    return part("t/" + entry.file + "." + tier).then(function (data) {
      if (entry.tiers !== tier) return;
      addPostings(entry.map, data[entry.stem] || "");
      entry.tiers = tier + 1;
      entry.bound = tier < entry.bounds.length ? entry.bounds[tier] : 0;
    });
  }

  function positions(stem) {
    var file = fileOf(stem);
    return part("p/" + file).then(function (data) {
      var list = numbers(data[stem] || "");
      var bySid = new Map();
      for (var i = 0; i < list.length;) {
        var field = list[i++];
        var docs = list[i++];
        var sid = 0;
        for (var n = 0; n < docs; n++) {
          sid += list[i++];
          var count = list[i++];
          var places = [];
          var at = 0;
          for (var c = 0; c < count; c++) { at += list[i++]; places.push(at); }
          var perField = bySid.get(sid);
          if (!perField) bySid.set(sid, perField = {});
          perField[field] = places;
        }
      }
      return bySid;
    });
  }

  // ---- resolving a query into groups of stems (src/search/index.rs: groups) ----
  function resolve(query, typeahead) {
    var groups = [];
    var phrases = [];
    var highlight = [];
    var impossible = false;
    var jobs = query.terms.map(function (term, index) {
      var isLast = index === query.terms.length - 1;
      if (term.type === "prefix") {
        return expand(term.text).then(function (stems) {
          if (!stems.length) impossible = true;
          groups.push(unique(stems));
          highlight.push({ prefix: term.text });
        });
      }
      var tokens = words(term.text);
      return Promise.all(tokens.map(stemOf)).then(function (stems) {
        var prefixJob = Promise.resolve([]);
        if (typeahead && isLast && term.type === "word" && tokens.length === 1 && Array.from(tokens[0]).length >= manifest.minPrefix) {
          prefixJob = expand(tokens[0]);
          highlight.push({ prefix: tokens[0] });
        }
        return prefixJob.then(function (more) {
          stems.forEach(function (stem, i) {
            var group = stem ? [stem] : [];
            if (i === stems.length - 1) group = group.concat(more);
            if (!group.length) impossible = true;
            groups.push(unique(group));
            highlight.push({ word: tokens[i] });
          });
          if (stems.length > 1) phrases.push(stems);
        });
      });
    });
    return Promise.all(jobs).then(function () {
      return { groups: groups, phrases: phrases, highlight: highlight, impossible: impossible };
    });
  }

  function unique(list) {
    return list.filter(function (item, i) { return list.indexOf(item) === i; });
  }

  // ---- ranking ----
  function run(text, options) {
    options = options || {};
    var limit = options.limit || 10;
    return init().then(function () {
      var query = parseQuery(text);
      if (options.filters) {
        for (var key in options.filters) {
          options.filters[key].forEach(function (v) {
            var values = query.filters[key] || (query.filters[key] = []);
            if (values.indexOf(v) < 0) values.push(v);
          });
        }
      }
      return resolve(query, options.typeahead).then(function (plan) {
        plan.query = query;
        if (plan.impossible || (!plan.groups.length && !Object.keys(query.filters).length)) {
          return finish(plan, [], limit);
        }
        var stems = unique([].concat.apply([], plan.groups));
        return Promise.all(stems.map(postings)).then(function (entries) {
          var byStem = new Map();
          entries.forEach(function (e) { if (e) byStem.set(e.stem, e); });
          if (plan.groups.some(function (g) { return !g.some(function (s) { return byStem.has(s); }); })) {
            return finish(plan, [], limit);
          }
          var phraseJob = Promise.all(plan.phrases.map(function (p) { return Promise.all(p.map(positions)); }));
          return phraseJob.then(function (phrasePositions) {
            plan.phrasePositions = phrasePositions;
            // Rank from what is loaded; fetch the next tier only when it could change the top.
            function attempt() {
              var scored = score(plan, byStem, limit);
              if (scored.exact) return finish(plan, scored.ranked, limit, scored);
              return Promise.all(Array.from(byStem.values()).map(loadTier)).then(attempt);
            }
            return attempt();
          });
        });
      });
    });
  }

  function allowed(query, page) {
    for (var key in query.filters) {
      var names = manifest.facets[key] || [];
      var name = names[manifest.codes[key][page]];
      if (query.filters[key].indexOf(name) < 0) return false;
    }
    return true;
  }

  function phraseOk(plan, sid) {
    for (var p = 0; p < plan.phrases.length; p++) {
      var lists = plan.phrasePositions[p].map(function (bySid) { return bySid.get(sid); });
      if (lists.some(function (l) { return !l; })) return false;
      var found = false;
      for (var field = 0; field < 4 && !found; field++) {
        var first = lists[0][field];
        if (!first) continue;
        found = first.some(function (start) {
          for (var k = 1; k < lists.length; k++) {
            var places = lists[k][field];
            if (!places || places.indexOf(start + k) < 0) return false;
          }
          return true;
        });
      }
      if (!found) return false;
    }
    return true;
  }

  function boostOf(page) {
    var status = (manifest.facets.status || [])[manifest.codes.status[page]] || "";
    return manifest.statusBoost[status] || 1;
  }

  // Scores sections from the loaded postings. `exact` says whether they prove the top `limit`
  // pages: every top score is final and nothing unloaded could reach the last of them.
  function score(plan, byStem, limit) {
    var groups = plan.groups.map(function (g) {
      return g.map(function (s) { return byStem.get(s); }).filter(Boolean);
    });
    var open = groups.map(function (g) {
      return g.reduce(function (sum, e) { return sum + e.bound; }, 0);
    });
    var complete = open.every(function (x) { return x === 0; });
    // A section in no loaded posting can only match when every group still has postings out.
    var bestOpenBound = open.every(function (x) { return x > 0; })
      ? open.reduce(function (a, b) { return a + b; }, 0) : -1;
    var candidates = new Set();
    if (!groups.length) {
      for (var all = 0; all < manifest.sections; all++) candidates.add(all);
    } else {
      groups.forEach(function (g) {
        g.forEach(function (e) { e.map.forEach(function (_, sid) { candidates.add(sid); }); });
      });
    }
    var pages = new Map(); // page → [score, sid, final, upper]
    var counts = { kind: {}, status: {}, team: {} };
    candidates.forEach(function (sid) {
      var lower = 0, upper = 0, matched = true, possible = true;
      for (var g = 0; g < groups.length; g++) {
        var found = false, sum = 0, extra = 0;
        for (var k = 0; k < groups[g].length; k++) {
          var e = groups[g][k];
          var impact = e.map.get(sid);
          if (impact !== undefined) { found = true; sum += impact; }
          else extra += e.bound;
        }
        lower += sum;
        upper += sum + extra;
        if (!found) matched = false;
        if (!found && extra === 0) possible = false;
      }
      var page = manifest.pageOf[sid];
      if (!matched || !phraseOk(plan, sid)) {
        if (possible && !complete && upper > bestOpenBound && allowed(plan.query, page)) bestOpenBound = upper;
        return;
      }
      FILTER_KEYS.forEach(function (key) {
        var name = (manifest.facets[key] || [])[manifest.codes[key][page]];
        if (name) counts[key][page] = name;
      });
      if (!allowed(plan.query, page)) return;
      var value = lower * boostOf(page);
      var current = pages.get(page);
      if (!current || value > current[0] || (value === current[0] && sid < current[1])) {
        pages.set(page, [value, sid, upper === lower, upper]);
      }
    });
    var ranked = Array.from(pages.values()).sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var exact = complete;
    if (!exact) {
      var top = ranked.slice(0, limit);
      var threshold = top.length === limit ? top[top.length - 1][0] : 0;
      exact = top.length === limit && top.every(function (r) { return r[2]; });
      ranked.slice(limit).forEach(function (r) { if (r[3] > bestOpenBound) bestOpenBound = r[3]; });
      if (exact && bestOpenBound >= threshold) exact = false;
    }
    var facetCounts = {};
    FILTER_KEYS.forEach(function (key) {
      var tally = {};
      for (var page in counts[key]) tally[counts[key][page]] = (tally[counts[key][page]] || 0) + 1;
      facetCounts[key] = tally;
    });
    return { ranked: ranked, exact: exact, complete: complete, facets: facetCounts };
  }

  function finish(plan, ranked, limit, scored) {
    var top = ranked.slice(0, limit);
    var chunks = unique(top.map(function (r) { return Math.floor(r[1] / manifest.chunk); }));
    return Promise.all(chunks.map(function (c) { return part("d/" + c); })).then(function () {
      var hits = top.map(function (r) {
        var meta = loaded["d/" + Math.floor(r[1] / manifest.chunk)][r[1] % manifest.chunk];
        return {
          sid: r[1], score: r[0] / manifest.scale, title: meta[0], section: meta[1] || null,
          url: meta[2], kind: meta[3], status: meta[4], team: meta[5], date: meta[6], excerpt: meta[7]
        };
      });
      return {
        hits: hits,
        total: ranked.length,
        complete: !scored || scored.complete,
        facets: scored ? scored.facets : { kind: {}, status: {}, team: {} },
        highlight: plan.highlight,
        query: plan.query
      };
    });
  }

  // ---- presentation ----
  function href(url, terms) {
    var hash = "";
    var at = url.indexOf("#");
    if (at >= 0) { hash = url.slice(at); url = url.slice(0, at); }
    if (siteRoot.protocol === "file:" && (url === "" || url[url.length - 1] === "/")) url += "index.html";
    var query = terms.length ? "?hl=" + encodeURIComponent(terms.join(" ")) : "";
    // Only ever a path inside the site: "./" keeps a "name:" segment from reading as a scheme.
    var target = new URL("./" + url.replace(/^[\/\\]+/, ""), siteRoot);
    if (target.origin !== siteRoot.origin || target.href.indexOf(siteRoot.href) !== 0) return siteRoot.href;
    return target.href.replace(/[?#].*$/, "") + query + hash;
  }

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

  function matcherFor(result) {
    var exact = new Set();
    var prefixes = [];
    result.highlight.forEach(function (h) {
      if (h.word) exact.add(h.word);
      if (h.prefix) prefixes.push(h.prefix);
    });
    // Other surface forms of the matched stems, from the loaded shards.
    var stems = new Set();
    exact.forEach(function (w) {
      var data = loaded["t/" + fileOf(w)];
      var e = data && data.w[w];
      stems.add(e ? (e[0] || w) : w);
    });
    return function (word) {
      if (exact.has(word)) return true;
      for (var i = 0; i < prefixes.length; i++) if (word.lastIndexOf(prefixes[i], 0) === 0) return true;
      var data = loaded["t/" + fileOf(word)];
      var e = data && data.w[word];
      return !!e && stems.has(e[0] || word);
    };
  }

  function highlightTerms(result) {
    return unique(result.highlight.map(function (h) { return h.word || h.prefix; }));
  }

  function renderHits(list, result, activeIndex) {
    list.textContent = "";
    var matcher = matcherFor(result);
    var terms = highlightTerms(result);
    result.hits.forEach(function (hit, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = list.id + "-" + i;
      if (i === activeIndex) item.setAttribute("aria-selected", "true");
      var link = document.createElement("a");
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
      part("search-hit-snippet", hit.excerpt);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function summary(result) {
    if (!result.hits.length) return "No results";
    var total = result.total + (result.complete ? "" : "+");
    return total + (result.total === 1 ? " result" : " results");
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
        button.textContent = name + " " + tally[name] + (result.complete ? "" : "+");
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

    function move(step) {
      if (!current || !current.hits.length) return;
      active = (active + step + current.hits.length + 1) % (current.hits.length + 1);
      if (active === current.hits.length) active = -1;
      Array.prototype.forEach.call(list.children, function (item, i) {
        if (i === active) item.setAttribute("aria-selected", "true");
        else item.removeAttribute("aria-selected");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
        list.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    input.addEventListener("focus", function () { init().catch(function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 60);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter") {
        var links = list.querySelectorAll("a.search-hit");
        var target = links[active >= 0 ? active : 0];
        if (target && !panel.hidden) {
          event.preventDefault();
          location.href = target.href;
        }
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
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

  window.handbookSearch = { load: load, search: run, parse: parseQuery, ready: init, reset: reset };

  function start() {
    document.querySelectorAll("form.site-search").forEach(setupBox);
    var page = document.querySelector(".search-page");
    if (page) setupPage(page);
    highlightPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
