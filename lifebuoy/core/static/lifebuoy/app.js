// Small behaviours every page shares. No inline handlers: the CSP allows scripts from 'self' only.
(function () {
  "use strict";

  // The browser's time zone, for the server to show staff times in it (their profile's zone
  // wins when set). Kept in the "tz" cookie; the server checks the name before using it.
  function rememberTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) return;
    if (document.cookie.split("; ").indexOf("tz=" + zone) !== -1) return;
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" + secure;
  }

  // On phones the top bar's links fold behind a "Menu" button.
  function setUpMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    var nav = document.getElementById("top-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Filter dropdowns (<details class="dropdown">): one open at a time, closed by a click
  // elsewhere or by Escape.
  function setUpDropdowns() {
    var dropdowns = Array.prototype.slice.call(
      document.querySelectorAll("details.dropdown, details.menu-group")
    );
    dropdowns.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (!d.open) return;
        dropdowns.forEach(function (other) {
          if (other !== d && !other.classList.contains("more")) other.open = false;
        });
      });
    });
    document.addEventListener("click", function (event) {
      dropdowns.forEach(function (d) {
        if (d.open && !d.contains(event.target) && !d.classList.contains("more")) d.open = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      dropdowns.forEach(function (d) {
        if (d.open) {
          d.open = false;
          d.querySelector("summary").focus();
        }
      });
    });
  }

  // On phones a filter panel starts folded unless a filter is in use.
  function foldFiltersOnPhones() {
    var panel = document.querySelector("details[data-fold-on-phones]");
    if (!panel || !window.matchMedia("(max-width: 600px)").matches) return;
    if (panel.getAttribute("data-in-use") !== "true") panel.open = false;
  }

  // "/" focuses the desk's search box; "?" lists the shortcuts. Not while typing.
  function setUpShortcuts() {
    var box = document.querySelector("[data-search-box]");
    var help = document.getElementById("shortcuts");
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.target.closest("input, textarea, select, [contenteditable]")) return;
      if (event.key === "/" && box) {
        event.preventDefault();
        box.focus();
      } else if (event.key === "?" && help && !help.open) {
        event.preventDefault();
        help.showModal();
      }
    });
  }

  // A table wider than a phone scrolls inside itself: let the keyboard reach it too.
  function focusableScrollers() {
    document.querySelectorAll("main table:not(.stack)").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) table.setAttribute("tabindex", "0");
      else if (table.getAttribute("tabindex") === "0") table.removeAttribute("tabindex");
    });
  }

  rememberTimeZone();

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers();
    window.addEventListener("resize", focusableScrollers);
    setUpShortcuts();
    setUpMenu();
    setUpDropdowns();
    foldFiltersOnPhones();
  });
})();
