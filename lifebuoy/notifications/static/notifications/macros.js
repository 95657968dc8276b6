// Macros: fill a reply template for this ticket and insert it into the reply box.
(function () {
  "use strict";
  const picker = document.querySelector(".macro-picker");
  if (!picker) return;
  const form = picker.closest("form");
  const select = picker.querySelector("#macro-key");
  const status = picker.querySelector("#macro-status");
  const box = form.querySelector("textarea[name=body]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const listUrl = picker.dataset.listUrl;

  fetch(listUrl, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((templates) => {
      for (const t of templates) {
        const option = document.createElement("option");
        option.value = t.key;
        option.textContent = t.name;
        select.appendChild(option);
      }
      picker.hidden = false;
    })
    .catch(() => {});

  picker.querySelector("#macro-insert").addEventListener("click", () => {
    if (!select.value) return;
    status.textContent = "…";
    fetch(listUrl + "/" + encodeURIComponent(select.value) + "/render", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ ticket_id: Number(picker.dataset.ticket), values: {} }),
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((macro) => {
        const start = box.selectionStart ?? box.value.length;
        box.value = box.value.slice(0, start) + macro.body + box.value.slice(box.selectionEnd ?? start);
        box.focus();
        status.textContent = "Inserted; fill in the [bracketed] parts.";
      })
      .catch(() => { status.textContent = "Could not load the template."; });
  });
})();
