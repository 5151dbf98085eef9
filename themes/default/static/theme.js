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
  var current = sidebar && sidebar.querySelector("[aria-current=page]");
  if (current && current.scrollIntoView && sidebar.scrollHeight > sidebar.clientHeight) {
    current.scrollIntoView({ block: "center" });
  }
})();
