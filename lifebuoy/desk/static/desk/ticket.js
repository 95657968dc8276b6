// The ticket page's composer: a draft kept across reloads, Ctrl+Enter sends, and telling the
// presence beacon whether the agent is writing.
(function () {
  "use strict";

  var REPLYING_FOR_MS = 20000; // "is replying" this long after the last keystroke

  function composer() {
    var form = document.querySelector("form[data-composer]") ||
      document.querySelector("form[action$='/reply/']");
    if (!form) return null;
    var body = form.querySelector("textarea[name=body]");
    return body ? { form: form, body: body } : null;
  }

  function draftKey() {
    return "lifebuoy:draft:" + window.location.pathname;
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // storage switched off: no drafts, everything else works
    }
  }

  function setUpDraft(c) {
    var store = storage();
    if (!store) return;
    var saved = store.getItem(draftKey());
    if (saved && !c.body.value) {
      c.body.value = saved;
      var note = document.createElement("p");
      note.className = "muted draft-note";
      note.textContent = "Your unsent draft was kept.";
      c.body.insertAdjacentElement("afterend", note);
    }
    var save = function () {
      if (c.body.value) store.setItem(draftKey(), c.body.value);
      else store.removeItem(draftKey());
    };
    c.body.addEventListener("input", save);
    window.addEventListener("pagehide", save);
    c.form.addEventListener("submit", function () { store.removeItem(draftKey()); });
  }

  function setUpSendKey(c) {
    c.body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (c.form.requestSubmit) c.form.requestSubmit();
        else c.form.submit();
      }
    });
  }

  function setUpPresenceState(c) {
    var state = document.querySelector("#presence-state input[name=state]");
    if (!state) return;
    var lastKey = 0;
    c.body.addEventListener("input", function () {
      lastKey = Date.now();
      state.value = "replying";
    });
    window.setInterval(function () {
      if (state.value === "replying" && Date.now() - lastKey > REPLYING_FOR_MS) {
        state.value = "viewing";
      }
    }, 2000);
  }

  // "Preview": the text as the customer will read it, rendered by the server as sent messages
  // are (Markdown, sanitized). Typing again hides the preview.
  function setUpPreview(c) {
    var button = c.form.querySelector("[data-preview]");
    var pane = document.getElementById("composer-preview");
    var url = c.form.getAttribute("data-preview-url");
    if (!button || !pane || !url || !window.fetch) {
      if (button) button.hidden = true;
      return;
    }
    var token = c.form.querySelector("input[name=csrfmiddlewaretoken]");
    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("body", c.body.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          pane.innerHTML = html; // the server's sanitized rendering
          pane.hidden = false;
        })
        .catch(function () {
          pane.textContent = "The preview could not be loaded; the text is unchanged.";
          pane.hidden = false;
        });
    });
    c.body.addEventListener("input", function () { pane.hidden = true; });
  }

  function start() {
    var c = composer();
    if (!c) return;
    setUpDraft(c);
    setUpSendKey(c);
    setUpPresenceState(c);
    setUpPreview(c);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
