// The dashboard's tiles refresh themselves with htmx (hx-get, every 30 s). Two things htmx does
// not know: a hidden tab need not ask (it catches up as soon as it is shown again), and a
// refresh that came back as anything but the tiles (the sign-in form after the session ended,
// or a 403 after a change of role) must not be swapped in: the whole page is loaded instead,
// which shows the person why.
(function () {
  "use strict";

  var TILES = "dashboard-tiles";

  function fromTiles(event) {
    var element = event.detail && event.detail.elt;
    return Boolean(element && element.id === TILES);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (fromTiles(event) && document.hidden) event.preventDefault();
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && document.getElementById(TILES)) {
      document.body.dispatchEvent(new Event("refresh-dashboard"));
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!fromTiles(event)) return;
    var status = event.detail.xhr.status;
    var body = event.detail.serverResponse || "";
    if (status === 401 || status === 403 || (status === 200 && body.indexOf('id="' + TILES + '"') === -1)) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });
})();
