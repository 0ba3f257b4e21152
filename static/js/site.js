// Vuoro's own lines of JavaScript. Every page works without them.
(function () {
  "use strict";
  // Parts only the page without JavaScript needs are hidden by the style sheet.
  document.documentElement.classList.add("js");
  // Forms of the back office carry Flask-WTF's token; htmx sends it as a header too.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });
  // After a form comes back with a message, move the focus to it, so a keyboard or
  // screen-reader user hears what went wrong.
  document.addEventListener("htmx:afterSwap", function (event) {
    // An outerHTML swap replaces the target: look the new element up by its id.
    var target = document.getElementById(event.detail.target.id) || event.detail.target;
    var problem = target.querySelector('[role="alert"], [aria-invalid="true"]');
    if (problem) {
      if (!problem.hasAttribute("tabindex") && problem.getAttribute("role") === "alert") {
        problem.setAttribute("tabindex", "-1");
      }
      problem.focus();
    }
  });
})();
