// The live preview as the page: an iframe showing the public article page
// (desk/preview_frame.py) into which the unsaved title and the body rendered
// by the live preview (static/js/editor.js, 0.4 s after typing stops) are
// written. Phone and Desktop show the page at 390 and 1280 px wide, scaled
// down to fit the pane. The frame is sandboxed without scripts; links in it
// open in a new tab.
"use strict";

(function () {
  const WIDTHS = { phone: 390, desktop: 1280 };

  function setUp() {
    const pane = document.getElementById("desk-preview");
    const frame = document.getElementById("desk-preview-frame");
    const stage = document.getElementById("desk-preview-stage");
    if (!pane || !frame || !stage) {
      return;
    }
    const title = document.getElementById("id_title");
    const buttons = [...pane.querySelectorAll("[data-preview-width]")];
    let latest = null;
    let width = null;

    function page() {
      const doc = frame.contentDocument;
      return doc && doc.readyState !== "loading" && doc.querySelector(".prose") ? doc : null;
    }

    function show() {
      const doc = page();
      if (!doc) {
        return; // written when the frame has loaded
      }
      if (!doc.querySelector("base")) {
        const base = doc.createElement("base");
        base.target = "_blank";
        doc.head.prepend(base);
      }
      const heading = doc.querySelector(".article__title");
      if (heading && title) {
        heading.textContent = title.value.trim() || "Untitled";
      }
      if (latest) {
        // Sanitised HTML from the server, the same the article page shows.
        doc.querySelector(".prose").innerHTML = latest.html;
        const minutes = [...doc.querySelectorAll(".article__meta span")].find((span) =>
          / min read$/.test(span.textContent),
        );
        if (minutes) {
          minutes.textContent = `${latest.minutes} min read`;
        }
      }
    }

    function fit() {
      // The page at its real width, scaled down to the pane's.
      const available = stage.clientWidth;
      const pixels = WIDTHS[width];
      const scale = Math.min(1, available / pixels);
      frame.style.width = `${pixels}px`;
      frame.style.height = `${stage.clientHeight / scale}px`;
      const left = Math.max(0, (available - pixels * scale) / 2);
      frame.style.transform = `translate(${left}px, 0) scale(${scale})`;
    }

    function choose(name) {
      width = name;
      for (const button of buttons) {
        button.setAttribute("aria-pressed", String(button.dataset.previewWidth === name));
      }
      stage.dataset.width = name;
      fit();
    }

    for (const button of buttons) {
      button.addEventListener("click", () => choose(button.dataset.previewWidth));
    }
    pane.addEventListener("desk:preview", (event) => {
      latest = event.detail;
      if (!frame.getAttribute("src")) {
        // Loaded once the first preview is in, not beside it: one request
        // at a time while the form opens.
        frame.src = frame.dataset.src;
      }
      show();
    });
    frame.addEventListener("load", show);
    if (title) {
      title.addEventListener("input", show);
    }
    new ResizeObserver(() => {
      if (!stage.clientWidth) {
        return; // the pane is hidden until editor.js has placed it
      }
      if (width) {
        fit();
      } else {
        // A phone's width first where the pane is narrow, else the desktop's.
        choose(stage.clientWidth < 700 ? "phone" : "desktop");
      }
    }).observe(stage);
    show();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
