// Name Django's autocomplete pickers (select2) after their field's label:
// select2 points its combobox at an empty placeholder and leaves its search
// box unnamed, which screen readers announce as nothing (axe: serious).
"use strict";

(function () {
  function labelFor(select) {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function name(element, text) {
    if (element && element.getAttribute("aria-label") !== text) {
      element.removeAttribute("aria-labelledby");
      element.setAttribute("aria-label", text);
    }
  }

  function fix() {
    for (const select of document.querySelectorAll("select.admin-autocomplete")) {
      const container = select.nextElementSibling;
      const text = labelFor(select);
      if (!text || !container || !container.classList.contains("select2")) {
        continue;
      }
      name(container.querySelector(".select2-selection"), text);
      name(container.querySelector(".select2-search__field"), `Search ${text.toLowerCase()}`);
      const rendered = container.querySelector(".select2-selection__rendered");
      if (rendered && rendered.getAttribute("role") === "textbox") {
        rendered.setAttribute("aria-label", text);
      }
    }
  }

  window.addEventListener("load", () => {
    fix();
    // select2 redraws its parts on every choice: name them again.
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();
