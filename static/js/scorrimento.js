// Boxes that scroll sideways (a wide table on a phone) become named, focusable regions while they
// scroll, so keyboard users can scroll them too (WCAG 2.1.1), and stop being a tab stop when they fit
// again (a wider window, a rotated phone). Loaded by base.html and by the backoffice (Django admin).
(function () {
  "use strict";

  // The company side's tables; the admin's inline groups and change list.
  var BOXES = ".table-responsive, .inline-group, #changelist .results";

  function boxName(box) {
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
    var inner = box.querySelector("h2, h3");
    if (inner && inner.textContent.trim()) {
      return inner.textContent.trim();
    }
    for (var el = box.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) {
        return el.textContent.trim();
      }
    }
    return "Tabella";
  }

  function markScrollingBoxes() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.dataset.scrollable) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", boxName(box) + " (scorre in orizzontale)");
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

  // Once per frame at most, before it is painted: a resize never shows a box unmarked.
  var pending = false;
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        markScrollingBoxes();
      });
    }
  }

  window.addEventListener("resize", schedule);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollingBoxes);
  } else {
    markScrollingBoxes();
  }
  document.addEventListener("htmx:afterSettle", markScrollingBoxes);
})();
