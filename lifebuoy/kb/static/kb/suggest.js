// Suggest knowledge-base articles while a customer writes a new ticket in the portal.
// Debounced calls to the JSON endpoint; results are built with textContent, never as HTML.
(function () {
  "use strict";
  var panel = document.getElementById("kb-suggestions");
  var subject = document.getElementById("id_subject");
  var description = document.getElementById("id_description");
  if (!panel || !subject || !description || !subject.form) {
    return;
  }
  var ticketForm = subject.form;
  var list = panel.querySelector("ul");
  var shown = []; // every article number suggested during this attempt
  var timer = null;
  var lastQuery = "";
  var latest = 0;

  // Submitting the ticket anyway tells the desk which suggestions were on screen.
  var shownInput = document.createElement("input");
  shownInput.type = "hidden";
  shownInput.name = "kb_shown";
  ticketForm.appendChild(shownInput);

  function csrfToken() {
    var field = ticketForm.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function solvedForm(article) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = panel.dataset.solved;
    form.className = "inline";
    form.appendChild(hidden("csrfmiddlewaretoken", csrfToken()));
    form.appendChild(hidden("article", article.id));
    var shownField = form.appendChild(hidden("shown", ""));
    var subjectField = form.appendChild(hidden("subject", ""));
    form.addEventListener("submit", function () {
      shownField.value = shown.join(",");
      subjectField.value = subject.value.slice(0, 200);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "secondary";
    button.textContent = "This solved my problem";
    form.appendChild(button);
    return form;
  }

  function render(articles) {
    list.replaceChildren();
    articles.forEach(function (article) {
      if (shown.indexOf(article.number) === -1) {
        shown.push(article.number);
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      var issue = document.createElement("div");
      issue.className = "hint";
      issue.textContent = article.issue;
      item.append(link, " ", solvedForm(article), issue);
      list.appendChild(item);
    });
    shownInput.value = shown.join(",");
    panel.hidden = articles.length === 0;
  }

  function refresh() {
    var query = subject.value.trim() + "\n" + description.value.trim();
    if (query.length < 12 || query === lastQuery) {
      return;
    }
    lastQuery = query;
    var params = new URLSearchParams({ subject: subject.value, description: description.value });
    var request = ++latest;
    fetch(panel.dataset.endpoint + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (articles) {
        if (request === latest) {
          render(articles);
        }
      })
      .catch(function () {
        /* suggestions are a convenience; the ticket form works without them */
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  subject.addEventListener("input", schedule);
  description.addEventListener("input", schedule);
  schedule();
})();
