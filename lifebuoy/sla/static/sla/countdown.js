// Keeps the queue's "next deadline" countdowns current between page loads.
(function () {
  "use strict";
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    if (days) return days + "d " + hours + "h";
    if (hours) return hours + "h " + (minutes % 60) + "m";
    return (minutes % 60) + "m";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("td:not(.sla-goal) > time[data-sla-due]").forEach(function (el) {
      var ms = Date.parse(el.dateTime) - now;
      el.textContent = ms >= 0 ? "in " + span(ms) : span(ms) + " overdue";
      if (ms < 0) el.parentElement.classList.add("sla-breached");
    });
  }
  tick();
  setInterval(tick, 30000);
})();
