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

  // A table wider than the screen scrolls inside its .table-responsive box: the box becomes a named,
  // focusable region while it scrolls, so keyboard users can scroll it too (WCAG 2.1.1), and stops
  // being a tab stop when it fits again (a wider window, a rotated phone).
  function tableName(box) {
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var labelledBy = table && table.getAttribute("aria-labelledby");
    var label = labelledBy && document.getElementById(labelledBy);
    if (label) {
      return label.textContent.trim();
    }
    for (var el = box.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) {
        return el.textContent.trim();
      }
    }
    return "Tabella";
  }

  function markScrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", tableName(box) + " (scorre in orizzontale)");
          box.dataset.scrollable = "true";
        }
      } else if (box.dataset.scrollable) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollable;
      }
    });
  }

  var resizeTimer;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markScrollableTables, 100);
  });

  function onReady() {
    focusErrorSummary();
    markScrollableTables();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  document.addEventListener("htmx:afterSettle", onReady);
})();
