// The error summary of a change form (templates/admin/includes/_error_summary.html):
// focused when the page opens, so screen readers announce it and the editor
// starts there; each link takes them to its field, opening a folded section
// and focusing the field's visible control (an autocomplete's own box, not
// the hidden select behind it).
"use strict";

(function () {
  function visibleControl(field) {
    if (field.offsetParent !== null) {
      return field;
    }
    const container = field.nextElementSibling;
    if (container && container.classList.contains("select2")) {
      return container.querySelector(".select2-selection") || field;
    }
    const row = field.closest(".form-row, .fieldBox");
    return (row && row.querySelector("input:not([type=hidden]), select, textarea, button")) || field;
  }

  function goTo(event) {
    const link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    for (let details = field.closest("details"); details; details = details.parentElement.closest("details")) {
      details.open = true;
    }
    const row = field.closest(".form-row") || field;
    row.scrollIntoView({ block: "center" });
    visibleControl(field).focus({ preventScroll: true });
  }

  function start() {
    const summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", goTo);
    summary.focus();
    // Django's change_form.js (loaded async) focuses an add form's first
    // field once it runs: take the focus back then, unless the editor has
    // already moved it.
    let moved = false;
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, () => { moved = true; }, { once: true, capture: true });
    }
    window.addEventListener("load", () => {
      if (!moved && !summary.contains(document.activeElement)) {
        summary.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
