// handbook default theme: dark-mode toggle and the phone menu. No framework, no network.
(function () {
  "use strict";
  var root = document.documentElement;
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var dark = root.dataset.theme
        ? root.dataset.theme === "dark"
        : window.matchMedia("(prefers-color-scheme: dark)").matches;
      var next = dark ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("handbook-theme", next); } catch (e) { /* private mode */ }
    });
  }
  var menu = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  var toc = document.querySelector(".toc");
  // The phone menu: a full-height drawer holding the header's links, "On this page" (under the
  // current entry when the sidebar shows it) and the sidebar. Built on first open from the
  // page's own links, so nothing is sent twice.
  if (menu && sidebar) {
    menu.hidden = false;
    root.classList.add("js");
    var built = false;
    var build = function () {
      built = true;
      var links = document.querySelector(".site-links");
      if (links && links.children.length) {
        var list = document.createElement("ul");
        list.className = "drawer-links";
        Array.prototype.forEach.call(links.querySelectorAll("a"), function (link) {
          var item = document.createElement("li");
          item.appendChild(link.cloneNode(true));
          list.appendChild(item);
        });
        sidebar.insertBefore(list, sidebar.firstChild);
      }
      var entries = toc && toc.querySelector("ul");
      if (entries) {
        var copy = entries.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("[aria-current]"), function (link) { link.removeAttribute("aria-current"); });
        var holder = sidebar.querySelector("li.current");
        if (holder && !holder.querySelector("ul")) {
          copy.className = "drawer-toc-entries";
          copy.setAttribute("aria-label", "On this page");
          holder.appendChild(copy);
        } else {
          var block = document.createElement("div");
          block.className = "drawer-toc";
          var label = document.createElement("span");
          label.textContent = "On this page";
          block.appendChild(label);
          block.appendChild(copy);
          var after = sidebar.querySelector(".drawer-links");
          sidebar.insertBefore(block, after ? after.nextSibling : sidebar.firstChild);
        }
      }
    };
    var setOpen = function (open) {
      if (open && !built) build();
      document.body.classList.toggle("nav-open", open);
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        sidebar.scrollTop = 0;
        var first = sidebar.querySelector("a[href]");
        if (first) first.focus({ preventScroll: true });
      }
    };
    menu.addEventListener("click", function () {
      setOpen(!document.body.classList.contains("nav-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        setOpen(false);
        menu.focus();
      }
    });
    // A link to a place on this page closes the drawer so the reader sees where it went.
    sidebar.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && link.hash && link.pathname === location.pathname) setOpen(false);
    });
  }
  // "On this page": folded on narrow screens (a box above the page), always open beside it on
  // wide ones; the entry for the section being read is marked while scrolling.
  if (toc) {
    var details = toc.querySelector("details");
    var wide = window.matchMedia("(min-width: 72.01rem)");
    var fold = function () { if (details) details.open = wide.matches; };
    fold();
    if (wide.addEventListener) wide.addEventListener("change", fold);
    if (details) details.addEventListener("toggle", function () { if (wide.matches && !details.open) details.open = true; });
    var tocLinks = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
    var targets = tocLinks.map(function (link) {
      try { return document.getElementById(decodeURIComponent(link.hash.slice(1))); } catch (e) { return null; }
    });
    var marked = null;
    // Where a section counts as reached: below the sticky header (the page's scroll padding).
    var line = parseFloat(getComputedStyle(root).scrollPaddingTop) || 0;
    var spy = function () {
      var current = -1;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i] && targets[i].getBoundingClientRect().top <= line + 8) current = i;
      }
      // At the end of the page the last sections may never reach the top: mark the last one.
      if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2 && window.scrollY > 0) {
        current = targets.length - 1;
      }
      var link = current >= 0 ? tocLinks[current] : null;
      if (link === marked) return;
      if (marked) marked.removeAttribute("aria-current");
      marked = link;
      if (link) {
        link.setAttribute("aria-current", "location");
        var list = toc.scrollHeight > toc.clientHeight ? toc : null;
        if (list) {
          var box = list.getBoundingClientRect(), item = link.getBoundingClientRect();
          if (item.top < box.top || item.bottom > box.bottom) list.scrollTop += item.top - box.top - box.height / 2;
        }
      }
    };
    var pending = false;
    window.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; spy(); });
    }, { passive: true });
    spy();
  }
  // A copy button on each code block.
  var announce = null;
  Array.prototype.forEach.call(document.querySelectorAll(".content pre"), function (pre) {
    var wrapper = document.createElement("div");
    wrapper.className = "code-block";
    pre.parentNode.insertBefore(wrapper, pre);
    wrapper.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to the clipboard");
    wrapper.appendChild(button);
    var timer = null;
    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      var text = code.innerText.replace(/\n$/, "");
      var done = function () {
        button.textContent = "Copied";
        button.classList.add("copied");
        if (!announce) {
          announce = document.createElement("div");
          announce.className = "visually-hidden";
          announce.setAttribute("role", "status");
          document.body.appendChild(announce);
        }
        announce.textContent = "Code copied to the clipboard";
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.textContent = "Copy";
          button.classList.remove("copied");
          announce.textContent = "";
        }, 1600);
      };
      var fallback = function () {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { /* refused */ }
        area.remove();
        button.focus();
        if (ok) done(); else button.textContent = "Press Ctrl+C";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
  // Decision log: team and tag filters (the status links work without JavaScript).
  var controls = document.querySelector(".log-controls");
  if (controls) {
    controls.hidden = false;
    var selects = controls.querySelectorAll("select[data-filter]");
    var rows = document.querySelectorAll(".log-table tbody tr");
    var apply = function () {
      var team = "", tag = "";
      selects.forEach(function (select) {
        if (select.dataset.filter === "team") team = select.value;
        if (select.dataset.filter === "tag") tag = select.value;
      });
      rows.forEach(function (row) {
        var tags = (row.dataset.tags || "").split(" ");
        row.hidden = (team && row.dataset.team !== team) || (tag && tags.indexOf(tag) < 0);
      });
    };
    selects.forEach(function (select) { select.addEventListener("change", apply); });
  }
  // People and teams: each person's local time now (the browser knows every time zone), and
  // whether they are in their working hours; a line for "now" on the UTC timelines.
  var clocks = document.querySelectorAll(".local-time[data-tz]");
  var axes = document.querySelectorAll(".timeline, .timeline-axis");
  if (clocks.length || axes.length) {
    var formats = {};
    var tick = function () {
      var now = new Date();
      clocks.forEach(function (clock) {
        var zone = clock.dataset.tz;
        try {
          formats[zone] = formats[zone] || new Intl.DateTimeFormat("en-GB", {
            timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
          });
          var parts = {};
          formats[zone].formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
          var text = parts.weekday + " " + parts.hour + ":" + parts.minute;
          clock.classList.remove("working", "off-hours");
          if (clock.dataset.start) {
            var minutes = Number(parts.hour) * 60 + Number(parts.minute);
            var start = Number(clock.dataset.start), end = Number(clock.dataset.end);
            var working = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
            var weekend = parts.weekday === "Sat" || parts.weekday === "Sun";
            working = working && !weekend;
            clock.classList.add(working ? "working" : "off-hours");
            text += working ? " · working" : " · off hours";
          }
          clock.textContent = text;
        } catch (e) { /* an unknown zone keeps its UTC offset */ }
      });
      var percent = (now.getUTCHours() * 60 + now.getUTCMinutes()) / 14.4;
      axes.forEach(function (axis) {
        var line = axis.querySelector(".timeline-now");
        if (!line) {
          line = document.createElement("span");
          line.className = "timeline-now";
          line.title = "Now";
          axis.appendChild(line);
        }
        line.style.left = percent + "%";
      });
    };
    tick();
    setInterval(tick, 30000);
  }
  var current = sidebar && sidebar.querySelector("[aria-current=page]");
  // Bring the current entry into the middle of the sidebar by scrolling the sidebar alone:
  // scrollIntoView would scroll the window too, opening the page below its title.
  if (current && sidebar.scrollHeight > sidebar.clientHeight) {
    var box = sidebar.getBoundingClientRect();
    var item = current.getBoundingClientRect();
    sidebar.scrollTop += item.top - box.top - (sidebar.clientHeight - item.height) / 2;
  }
  // Opened from disk (file://), a folder link would show a directory listing: links to site
  // folders name their index.html instead, on the page and on any link added later (search
  // results add their own).
  if (location.protocol === "file:") {
    var toIndex = function (link) {
      var href = link.getAttribute("href");
      if (!href || /^[a-z][a-z0-9+.-]*:|^#|^\/\//i.test(href)) return;
      var url = new URL(href, location.href);
      if (url.protocol === "file:" && /\/$/.test(url.pathname)) {
        url.pathname += "index.html";
        link.href = url.href;
      }
    };
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), toIndex);
    // Forms too: the header search box submits to the search folder.
    Array.prototype.forEach.call(document.querySelectorAll("form[action]"), function (form) {
      var url = new URL(form.getAttribute("action"), location.href);
      if (url.protocol === "file:" && /\/$/.test(url.pathname)) form.action = url.href + "index.html";
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link) toIndex(link);
    }, true);
  }
})();
