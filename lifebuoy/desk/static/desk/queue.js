// The queue: selecting tickets for a bulk change, and moving through rows with the keyboard.
(function () {
  "use strict";

  function setUpSelection() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=ticket]"));
    var pageBox = document.querySelector("[data-select-page]");
    var count = form.querySelector("[data-selected-count]");
    var allButton = form.querySelector("[data-select-all-matching]");
    var allInput = form.querySelector("[data-all-matching]");
    var allNote = form.querySelector("[data-all-matching-note]");

    function refresh() {
      var picked = boxes.filter(function (b) { return b.checked; }).length;
      count.textContent = String(picked);
      form.classList.toggle("active", picked > 0);
      if (pageBox) {
        pageBox.checked = picked > 0 && picked === boxes.length;
        pageBox.indeterminate = picked > 0 && picked < boxes.length;
      }
      var wholePage = picked > 0 && picked === boxes.length;
      if (allButton) allButton.hidden = !wholePage || allInput.value === "1";
      if (!wholePage) {
        allInput.value = "";
        if (allNote) allNote.hidden = true;
      }
      boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); });
    }

    form.classList.add("scripted");
    boxes.forEach(function (b) { b.addEventListener("change", refresh); });
    if (pageBox) {
      pageBox.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = pageBox.checked; });
        refresh();
      });
    }
    if (allButton) {
      allButton.addEventListener("click", function () {
        allInput.value = "1";
        if (allNote) allNote.hidden = false;
        allButton.hidden = true;
      });
    }
    refresh();
  }

  // j/k move between rows, Enter opens the current one, x ticks it.
  function setUpKeys() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-ticket-url]"));
    if (!rows.length) return;
    var current = -1;

    function move(to) {
      if (current >= 0) rows[current].classList.remove("current");
      current = Math.max(0, Math.min(rows.length - 1, to));
      var row = rows[current];
      row.classList.add("current");
      row.querySelector("td.subject a").focus();
    }

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      var target = event.target;
      if (target.closest("input, textarea, select, [contenteditable]")) return;
      if (event.key === "j") { move(current + 1); event.preventDefault(); }
      else if (event.key === "k") { move(current - 1); event.preventDefault(); }
      else if (event.key === "x" && current >= 0) {
        var box = rows[current].querySelector("input[name=ticket]");
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change"));
        event.preventDefault();
      } else if (event.key === "Enter" && current >= 0 && !target.closest("a, button")) {
        window.location.href = rows[current].getAttribute("data-ticket-url");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpSelection();
    setUpKeys();
  });
})();
