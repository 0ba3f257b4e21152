// The back office's menus: one open at a time, closed by Escape or a click elsewhere.
// Without this file each <details> menu still opens and closes by itself.
(function () {
  "use strict";
  function menus() {
    return document.querySelectorAll("details.nav-group[open]");
  }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details.nav-group") || !opened.open) {
      return;
    }
    menus().forEach(function (menu) {
      if (menu !== opened) {
        menu.open = false;
      }
    });
  }, true);
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    menus().forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
