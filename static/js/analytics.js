// The site's own visit statistics, only after the visitor's consent (the server adds
// this script to a page only then). No cookies, no storage: it reports the view with
// the screen's width, and the time the page was in front when it is hidden or left.
(function () {
  var me = document.currentScript, to = me.dataset.to, page = me.dataset.page;
  var shown = document.visibilityState === "visible" ? Date.now() : 0, front = 0;
  function send(kind, extra) {
    var data = new URLSearchParams({k: kind, p: page});
    for (var key in extra) data.append(key, extra[key]);
    navigator.sendBeacon(to, data);
  }
  function hidden() {
    if (shown) { front += Date.now() - shown; shown = 0; }
    if (front) { send("l", {t: front}); front = 0; }
  }
  send("v", {w: screen.width});
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") shown = Date.now(); else hidden();
  });
  addEventListener("pagehide", hidden);
})();
