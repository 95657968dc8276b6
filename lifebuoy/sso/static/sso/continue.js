// Follow the link to the organization's identity provider at once; without script it stays a
// link to click.
(function () {
  "use strict";
  var link = document.querySelector("[data-sso-continue]");
  if (link) { window.location.assign(link.href); }
})();
