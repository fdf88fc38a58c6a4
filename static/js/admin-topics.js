// Suggest existing topics in the admin's comma-separated topic box.
// The box names a <datalist>; each suggestion is the whole value with the
// topic being typed completed, so picking one keeps the topics before it.
"use strict";

(function () {
  function setUp(input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) {
      return;
    }
    let timer = null;
    let lastTerm = null;

    async function suggest() {
      const parts = input.value.split(",");
      const term = parts.pop().trim();
      const chosen = parts.map((part) => part.trim()).filter(Boolean);
      if (term === lastTerm) {
        return;
      }
      lastTerm = term;
      if (!term) {
        list.replaceChildren();
        return;
      }
      const url = new URL(input.dataset.topicSuggestions, window.location.href);
      url.searchParams.set("q", term);
      let names = [];
      try {
        const response = await fetch(url, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) {
          return;
        }
        names = (await response.json()).results;
      } catch (error) {
        return; // Suggestions are a convenience: typing still works.
      }
      const taken = new Set(chosen.map((name) => name.toLowerCase()));
      const prefix = chosen.length ? chosen.join(", ") + ", " : "";
      list.replaceChildren(
        ...names
          .filter((name) => !taken.has(name.toLowerCase()))
          .map((name) => {
            const option = document.createElement("option");
            option.value = prefix + name;
            return option;
          }),
      );
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 150);
    });
  }

  function init() {
    document.querySelectorAll("input[data-topic-suggestions]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
