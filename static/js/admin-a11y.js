// Name Django's autocomplete pickers (select2) after their field's label:
// select2 points its combobox at an empty placeholder and leaves its search
// box unnamed, which screen readers announce as nothing (axe: serious). And
// a click elsewhere while one is open must reach what was clicked.
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

  // A press outside an open picker closes it (select2's mousedown handler on
  // the body), and closing focuses the picker's own box, which scrolls the
  // page back to it when it is out of view: what was pressed moves away from
  // under the pointer before the button is released, so the click is lost
  // and the page jumps. Focus it without scrolling when a press elsewhere
  // closes it (the pressed element takes the focus next anyway).
  const focusWithoutScroll = function () {
    HTMLElement.prototype.focus.call(this, { preventScroll: true });
  };

  document.addEventListener(
    "mousedown",
    (event) => {
      for (const open of document.querySelectorAll(".select2.select2-container--open")) {
        if (open.contains(event.target)) {
          continue;
        }
        const parts = open.querySelectorAll(".select2-selection, .select2-search__field");
        for (const part of parts) {
          part.focus = focusWithoutScroll;
        }
        window.setTimeout(() => {
          for (const part of parts) {
            delete part.focus;
          }
        });
      }
    },
    true,
  );

  window.addEventListener("load", () => {
    fix();
    // select2 redraws its parts on every choice: name them again.
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();
