// The running timer ticks on the page: the server's elapsed seconds at render time, plus what
// this page has counted since (so the browser's clock being off does not matter).
(function () {
  "use strict";
  var clocks = Array.prototype.slice.call(document.querySelectorAll("[data-timer-elapsed]"));
  if (!clocks.length) return;
  var loaded = Date.now();

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function tick() {
    var since = Math.floor((Date.now() - loaded) / 1000);
    clocks.forEach(function (clock) {
      var total = parseInt(clock.getAttribute("data-timer-elapsed"), 10) + since;
      if (isNaN(total)) return;
      var h = Math.floor(total / 3600);
      var m = Math.floor((total % 3600) / 60);
      clock.textContent = h + ":" + pad(m) + ":" + pad(total % 60);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
