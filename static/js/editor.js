// The editor's desk in the article form: a live preview beside the body,
// word count and reading time while typing, and autosave of drafts.
// The preview is rendered by the server (the readers' Markdown, sanitising
// and "Read more" code), so what the editor sees is what readers will get.
"use strict";

(function () {
  const PREVIEW_DELAY = 400; // ms after the last key press
  const AUTOSAVE_DELAY = 5000; // ms after the last change

  function setUp() {
    const pane = document.getElementById("desk-preview");
    const body = document.getElementById("id_body");
    if (!pane || !body) {
      return;
    }
    const form = body.form;
    const title = document.getElementById("id_title");
    const token = form.querySelector("input[name=edit_token]");
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    const output = document.getElementById("desk-preview-body");
    const counts = document.getElementById("desk-counts");
    const missing = document.getElementById("desk-missing");
    const status = document.getElementById("desk-autosave");

    // Beside the body on a wide screen, under it on a narrow one (CSS).
    const row = body.closest(".form-row") || body.parentElement;
    row.classList.add("desk-has-preview");
    row.appendChild(pane);
    pane.hidden = false;

    async function post(url, fields) {
      const data = new FormData();
      for (const [name, value] of Object.entries(fields)) {
        data.append(name, value);
      }
      return fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        credentials: "same-origin",
      });
    }

    // -- Preview -----------------------------------------------------------
    let previewTimer = null;
    let previewRequest = 0;

    function plural(count, one, many) {
      return `${count.toLocaleString()} ${count === 1 ? one : many}`;
    }

    async function refreshPreview() {
      const number = ++previewRequest;
      let answer;
      try {
        const response = await post(pane.dataset.previewUrl, { body: body.value });
        answer = await response.json();
        if (response.status === 429) {
          // Too many previews: say so, and try again when the server allows.
          const wait = Number(response.headers.get("Retry-After")) || 10;
          clearTimeout(previewTimer);
          previewTimer = setTimeout(refreshPreview, wait * 1000);
        }
        if (!response.ok) {
          throw new Error(answer.error || "The preview could not be made.");
        }
      } catch (error) {
        if (number === previewRequest) {
          counts.textContent = error.message;
        }
        return;
      }
      if (number !== previewRequest) {
        return; // An older answer arriving late: a newer one is on its way.
      }
      // Sanitised HTML from the server, the same the article page shows:
      // written into the page's frame (desk-preview-frame.js), else here.
      pane.dispatchEvent(new CustomEvent("desk:preview", { detail: answer }));
      if (output) {
        output.innerHTML = answer.html;
      }
      counts.textContent = answer.words
        ? `${plural(answer.words, "word", "words")} · ` +
          `${plural(answer.minutes, "minute", "minutes")} to read`
        : "0 words: the preview appears as you type.";
      missing.replaceChildren(
        ...answer.missing.map((ref) => {
          const item = document.createElement("li");
          item.textContent =
            `No article matches “${ref}” in a “Read more” line: ` +
            "check the slug, or remove the line.";
          return item;
        }),
      );
    }

    body.addEventListener("input", () => {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, PREVIEW_DELAY);
    });
    refreshPreview();

    // -- Autosave (drafts only) ----------------------------------------------
    const autosaveUrl = pane.dataset.autosaveUrl;
    if (pane.dataset.state === "new") {
      status.textContent =
        "Drafts are autosaved once you have saved this article the first time.";
      return;
    }
    if (pane.dataset.autosave === "paused") {
      status.textContent = "Autosave is paused until you save this text yourself.";
      return;
    }
    if (!autosaveUrl || !token) {
      return;
    }
    if (pane.dataset.state !== "draft") {
      status.textContent =
        "Autosave is off: readers would see every change. Save when ready.";
      return;
    }
    let autosaveTimer = null;
    let stopped = false;
    let saved = { title: title ? title.value : "", body: body.value };

    async function autosave() {
      const now = { title: title ? title.value : "", body: body.value };
      if (stopped || (now.title === saved.title && now.body === saved.body)) {
        return;
      }
      let response;
      let answer;
      try {
        response = await post(autosaveUrl, { ...now, edit_token: token.value });
        answer = await response.json();
      } catch (error) {
        status.textContent = "Not autosaved: the site could not be reached. Retrying.";
        autosaveTimer = setTimeout(autosave, AUTOSAVE_DELAY * 2);
        return;
      }
      if (response.ok) {
        token.value = answer.edit_token;
        saved = now;
        status.textContent = `Draft autosaved at ${answer.saved_at}.`;
        return;
      }
      status.textContent = answer.error || "Not autosaved.";
      if (answer.conflict) {
        stopped = true; // Never overwrite someone else's newer version.
        status.classList.add("desk-preview__autosave--conflict");
        if (pane.dataset.versionsUrl) {
          const link = document.createElement("a");
          link.href = pane.dataset.versionsUrl;
          link.textContent = "See the versions";
          status.append(" ", link);
        }
      }
    }

    function scheduleAutosave() {
      clearTimeout(autosaveTimer);
      autosaveTimer = setTimeout(autosave, AUTOSAVE_DELAY);
    }
    body.addEventListener("input", scheduleAutosave);
    if (title) {
      title.addEventListener("input", scheduleAutosave);
    }
    // A manual save sends the form: no autosave may race it.
    form.addEventListener("submit", () => {
      stopped = true;
      clearTimeout(autosaveTimer);
    });
  }

  // Name the controls Django's widgets leave unnamed for screen readers:
  // the autocomplete pickers (select2) and a file input under a legend.
  function labelText(element) {
    return element.textContent.trim().replace(/:$/, "");
  }

  function nameControls(form) {
    for (const container of form.querySelectorAll(".select2-container")) {
      const select = container.previousElementSibling;
      const label = select && select.id && form.querySelector(`label[for="${select.id}"]`);
      if (!label) {
        continue;
      }
      if (!label.id) {
        label.id = `${select.id}_label`;
      }
      const combobox = container.querySelector("[role=combobox]");
      if (combobox && !combobox.dataset.deskNamed) {
        const shown = combobox.getAttribute("aria-labelledby") || "";
        combobox.setAttribute("aria-labelledby", `${label.id} ${shown}`.trim());
        combobox.dataset.deskNamed = "yes";
      }
      for (const part of container.querySelectorAll(
        "[role=textbox], .select2-search__field",
      )) {
        if (!part.getAttribute("aria-label")) {
          part.setAttribute("aria-label", labelText(label));
        }
      }
    }
    for (const input of form.querySelectorAll("fieldset input[type=file]")) {
      const legend = input.closest("fieldset").querySelector("legend");
      if (legend && input.labels.length === 0 && !input.getAttribute("aria-label")) {
        input.setAttribute("aria-label", labelText(legend));
      }
    }
  }

  function setUpNames() {
    const form = document.getElementById("article_form");
    if (!form) {
      return;
    }
    nameControls(form);
    // The pickers draw (and redraw) themselves after the page loads.
    new MutationObserver(() => nameControls(form)).observe(form, {
      childList: true,
      subtree: true,
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
    document.addEventListener("DOMContentLoaded", setUpNames);
  } else {
    setUp();
    setUpNames();
  }
})();
