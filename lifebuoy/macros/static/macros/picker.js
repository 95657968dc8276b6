// Macros on the ticket page: search them by name, insert one's text into the reply, and
// remember which one it was (the reply form's hidden "macro" field), so that sending the reply
// also makes the macro's changes to the ticket. The line under the search says which.
(function () {
  "use strict";
  const picker = document.querySelector(".macros-picker");
  if (!picker) return;
  const form = picker.closest("form") || document.querySelector("form.reply");
  const box = form && form.querySelector("textarea[name=body]");
  if (!box) return;

  const search = picker.querySelector("#macros-search");
  const results = picker.querySelector("#macros-results");
  const status = picker.querySelector("#macros-status");
  const chosenLine = picker.querySelector(".macros-chosen");
  const effects = picker.querySelector(".macros-effects");
  const listUrl = picker.dataset.listUrl;
  const ticketId = picker.dataset.ticket;
  const chosenField = hiddenField();
  let latest = 0;
  let timer = 0;

  function hiddenField() {
    let field = form.querySelector("input[name=macro]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "macro";
      form.appendChild(field);
    }
    return field;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  }

  function load(query) {
    const asked = ++latest;
    getJson(listUrl + "?q=" + encodeURIComponent(query))
      .then((macros) => { if (asked === latest) show(macros, query); })
      .catch(() => { if (asked === latest) status.textContent = "Could not load the macros."; });
  }

  function show(macros, query) {
    results.replaceChildren();
    for (const macro of macros) {
      const button = document.createElement("button");
      button.type = "button";
      const name = document.createElement("strong");
      name.textContent = macro.name;
      const detail = document.createElement("span");
      detail.className = "muted";
      detail.textContent = (macro.shared ? "shared" : "yours") +
        (macro.actions.length ? " · also " + macro.actions.join(", ") : "");
      button.append(name, " ", detail);
      button.addEventListener("click", () => choose(macro));
      const item = document.createElement("li");
      item.appendChild(button);
      results.appendChild(item);
    }
    results.hidden = macros.length === 0;
    status.textContent = macros.length ? "" :
      query ? "No macro has “" + query + "” in its name." : "There are no macros yet.";
  }

  function remember(macro) {
    chosenField.value = String(macro.id);
    effects.textContent = macro.actions.length
      ? "Sending will also: " + macro.actions.join(", ") + "."
      : "“" + macro.name + "” changes nothing else.";
    chosenLine.hidden = false;
  }

  function insert(text) {
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.dispatchEvent(new Event("input", { bubbles: true })); // drafts and counters notice
    box.focus();
  }

  function choose(macro) {
    // A search still on its way would list the macros again over what this choice says.
    window.clearTimeout(timer);
    latest += 1;
    status.textContent = "Loading “" + macro.name + "”…";
    getJson(listUrl + macro.id + "/render?ticket_id=" + encodeURIComponent(ticketId))
      .then((rendered) => {
        insert(rendered.body);
        remember(rendered);
        results.hidden = true;
        search.value = "";
        status.textContent = /\[[a-z_ ]+\]/.test(rendered.body)
          ? "Inserted “" + rendered.name + "”; fill in the [bracketed] parts."
          : "Inserted “" + rendered.name + "”.";
      })
      .catch(() => { status.textContent = "Could not load that macro."; });
  }

  function buttons() {
    return Array.from(results.querySelectorAll("button"));
  }

  search.addEventListener("focus", () => load(search.value.trim()));
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => load(search.value.trim()), 200);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // never send the reply from the search box
      const first = buttons()[0];
      if (first && !results.hidden) first.click();
    } else if (event.key === "ArrowDown" && !results.hidden && buttons().length) {
      event.preventDefault();
      buttons()[0].focus();
    } else if (event.key === "Escape") {
      results.hidden = true;
    }
  });
  results.addEventListener("keydown", (event) => {
    const all = buttons();
    const at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < all.length - 1) {
      event.preventDefault();
      all[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (at > 0 ? all[at - 1] : search).focus();
    } else if (event.key === "Escape") {
      results.hidden = true;
      search.focus();
    }
  });
  picker.querySelector(".macros-clear").addEventListener("click", () => {
    chosenField.value = "";
    chosenLine.hidden = true;
    status.textContent = "The reply will be sent without the macro's changes.";
  });

  // The page came back with the reply refused (a [placeholder] left, say): the draft holds the
  // macro's text already, so only remember the macro again.
  const chosenBefore = picker.dataset.chosen;
  if (chosenBefore) {
    getJson(listUrl)
      .then((macros) => {
        const macro = macros.find((m) => String(m.id) === chosenBefore);
        if (macro) remember(macro);
      })
      .catch(() => {});
  }
  picker.hidden = false;
})();
