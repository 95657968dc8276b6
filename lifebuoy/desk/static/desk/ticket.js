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

  function start() {
    var c = composer();
    if (!c) return;
    setUpDraft(c);
    setUpSendKey(c);
    setUpPresenceState(c);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
