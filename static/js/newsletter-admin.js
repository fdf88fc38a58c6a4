// Edition form: name the search box of the article picker's drop-down.
// select2 opens it at the end of the page, away from the picker, unnamed
// (admin-a11y.js names the parts inside the form).
"use strict";

(function () {
  function fix() {
    for (const box of document.querySelectorAll(".select2-dropdown .select2-search__field")) {
      if (!box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", "Search articles by title");
      }
    }
  }

  window.addEventListener("load", () => {
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();
