// Aminder: the behaviours of the domanda's steps and of the rettifica (loaded by those pages only).
// - Leaving a form with unsaved changes asks first (the browser's own "leave the page?" dialog).
// - Before the session's idle timeout a warning offers to stay signed in; if it expires anyway, what
//   was typed is kept in this tab (sessionStorage) and put back after signing in on the same step.
// - A file larger than its field allows is refused in the browser, before a long upload.
// - The union agreement's fields are marked required when the headcount needs them.
(function () {
  "use strict";

  var FORMS = "form[data-modifiche]";
  var dirty = false;
  var submitting = false;

  // --- unsaved changes ---------------------------------------------------------------------------
  document.addEventListener("input", function (event) {
    if (event.target.closest(FORMS)) {
      dirty = true;
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest(FORMS)) {
      dirty = true;
    }
  });
  document.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- what was typed, kept across an expired session -------------------------------------------
  var STASH = "aminder:bozza:" + window.location.pathname;

  function typed() {
    var values = [];
    document.querySelectorAll(FORMS).forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.type === "file" || field.type === "hidden" || field.type === "submit") {
          return;
        }
        if (field.type === "checkbox" || field.type === "radio") {
          values.push([field.name, field.value, field.checked]);
        } else {
          values.push([field.name, field.value, null]);
        }
      });
    });
    return values;
  }

  function restore() {
    var saved = window.sessionStorage.getItem(STASH);
    if (!saved) {
      return;
    }
    window.sessionStorage.removeItem(STASH);
    var values = JSON.parse(saved);
    var restored = 0;
    values.forEach(function (entry) {
      var fields = document.querySelectorAll(FORMS + " [name='" + CSS.escape(entry[0]) + "']");
      fields.forEach(function (field) {
        if (entry[2] === null && field.type !== "checkbox" && field.type !== "radio") {
          if (field.value !== entry[1]) {
            field.value = entry[1];
            restored += 1;
          }
        } else if (field.value === entry[1] && field.checked !== entry[2]) {
          field.checked = entry[2];
          restored += 1;
        }
      });
    });
    var note = document.getElementById("dati-ripristinati");
    if (restored && note) {
      dirty = true;
      note.classList.remove("d-none");
    }
  }

  // --- idle timeout -----------------------------------------------------------------------------
  var box = document.getElementById("avviso-sessione");
  var warnTimer = null;
  var endTimer = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function schedule() {
    if (!box) {
      return;
    }
    var seconds = parseInt(box.getAttribute("data-durata"), 10);
    var before = Math.min(120, Math.floor(seconds / 2));
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.querySelector("[data-avviso]").classList.remove("d-none");
    box.querySelector("[data-scaduta]").classList.add("d-none");
    box.classList.add("d-none");
    warnTimer = window.setTimeout(function () {
      box.classList.remove("d-none");
      box.querySelector("button").focus();
    }, (seconds - before) * 1000);
    endTimer = window.setTimeout(expired, seconds * 1000);
  }

  function expired() {
    window.sessionStorage.setItem(STASH, JSON.stringify(typed()));
    dirty = false; // kept in this tab: going to the sign-in page loses nothing
    box.querySelector("[data-avviso]").classList.add("d-none");
    box.querySelector("[data-scaduta]").classList.remove("d-none");
    box.classList.remove("d-none");
    box.querySelector("[data-scaduta] a").focus();
  }

  if (box) {
    box.querySelector("button").addEventListener("click", function () {
      fetch(box.getAttribute("data-rinnova-url"), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      }).then(function (response) {
        if (response.ok) {
          schedule();
        } else {
          expired();
        }
      });
    });
    document.addEventListener("htmx:afterRequest", schedule);
    // The server says the session has expired (HX-Redirect to the sign-in page): keep what was typed.
    document.addEventListener("htmx:beforeOnLoad", function (event) {
      var xhr = event.detail.xhr;
      if (xhr && xhr.getResponseHeader("HX-Redirect")) {
        window.sessionStorage.setItem(STASH, JSON.stringify(typed()));
        dirty = false;
      }
    });
    schedule();
  }

  // --- file size, checked before the upload -----------------------------------------------------
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches("input[type=file][data-max-bytes]")) {
      return;
    }
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var id = input.id + "-troppo-grande";
    var message = document.getElementById(id);
    var tooBig = input.files.length > 0 && input.files[0].size > max;
    if (tooBig) {
      input.value = "";
      if (!message) {
        message = document.createElement("div");
        message.id = id;
        message.className = "invalid-feedback d-block";
        message.setAttribute("role", "alert");
        message.textContent = input.getAttribute("data-troppo-grande");
        input.insertAdjacentElement("afterend", message);
      }
    }
    if (message) {
      message.classList.toggle("d-none", !tooBig);
    }
    input.setAttribute("aria-invalid", tooBig ? "true" : "false");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (tooBig) {
      described.push(id);
    }
    input.setAttribute("aria-describedby", described.join(" "));
  });

  // --- agreement required above the headcount threshold -----------------------------------------
  var headcount = document.querySelector("input[data-soglia-accordo]");
  function markAgreement() {
    var soglia = parseInt(headcount.getAttribute("data-soglia-accordo"), 10);
    var needed = parseInt(headcount.value, 10) > soglia;
    document.querySelectorAll("[data-se-serve-accordo]").forEach(function (field) {
      field.setAttribute("aria-required", needed ? "true" : "false");
      var label = document.querySelector("label[for='" + field.id + "']");
      var optional = label && label.querySelector(".fw-normal");
      if (optional) {
        optional.classList.toggle("d-none", needed);
      }
    });
  }
  if (headcount) {
    headcount.addEventListener("input", markAgreement);
    markAgreement();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
