/* handbook search engine: no framework, no network beyond this site, no WASM.
 * Reads the static export in <site>/search/ (see src/search/export.rs for the format) and ranks
 * with the impacts tantivy computed at build time, so results match `handbook search`.
 * Query syntax and semantics mirror src/search/query.rs and src/search/index.rs.
 *
 * Embedded in the handbook binary (src/search/engine.js) and published as
 * assets/search-engine.js whatever the theme, so it always reads the format the same binary
 * exported; the theme's search.js is only the interface, through window.handbookSearch. */
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

  // The export's layout this script reads (src/search/export.rs: FORMAT).
  var FORMAT = 4;

  function init() {
    if (!ready) {
      ready = part("manifest").then(function (m) {
        if (m.format !== FORMAT) {
          throw new Error("search data has format " + m.format + " but this script reads format " + FORMAT +
            ": rebuild the site with the handbook that made this theme, or eject the theme again");
        }
        manifest = m;
        return part("facets");
      }).then(function (facets) {
        // Section counts per page, then each facet's codes as runs of (code, pages).
        var pageOf = new Int32Array(manifest.sections);
        var sid = 0;
        numbers(facets.pages).forEach(function (count, page) {
          for (var i = 0; i < count; i++) pageOf[sid++] = page;
        });
        manifest.pageOf = pageOf;
        manifest.codes = {};
        FILTER_KEYS.forEach(function (key) {
          var codes = new Uint32Array(manifest.pages);
          var runs = numbers(facets.codes[key]);
          for (var i = 0, page = 0; i < runs.length; i += 2) {
            codes.fill(runs[i], page, page + runs[i + 1]);
            page += runs[i + 1];
          }
          manifest.codes[key] = codes;
        });
        // The shard table: the keys of each file, joined by spaces.
        manifest.keyList = [];
        manifest.keys.forEach(function (keys, file) {
          keys.split(" ").forEach(function (key) { manifest.keyList.push([key, file]); });
        });
        manifest.keyMap = new Map(manifest.keyList);
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

  // Where a split prefix's completions are (src/search/export.rs): the lowest file holding a
  // key that starts with it. Undefined when `prefix` was not split (no longer key starts with
  // it), so its words are all in its own shard.
  function completionsFile(prefix) {
    var host, split = false;
    manifest.keyList.forEach(function (pair) {
      if (pair[0].lastIndexOf(prefix, 0) !== 0) return;
      if (pair[0].length > prefix.length) split = true;
      if (!(host <= pair[1])) host = pair[1];
    });
    return split ? host : undefined;
  }

  function expand(prefix) {
    var host = completionsFile(prefix);
    if (host !== undefined) {
      return part("t/" + host).then(function (data) {
        var listed = (data.c && data.c[prefix]) || [];
        return listed.map(function (pair) { return pair[1] || pair[0]; });
      });
    }
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

  // Adds postings to a stem's entry: a map for "has this section" and flat lists to run over.
  function addPostings(entry, text) {
    var list = numbers(text);
    var sid = 0;
    for (var i = 0; i < list.length; i += 2) {
      sid += list[i];
      entry.map.set(sid, list[i + 1]);
      entry.sids.push(sid);
      entry.impacts.push(list[i + 1]);
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
      // [doc count, tier bounds, head postings, the pack of each deeper tier]
      var entry = { stem: stem, file: file, df: raw[0], bounds: raw[1], packs: raw[3], tiers: 1, map: new Map(), sids: [], impacts: [] };
      addPostings(entry, raw[2]);
      entry.bound = raw[1].length ? raw[1][0] : 0;
      stemCache.set(stem, entry);
      return entry;
    });
  }

  function loadTier(entry) {
    if (!entry.bound) return Promise.resolve();
    var tier = entry.tiers;
    return part("t/" + entry.packs[tier - 1] + "." + tier).then(function (data) {
      if (entry.tiers !== tier) return;
      addPostings(entry, data[entry.stem] || "");
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

  // ---- resolving a query into groups of stems (src/search/index.rs: plan) ----
  function isStop(word) { return (manifest.stop || []).indexOf(word) >= 0; }

  // Adds `stem` with `weight` to a group, keeping the higher weight when it is there.
  function addStem(group, stem, weight) {
    for (var i = 0; i < group.stems.length; i++) {
      if (group.stems[i][0] === stem) { group.stems[i][1] = Math.max(group.stems[i][1], weight); return; }
    }
    group.stems.push([stem, weight]);
  }

  // Synonyms of a word: by the word, by its stem, or by the word without a common suffix.
  function synonymsOf(lower, stem) {
    var table = manifest.synonyms || {};
    if (table[lower]) return table[lower];
    if (stem && table[stem]) return table[stem];
    for (var i = 0; i < SUFFIXES.length; i++) {
      var suffix = SUFFIXES[i];
      if (lower.length > suffix.length + 2 && lower.slice(-suffix.length) === suffix) {
        var base = lower.slice(0, -suffix.length);
        if (table[base]) return table[base];
        if (table[base + "e"]) return table[base + "e"];
      }
    }
    return [];
  }

  // Every handbook word starting with the two characters `prefix`, from the shards holding
  // them (src/search/index.rs: closest_word looks in the same words).
  function wordsStarting(prefix) {
    var files = [];
    var own = fileOf(prefix);
    if (own !== undefined) files.push(own);
    manifest.keyList.forEach(function (pair) {
      if (pair[0].lastIndexOf(prefix, 0) === 0 && files.indexOf(pair[1]) < 0) files.push(pair[1]);
    });
    return Promise.all(files.map(function (f) { return part("t/" + f); })).then(function (shards) {
      var found = new Map();
      shards.forEach(function (data) {
        for (var surface in data.w) {
          if (surface.lastIndexOf(prefix, 0) === 0 && data.w[surface][1] > 0) found.set(surface, data.w[surface]);
        }
      });
      return found;
    });
  }

  // Optimal string alignment distance over code points.
  function editDistance(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i++) { rows.push([i]); }
    for (var j = 1; j <= b.length; j++) rows[0][j] = j;
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
        rows[i][j] = best;
      }
    }
    return rows[a.length][b.length];
  }

  function compareText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // The handbook word closest to `word`, or null (src/search/index.rs: closest_word).
  function closestWord(word) {
    var chars = Array.from(word);
    if (chars.length < manifest.fuzzyMin) return Promise.resolve(null);
    var limit = chars.length <= 6 ? 1 : 2;
    return wordsStarting(chars.slice(0, 2).join("")).then(function (found) {
      var best = null;
      found.forEach(function (entry, surface) {
        if (surface === word) return;
        var other = Array.from(surface);
        if (Math.abs(other.length - chars.length) > limit) return;
        var distance = editDistance(chars, other);
        if (distance > limit) return;
        var candidate = [distance, -entry[1], surface, entry[0] || surface];
        if (!best || candidate[0] < best[0] || (candidate[0] === best[0] && (candidate[1] < best[1] ||
            (candidate[1] === best[1] && compareText(surface, best[2]) < 0)))) best = candidate;
      });
      return best ? { surface: best[2], stem: best[3] } : null;
    });
  }

  function resolve(query, typeahead) {
    var plan = { groups: [], phrases: [], highlight: [], corrected: [], impossible: false };
    var content = query.terms.some(function (term) {
      return term.type !== "word" || !isStop(term.text.replace(/^\+/, "").toLowerCase());
    });
    // Groups keep query order; each term fills its slot when its lookups are done.
    var slots = query.terms.map(function () { return []; });
    var jobs = query.terms.map(function (term, index) {
      var isLast = index === query.terms.length - 1;
      if (term.type === "prefix") {
        return expand(term.text).then(function (stems) {
          var group = { stems: [], required: false };
          stems.forEach(function (stem) { addStem(group, stem, 2); });
          slots[index].push(group);
          plan.highlight.push({ prefix: term.text });
        });
      }
      var text = term.text, required = term.type === "phrase";
      if (term.type === "word" && text[0] === "+" && text.length > 1) { required = true; text = text.slice(1); }
      var lower = text.toLowerCase();
      if (term.type === "word" && !required && content && isStop(lower)) return Promise.resolve();
      var tokens = words(lower);
      if (!tokens.length) return Promise.resolve();
      if (tokens.length > 1 || term.type === "phrase") {
        // A quoted phrase needs its words in order, and so does a word joined by other marks
        // ("os.walk"); a hyphenated word ("on-call") needs only its parts.
        return Promise.all(tokens.map(stemOf)).then(function (stems) {
          stems.forEach(function (stem, i) {
            if (!stem) plan.impossible = true;
            slots[index].push({ stems: stem ? [[stem, 2]] : [], required: true });
            plan.highlight.push({ word: tokens[i] });
          });
          var hyphenated = term.type === "word" && /^[\p{Alphabetic}\p{N}-]+$/u.test(lower);
          if (stems.length > 1 && !hyphenated) plan.phrases.push(stems);
        });
      }
      var word = tokens[0];
      var plain = word === lower;
      return stemOf(word).then(function (stem) {
        var group = { stems: stem ? [[stem, 2]] : [], required: required, word: plain ? word : null };
        synonymsOf(lower, stem).forEach(function (other) { addStem(group, other, 2); });
        var prefixJob = plain && Array.from(word).length >= manifest.minPrefix ? expand(word) : Promise.resolve([]);
        return prefixJob.then(function (more) {
          more.forEach(function (other) { addStem(group, other, 1); });
          slots[index].push(group);
          plan.highlight.push(plain && Array.from(word).length >= manifest.minPrefix && typeahead && isLast
            ? { prefix: word } : { word: word });
        });
      });
    });
    return Promise.all(jobs).then(function () {
      slots.forEach(function (groups) { plan.groups = plan.groups.concat(groups); });
      return plan;
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
        var byStem = new Map();
        function fetch(stems) {
          return Promise.all(stems.filter(function (s) { return !byStem.has(s); }).map(postings)).then(function (entries) {
            entries.forEach(function (e) { if (e) byStem.set(e.stem, e); });
          });
        }
        var stems = unique([].concat.apply([], plan.groups.map(function (g) { return g.stems.map(function (s) { return s[0]; }); })));
        return fetch(stems).then(function () {
          // Stems the handbook does not have are dropped; a word left with none tries a close
          // spelling.
          var fixes = plan.groups.map(function (group) {
            group.stems = group.stems.filter(function (s) { return byStem.has(s[0]); });
            if (group.stems.length || !group.word) return null;
            return closestWord(group.word).then(function (close) {
              if (!close) return;
              plan.corrected.push([group.word, close.surface]);
              plan.highlight.push({ word: close.surface });
              return fetch([close.stem]).then(function () {
                if (byStem.has(close.stem)) group.stems.push([close.stem, 2]);
              });
            });
          });
          return Promise.all(fixes);
        }).then(function () {
          if (plan.groups.some(function (g) { return g.required && !g.stems.length; }) ||
              (plan.groups.length && plan.groups.every(function (g) { return !g.stems.length; }))) {
            return finish(plan, [], limit);
          }
          var phraseJob = Promise.all(plan.phrases.map(function (p) { return Promise.all(p.map(positions)); }));
          return phraseJob.then(function (phrasePositions) {
            plan.phrasePositions = phrasePositions;
            // Phrases are checked on the sections that have every word: load all of them.
            var full = plan.phrases.length ? Promise.all(Array.from(byStem.values()).map(loadAll)) : Promise.resolve();
            return full.then(function () {
              // Rank from what is loaded; fetch the next tier only when it could change the top.
              function attempt() {
                var scored = rankPages(plan, byStem, limit);
                if (scored.exact) return finish(plan, scored.ranked, limit, scored);
                return Promise.all(nextTiers(plan, byStem).map(loadTier)).then(attempt);
              }
              return attempt();
            });
          });
        });
      });
    });
  }

  // The stems whose unloaded postings could add the most: the next tier of those (all whose
  // weighted bound is at least half the largest), not of every stem, saves bytes when a rare
  // word's postings are already all in.
  function nextTiers(plan, byStem) {
    var weighted = new Map();
    plan.groups.forEach(function (group) {
      group.stems.forEach(function (pair) {
        var entry = byStem.get(pair[0]);
        if (entry && entry.bound) weighted.set(entry, Math.max(weighted.get(entry) || 0, entry.bound * pair[1]));
      });
    });
    var most = 0;
    weighted.forEach(function (value) { most = Math.max(most, value); });
    var chosen = [];
    weighted.forEach(function (value, entry) { if (value * 2 >= most) chosen.push(entry); });
    return chosen;
  }

  function loadAll(entry) {
    if (!entry.bound) return Promise.resolve();
    return loadTier(entry).then(function () { return loadAll(entry); });
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

  // Groups a page must cover (src/search/rank.rs: needed).
  function needed(n) { return n <= 2 ? n : Math.ceil(n / 2); }

  // Orders [covered, value, page] keys as rank.rs sorts: more groups, higher value, lower page.
  function before(a, b) {
    if (a[0] !== b[0]) return a[0] > b[0];
    if (a[1] !== b[1]) return a[1] > b[1];
    return a[2] < b[2];
  }

  // Ranks pages from the loaded postings (src/search/rank.rs: rank). `exact` says whether they
  // prove the top `limit` pages: every top key is final and nothing unloaded could reach the
  // last of them.
  function rankPages(plan, byStem, limit) {
    var n = plan.groups.length;
    var groups = plan.groups.map(function (g) {
      return g.stems.map(function (s) { return [byStem.get(s[0]), s[1]]; });
    });
    // The most a section could gain per group from postings not loaded yet.
    var extra = groups.map(function (g) {
      return g.reduce(function (sum, pair) { return sum + pair[0].bound * pair[1]; }, 0);
    });
    var complete = extra.every(function (x) { return x === 0; });
    // A group with full-weight stems (the word, a synonym, a typed prefix) is covered only by
    // them; its expansions add score, not coverage (src/search/rank.rs).
    var needsStrong = groups.map(function (g) { return g.some(function (pair) { return pair[1] >= 2; }); });
    var strongExtra = groups.map(function (g) {
      return g.reduce(function (sum, pair) { return sum + (pair[1] >= 2 ? pair[0].bound : 0); }, 0);
    });
    var need = needed(n);
    var counts = { kind: {}, status: {}, team: {} };
    var found = [];
    if (!n) {
      var seen = new Set();
      for (var all = 0; all < manifest.sections; all++) {
        var p = manifest.pageOf[all];
        if (seen.has(p)) continue;
        seen.add(p);
        countFacets(counts, p);
        if (allowed(plan.query, p)) found.push({ page: p, key: [0, 0, p], best: all, more: [], has: [] });
      }
      return { ranked: found, total: found.length, exact: true, complete: true, facets: counts };
    }
    // Per section: each group's loaded score (flat, section-major) and what it could still gain.
    var low = new Float64Array(manifest.sections * n);
    var strongAt = new Uint8Array(manifest.sections * n);
    var seen = new Uint8Array(manifest.sections);
    var touched = [];
    groups.forEach(function (g, gi) {
      g.forEach(function (pair) {
        var weight = pair[1];
        var sids = pair[0].sids, impacts = pair[0].impacts;
        for (var i = 0; i < sids.length; i++) {
          var sid = sids[i];
          if (!seen[sid]) { seen[sid] = 1; touched.push(sid); }
          low[sid * n + gi] += impacts[i] * weight;
          if (weight >= 2) strongAt[sid * n + gi] = 1;
        }
      });
    });
    // Per group, the stems that still have postings out: only they can be missing somewhere.
    var open = groups.map(function (g) { return g.filter(function (pair) { return pair[0].bound > 0; }); });
    // Per page touched, in flat arrays by slot (no object per page: at 15,000 pages those
    // allocations were a third of a common word's time): each group's best loaded score and
    // best possible score, whether a full-weight stem is there, the best possible section sum,
    // and the page's top sections (score, then lower section), as many as a result shows.
    var keep = 1 + manifest.moreSections;
    var slotOf = new Int32Array(manifest.pages).fill(-1);
    var slotPage = [];
    var accLow = new Float64Array(touched.length * n);
    var accHigh = new Float64Array(touched.length * n);
    var accStrong = new Uint8Array(touched.length * n);
    var bestHigh = new Float64Array(touched.length);
    var phraseAt = new Uint8Array(touched.length);
    var topScore = new Float64Array(touched.length * keep).fill(-1);
    var topSid = new Int32Array(touched.length * keep);
    var high = new Float64Array(n);
    for (var t = 0; t < touched.length; t++) {
      var sid = touched[t];
      var base = sid * n;
      var sumLow = 0, sumHigh = 0;
      for (var gi = 0; gi < n; gi++) {
        var missing = 0;
        for (var k = 0; k < open[gi].length; k++) {
          var pair = open[gi][k];
          if (!pair[0].map.has(sid)) missing += pair[0].bound * pair[1];
        }
        high[gi] = low[base + gi] + missing;
        sumLow += low[base + gi];
        sumHigh += high[gi];
      }
      var page = manifest.pageOf[sid];
      var slot = slotOf[page];
      if (slot < 0) {
        slot = slotOf[page] = slotPage.length;
        slotPage.push(page);
        phraseAt[slot] = plan.phrases.length ? 0 : 1;
      }
      var at = slot * n;
      for (gi = 0; gi < n; gi++) {
        if (strongAt[base + gi]) accStrong[at + gi] = 1;
        if (low[base + gi] > accLow[at + gi]) accLow[at + gi] = low[base + gi];
        if (high[gi] > accHigh[at + gi]) accHigh[at + gi] = high[gi];
      }
      // Insert into the page's top sections, keeping (score desc, section asc).
      var top = slot * keep;
      for (var place = 0; place < keep; place++) {
        var score = topScore[top + place];
        if (score < 0 || sumLow > score || (sumLow === score && sid < topSid[top + place])) {
          for (var move = keep - 1; move > place; move--) {
            topScore[top + move] = topScore[top + move - 1];
            topSid[top + move] = topSid[top + move - 1];
          }
          topScore[top + place] = sumLow;
          topSid[top + place] = sid;
          break;
        }
      }
      if (sumHigh > bestHigh[slot]) bestHigh[slot] = sumHigh;
      if (!phraseAt[slot] && phraseOk(plan, sid)) phraseAt[slot] = 1;
    }
    var extraSum = extra.reduce(function (a, b) { return a + b; }, 0);
    // The best upper key of a page that is not (yet) among the found, and the found pages'
    // keys in flat arrays: objects are made for the top `limit` only.
    var bestCandidate = null;
    var consider = function (key) { if (!bestCandidate || before(key, bestCandidate)) bestCandidate = key; };
    var required = plan.groups.map(function (g) { return !!g.required; });
    var fSlot = [], fCovered = [], fValue = [], fHighCovered = [], fHighValue = [];
    for (var slotAt = 0; slotAt < slotPage.length; slotAt++) {
      var pageAt = slotPage[slotAt];
      var coveredLow = 0, coveredHigh = 0, lowSum = 0, highSum = 0, requiredLow = true, requiredHigh = true;
      var at2 = slotAt * n;
      for (gi = 0; gi < n; gi++) {
        var best = Math.max(accHigh[at2 + gi], extra[gi]);
        var hasLow = needsStrong[gi] ? accStrong[at2 + gi] === 1 : accLow[at2 + gi] > 0;
        var hasHigh = needsStrong[gi] ? accStrong[at2 + gi] === 1 || strongExtra[gi] > 0 : best > 0;
        if (hasLow) coveredLow++;
        if (hasHigh) coveredHigh++;
        if (required[gi] && !hasLow) requiredLow = false;
        if (required[gi] && !hasHigh) requiredHigh = false;
        lowSum += accLow[at2 + gi];
        highSum += best;
      }
      var qualifies = coveredLow >= need && requiredLow;
      if (!qualifies && !(coveredHigh >= need && requiredHigh)) continue;
      var phrase = phraseAt[slotAt] === 1;
      var can = phrase && allowed(plan.query, pageAt);
      if (qualifies && phrase) countFacets(counts, pageAt);
      if (!can) continue;
      var boost = boostOf(pageAt);
      var highValue = (highSum + Math.max(bestHigh[slotAt], extraSum)) * boost;
      if (qualifies) {
        fSlot.push(slotAt);
        fCovered.push(coveredLow);
        fValue.push((lowSum + topScore[slotAt * keep]) * boost);
        fHighCovered.push(coveredHigh);
        fHighValue.push(highValue);
      } else {
        consider([coveredHigh, highValue, pageAt]);
      }
    }
    // The top `limit` found, in rank order (sorting every found page was most of a common
    // word's time at 15,000 pages); the others' upper keys are candidates.
    var order = [];
    // `before` on found pages a and b, without making their keys.
    var ahead = function (a, b) {
      if (fCovered[a] !== fCovered[b]) return fCovered[a] > fCovered[b];
      if (fValue[a] !== fValue[b]) return fValue[a] > fValue[b];
      return slotPage[fSlot[a]] < slotPage[fSlot[b]];
    };
    for (var f = 0; f < fSlot.length; f++) {
      if (order.length >= limit && !ahead(f, order[order.length - 1])) continue;
      var place2 = order.length;
      while (place2 > 0 && ahead(f, order[place2 - 1])) place2--;
      order.splice(place2, 0, f);
      if (order.length > limit) order.pop();
    }
    var chosen = new Set(order);
    var found = order.map(function (f) {
      var slot = fSlot[f], page = slotPage[slot], top = slot * keep, at = slot * n;
      var more = [];
      for (var place = 1; place < keep; place++) {
        if (topScore[top + place] > 0) more.push(topSid[top + place]);
      }
      var has = [];
      for (var gi = 0; gi < n; gi++) has.push(needsStrong[gi] ? accStrong[at + gi] === 1 : accLow[at + gi] > 0);
      var key = [fCovered[f], fValue[f], page];
      var high = [fHighCovered[f], fHighValue[f], page];
      return {
        page: page, key: key, high: high, final: key[0] === high[0] && key[1] === high[1],
        best: topSid[top], more: more, has: has
      };
    });
    var exact = complete;
    if (!exact) {
      for (f = 0; f < fSlot.length; f++) {
        if (!chosen.has(f)) consider([fHighCovered[f], fHighValue[f], slotPage[fSlot[f]]]);
      }
      // A page with no loaded posting at all.
      var reachable = extra.map(function (x, gi) { return needsStrong[gi] ? strongExtra[gi] > 0 : x > 0; });
      var unseen = reachable.filter(Boolean).length;
      var requiredUnseen = plan.groups.every(function (g, gi) { return !g.required || reachable[gi]; });
      if (unseen >= need && requiredUnseen) consider([unseen, 2 * extraSum, -1]);
      var allFinal = found.every(function (f) { return f.final; });
      if (found.length === limit) {
        exact = allFinal && (!bestCandidate || before(found[limit - 1].key, bestCandidate));
      } else {
        exact = allFinal && !bestCandidate;
      }
    }
    return { ranked: found, total: fSlot.length, exact: exact, complete: complete, facets: counts };
  }

  // Counts a found page under its kind, status and team.
  function countFacets(counts, page) {
    for (var i = 0; i < FILTER_KEYS.length; i++) {
      var key = FILTER_KEYS[i];
      var name = (manifest.facets[key] || [])[manifest.codes[key][page]];
      if (name) counts[key][name] = (counts[key][name] || 0) + 1;
    }
  }

  // A section's display data as [title, heading, url, kind, status, team, date, excerpt, title
  // stems], from its chunk (src/search/export.rs: page data once, then one row per section)
  // and the page's facet codes.
  function row(sid) {
    var chunk = loaded["d/" + Math.floor(sid / manifest.chunk)];
    var entry = chunk[1][sid % manifest.chunk];
    var page = chunk[0][entry[0]];
    var own = entry[1];
    var url = own[1] ? page[1] + "#" + own[1] : page[1];
    var facet = function (key) { return (manifest.facets[key] || [])[manifest.codes[key][entry[0]]] || ""; };
    return [page[0], own[0], url, facet("kind"), facet("status"), facet("team"), page[2], own[2], page[3]];
  }

  function finish(plan, ranked, limit, scored) {
    var top = ranked.slice(0, limit);
    // Only the best sections' chunks are fetched: the other sections a result offers are those
    // in the same chunk (a page's sections are neighbours), so offering them costs no request.
    var chunkOf = function (sid) { return Math.floor(sid / manifest.chunk); };
    var chunks = unique(top.map(function (r) { return chunkOf(r.best); }));
    top.forEach(function (r) {
      r.more = r.more.filter(function (sid) { return chunkOf(sid) === chunkOf(r.best); });
    });
    return Promise.all(chunks.map(function (c) { return part("d/" + c); })).then(function () {
      var hits = top.map(function (r) {
        var best = row(r.best);
        // A page whose title holds every group it matched opens at the top.
        var titleStems = (best[8] || "").split(" ");
        var inTitle = r.has.length > 0 && plan.groups.every(function (g, gi) {
          return !r.has[gi] || g.stems.some(function (s) { return titleStems.indexOf(s[0]) >= 0; });
        });
        var atTop = inTitle || !best[1];
        return {
          sid: r.best, score: r.key[1] / manifest.scale, title: best[0],
          section: atTop ? null : best[1], url: atTop ? best[2].split("#")[0] : best[2],
          kind: best[3], status: best[4], team: best[5], date: best[6], excerpt: best[7],
          sections: r.more.map(function (sid) { var m = row(sid); return { heading: m[1], url: m[2], excerpt: m[7] }; })
            .filter(function (m) { return m.heading; })
        };
      });
      return {
        hits: hits,
        total: scored ? scored.total : ranked.length,
        complete: !scored || scored.complete,
        facets: scored ? scored.facets : { kind: {}, status: {}, team: {} },
        highlight: plan.highlight,
        corrected: plan.corrected,
        query: plan.query
      };
    });
  }

  // ---- for the interface: links, marks, snippets, labels ----
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

  // The snippet of a hit: a window of about SNIPPET characters around the first matched word in
  // the stored opening of the first offered section that has one, or "" when none has (the
  // match lies deeper in its section: no snippet rather than one without the words).
  var SNIPPET = 140;
  function snippetOf(hit, matcher) {
    var texts = [hit.excerpt].concat((hit.sections || []).map(function (m) { return m.excerpt; }));
    for (var i = 0; i < texts.length; i++) {
      var text = texts[i] || "";
      var at = -1;
      text.replace(WORD, function (word, offset) {
        if (at < 0 && matcher(word.toLowerCase())) at = offset;
        return word;
      });
      if (at < 0) continue;
      if (text.length <= SNIPPET) return text;
      // Start a few words before the match, at a word boundary, and end at one.
      var start = Math.max(0, at - 40);
      if (start > 0) {
        var space = text.indexOf(" ", start);
        start = space >= 0 && space < at ? space + 1 : at;
      }
      var end = Math.min(text.length, start + SNIPPET);
      if (end < text.length) {
        var cut = text.lastIndexOf(" ", end);
        if (cut > at) end = cut;
      }
      var piece = text.slice(start, end).replace(/…$/, "");
      return (start > 0 ? "…" : "") + piece + (end < text.length || /…$/.test(text) ? "…" : "");
    }
    return "";
  }

  // The name shown for a facet value: a team's title rather than its id.
  function labelOf(key, value) {
    var at = (manifest.facets[key] || []).indexOf(value);
    var labels = (manifest.labels || {})[key];
    return (labels && at >= 0 && labels[at]) || value;
  }

  window.handbookSearch = {
    format: FORMAT, siteRoot: siteRoot, word: WORD, filterKeys: FILTER_KEYS, unique: unique,
    load: load, search: run, parse: parseQuery, ready: init, reset: reset,
    href: href, matcher: matcherFor, label: labelOf, snippetWith: snippetOf,
    snippet: function (hit, result) { return snippetOf(hit, matcherFor(result)); }
  };
})();
