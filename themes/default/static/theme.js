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
  var current = sidebar && sidebar.querySelector("[aria-current=page]");
  if (current && current.scrollIntoView && sidebar.scrollHeight > sidebar.clientHeight) {
    current.scrollIntoView({ block: "center" });
  }
})();
