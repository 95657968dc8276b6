// @mentions in internal notes: offer matching colleagues under the reply box as the agent
// types "@" and a few letters; picking one inserts the text that names them. Self-contained:
// it finds the reply box itself and does nothing when the page has none.
(function () {
  "use strict";
  const assist = document.querySelector(".mention-assist");
  if (!assist || !window.fetch) return;
  const url = assist.dataset.mentionUrl;
  const list = assist.querySelector(".mention-list");
  const box = findReplyBox();
  if (!url || !list || !box) return;
  const form = box.form;
  // A checkbox, or the composer's "Internal note" tab (a radio whose value is "on").
  const internal = form
    ? form.querySelector("input[name=is_internal][value=on]") ||
      form.querySelector("input[name=is_internal]")
    : null;

  // Under the reply box, whatever the page's layout.
  box.insertAdjacentElement("afterend", assist);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);

  let matches = [];
  let active = -1;
  let token = null; // {start, end, prefix}
  let timer = null;
  let asked = 0;

  function findReplyBox() {
    const boxes = Array.from(document.querySelectorAll("textarea[name=body]"));
    const withNote = boxes.find((t) => t.form && t.form.querySelector("input[name=is_internal]"));
    return withNote || boxes[0] || document.getElementById("id_body");
  }

  function isNote() {
    return !internal || internal.checked;
  }

  // The "@..." being typed just before the caret: @bo, or @"Bob Bu for a quoted name.
  function tokenAtCaret() {
    const caret = box.selectionStart;
    if (caret === null || caret !== box.selectionEnd) return null;
    const before = box.value.slice(0, caret);
    const match = /(?:^|[^\w@])@("[^"\n]{0,60}|[\w.\-]{0,60})$/u.exec(before);
    if (!match) return null;
    const typed = match[1];
    return { start: caret - typed.length - 1, end: caret, prefix: typed.replace(/^"/, "") };
  }

  function close() {
    matches = [];
    active = -1;
    token = null;
    list.hidden = true;
    list.replaceChildren();
    box.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.replaceChildren();
    matches.forEach((person, i) => {
      const item = document.createElement("li");
      item.id = "mention-option-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === active ? "true" : "false");
      item.dataset.insert = person.insert;
      item.textContent = person.name;
      const handle = document.createElement("span");
      handle.className = "mention-handle";
      handle.textContent = "@" + person.handle;
      item.appendChild(handle);
      item.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus (and the caret) in the reply box
        pick(i);
      });
      list.appendChild(item);
    });
    list.hidden = matches.length === 0;
    if (active >= 0) box.setAttribute("aria-activedescendant", "mention-option-" + active);
    else box.removeAttribute("aria-activedescendant");
  }

  function lookUp() {
    token = isNote() ? tokenAtCaret() : null;
    if (!token) {
      close();
      return;
    }
    const mine = ++asked;
    const wanted = token;
    fetch(url + "?q=" + encodeURIComponent(wanted.prefix), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((r) => (r.ok ? r.json() : []))
      .then((people) => {
        if (mine !== asked || !token) return; // a newer keystroke asked again
        matches = Array.isArray(people) ? people.slice(0, 8) : [];
        active = matches.length ? 0 : -1;
        render();
      })
      .catch(close);
  }

  function pick(i) {
    const person = matches[i];
    if (!person || !token) return;
    const text = "@" + person.insert + " ";
    const after = box.value.slice(token.end);
    box.value = box.value.slice(0, token.start) + text + after.replace(/^ /, "");
    const caret = token.start + text.length;
    box.setSelectionRange(caret, caret);
    close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 120);
  });
  box.addEventListener("keydown", (event) => {
    if (list.hidden || !matches.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + matches.length) % matches.length;
      render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active < 0) return;
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  box.addEventListener("blur", () => setTimeout(close, 150));
  if (form) {
    form.querySelectorAll("input[name=is_internal]").forEach((input) =>
      input.addEventListener("change", () => (isNote() ? lookUp() : close()))
    );
  }
})();
