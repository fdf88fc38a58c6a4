// The article form's media picker (desk/media_admin.py): searches the
// library by title or alt text and inserts the chosen image's reference
// line, [[image:ID]], on a line of its own where the cursor is in the text.
// Its own script: the editor's toolbar and paste handling are editor.js's.
"use strict";

(function () {
  function insertLine(textarea, line) {
    const text = textarea.value;
    const at = textarea.selectionStart ?? text.length;
    const before = text.slice(0, at);
    const after = text.slice(at);
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    textarea.value = before + lead + line + trail + after;
    const caret = (before + lead + line).length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    // The live preview and autosave listen for input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUp(picker) {
    const query = picker.querySelector("[data-media-picker-query]");
    const results = picker.querySelector("[data-media-picker-results]");
    const textarea = document.getElementById("id_body");

    function search() {
      const url = picker.dataset.mediaPicker + "?q=" + encodeURIComponent(query.value);
      results.textContent = "Searching…";
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
        })
        .catch(function () {
          results.textContent = "The library could not be searched. Try again.";
        });
    }

    picker.querySelector("[data-media-picker-search]").addEventListener("click", search);
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // not the article form's submit
        search();
      }
    });
    results.addEventListener("click", function (event) {
      const button = event.target.closest("[data-media-picker-line]");
      if (button && textarea) insertLine(textarea, button.dataset.mediaPickerLine);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-media-picker]").forEach(setUp);
  });
})();
