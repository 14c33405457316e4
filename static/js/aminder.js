// Aminder: small behaviours shared by every page. Loaded from base.html; no inline scripts (CSP).
(function () {
  "use strict";

  // After a failed submission, move the focus to the error summary so screen-reader and keyboard
  // users start from the list of errors (each entry links to its field).
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // A link in the error summary focuses the field, not only scrolls to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
  document.addEventListener("htmx:afterSettle", focusErrorSummary);
})();
