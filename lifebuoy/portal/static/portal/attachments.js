// Attachments in the portal: drop files on the box or choose several at once, see each file's
// size against the limit before anything is sent, and the upload's progress while it is sent.
// Without this script the plain file input still works. No inline code, no eval (the CSP).
(function () {
  "use strict";

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) {
      var mb = bytes / (1024 * 1024);
      return (mb === Math.floor(mb) ? String(mb) : mb.toFixed(1)) + " MB";
    }
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " bytes";
  }

  function setUpZone(zone) {
    if (zone.dataset.ready) return;
    zone.dataset.ready = "1";
    var input = zone.querySelector("input[type=file]");
    var form = input && input.form;
    if (!form || typeof DataTransfer === "undefined") return;
    var limit = parseInt(zone.dataset.maxBytes, 10) || 0;
    var list = zone.querySelector(".attach-list");
    var status = zone.querySelector(".attach-status");
    var progressBox = zone.querySelector(".attach-progress");
    var progress = progressBox.querySelector("progress");
    var percent = progressBox.querySelector(".attach-percent");
    var chosen = [];

    function tooLarge() {
      return chosen.filter(function (file) {
        return limit && file.size > limit;
      });
    }

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", !!isError);
    }

    function sync() {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) {
        transfer.items.add(file);
      });
      input.files = transfer.files;
      render();
    }

    function render() {
      list.replaceChildren();
      chosen.forEach(function (file, index) {
        var item = document.createElement("li");
        var over = limit && file.size > limit;
        item.className = over ? "too-large" : "";
        var name = document.createElement("span");
        name.textContent = file.name + " · " + sizeText(file.size) + (over ? " (over the limit)" : "");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + file.name);
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          sync();
          input.focus();
        });
        item.append(name, remove);
        list.appendChild(item);
      });
      list.hidden = chosen.length === 0;
      var over = tooLarge();
      if (over.length) {
        say(
          over.map(function (f) { return "“" + f.name + "” is " + sizeText(f.size); }).join(", ") +
            ": each file may be at most " + sizeText(limit) + ". Remove it to send.",
          true
        );
      } else if (chosen.length) {
        say(chosen.length + (chosen.length === 1 ? " file" : " files") + " ready to send.", false);
      } else {
        say("", false);
      }
    }

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var known = chosen.some(function (f) {
          return f.name === file.name && f.size === file.size && f.lastModified === file.lastModified;
        });
        if (!known) chosen.push(file);
      });
      sync();
    }

    input.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(input.files);
      add(picked);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.remove("dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
    });

    form.addEventListener("submit", function (event) {
      if (tooLarge().length) {
        event.preventDefault();
        render();
        input.focus();
        return;
      }
      if (!chosen.length) return; // nothing to upload: the plain submit is quick
      event.preventDefault();
      upload(form, progressBox, progress, percent, say);
    });
  }

  function buttonsOf(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("button[type=submit]"));
    var outside = form.id
      ? Array.prototype.slice.call(document.querySelectorAll('button[form="' + form.id + '"]'))
      : [];
    return inside.concat(outside);
  }

  function upload(form, progressBox, progress, percent, say) {
    var buttons = buttonsOf(form);
    buttons.forEach(function (b) { b.disabled = true; });
    progressBox.hidden = false;
    progress.value = 0;
    percent.textContent = "0 %";
    say("Uploading…", false);
    var request = new XMLHttpRequest();
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    request.open("POST", action.href);
    request.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var share = Math.round((event.loaded / event.total) * 100);
      progress.value = share;
      percent.textContent = share + " %";
    });
    request.addEventListener("load", function () {
      var landed = new URL(request.responseURL || action.href);
      if (request.status === 200 && landed.pathname !== action.pathname) {
        // Saved: the response is the page it redirected to (its message is shown only once,
        // so show this page rather than load it again).
        window.history.replaceState(null, "", landed.href);
      }
      showPage(request.responseText);
    });
    request.addEventListener("error", function () {
      buttons.forEach(function (b) { b.disabled = false; });
      progressBox.hidden = true;
      say("The upload failed: check your connection and send again.", true);
    });
    request.send(new FormData(form));
  }

  // The page the server answered with (the saved ticket, or the form with its errors) in
  // place of this one's, with the same behaviours.
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) {
      document.body.textContent = "Something went wrong; reload the page and try again.";
      return;
    }
    main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
    if (page.title) document.title = page.title;
    window.scrollTo(0, 0);
    setUp();
    var problem = main.querySelector(".errorlist, .field-error, .flash.error");
    if (problem) problem.scrollIntoView({ block: "center" });
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-attachments]"), setUpZone);
  }

  setUp();
})();
