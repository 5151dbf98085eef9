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
  if (menu && sidebar) {
    menu.hidden = false;
    root.classList.add("js");
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
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
