// A Markdown toolbar above the article body, for editors who do not know
// Markdown: bold, italic, link, heading, lists, an image and a "Read more"
// line, with Ctrl/Cmd+B, I and K. Every change goes through the browser's
// insertText, so Ctrl+Z undoes it and the preview (an input event) follows.
// One toolbar (role=toolbar): Tab reaches its current button, arrows move
// between buttons, Home and End go to the first and last.
"use strict";

(function () {
  // The image line until the media library documents its own syntax: a
  // reference line in the "Read more" pattern, the name for the editor to
  // replace. (See README, "Writing in Markdown".)
  const IMAGE_LINE = ["[[image:", "image-name", "]]"];
  const READ_MORE_LINE = ["[[read-more:", "article-slug", "]]"];

  const BUTTONS = [
    { name: "Bold", label: "B", keys: "b", action: (t) => wrap(t, "**", "bold text") },
    { name: "Italic", label: "I", keys: "i", action: (t) => wrap(t, "*", "italic text") },
    { name: "Link", label: "Link", keys: "k", action: link },
    { name: "Heading", label: "Heading", action: heading },
    { name: "Bulleted list", label: "List", action: (t) => prefixLines(t, () => "- ") },
    { name: "Numbered list", label: "Numbered", action: (t) => prefixLines(t, (n) => `${n}. `) },
    { name: "Image", label: "Image", action: (t) => referenceLine(t, IMAGE_LINE) },
    { name: "Read more", label: "Read more", action: (t) => referenceLine(t, READ_MORE_LINE) },
  ];
  const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  // -- Editing the text --------------------------------------------------------
  function replace(textarea, start, end, text, selectStart, selectEnd) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    if (!document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText" }));
    }
    textarea.setSelectionRange(start + selectStart, start + selectEnd);
  }

  function wrap(textarea, mark, placeholder) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const selected = value.slice(start, end);
    // Already wrapped: the button takes the marks away again.
    if (
      value.slice(start - mark.length, start) === mark &&
      value.slice(end, end + mark.length) === mark &&
      !(mark === "*" && value.slice(start - 2, start) === "**" && value.slice(end, end + 2) === "**")
    ) {
      replace(textarea, start - mark.length, end + mark.length, selected, 0, selected.length);
      return;
    }
    // Spaces selected with a word stay outside the marks (`**word** `).
    const inner = selected.trim() || placeholder;
    const lead = selected.match(/^\s*/)[0];
    const trail = selected.trim() ? selected.match(/\s*$/)[0] : "";
    replace(
      textarea,
      start,
      end,
      `${lead}${mark}${inner}${mark}${trail}`,
      lead.length + mark.length,
      lead.length + mark.length + inner.length,
    );
  }

  function link(textarea) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const selected = value.slice(start, end).trim();
    const isUrl = /^https?:\/\/\S+$/.test(selected);
    const text = isUrl ? "link text" : selected || "link text";
    const url = isUrl ? selected : "https://";
    const markdown = `[${text}](${url})`;
    // Selected next: the address to type, or the text when the address was given.
    if (isUrl || !selected) {
      replace(textarea, start, end, markdown, 1, 1 + text.length);
    } else {
      replace(textarea, start, end, markdown, text.length + 3, text.length + 3 + url.length);
    }
  }

  function lineRange(textarea) {
    const { selectionStart: start, selectionEnd: end, value } = textarea;
    const from = value.lastIndexOf("\n", start - 1) + 1;
    let to = value.indexOf("\n", end > start && value[end - 1] === "\n" ? end - 1 : end);
    if (to === -1) {
      to = value.length;
    }
    return [from, to];
  }

  function heading(textarea) {
    // No heading, then ##, then ###, then back to none.
    const [from, to] = lineRange(textarea);
    const line = textarea.value.slice(from, to);
    const level = (line.match(/^(#{1,6}) /) || ["", ""])[1].length;
    const text = line.replace(/^#{1,6} /, "");
    const next = level === 0 ? "## " : level === 2 ? "### " : "";
    const content = text || "Heading";
    replace(textarea, from, to, next + content, next.length, next.length + content.length);
  }

  function prefixLines(textarea, marker) {
    const [from, to] = lineRange(textarea);
    const lines = textarea.value.slice(from, to).split("\n");
    const pattern = /^(\s*)([-*+]|\d+[.)]) /;
    const kind = marker(1).trim();
    const listed = lines.filter((line) => line.trim());
    const all = listed.length > 0 && listed.every((line) => pattern.test(line) && sameKind(line, kind));
    let number = 0;
    const changed = lines.map((line) => {
      if (!line.trim()) {
        return line;
      }
      const bare = line.replace(pattern, "$1");
      if (all) {
        return bare; // the same list again: the lines become text
      }
      number += 1;
      return marker(number) + bare.trimStart();
    });
    const text = changed.join("\n") || marker(1) + "List item";
    const first = text.split("\n")[0];
    const markerLength = (first.match(pattern) || [""])[0].length;
    replace(textarea, from, to, text, lines.length === 1 ? markerLength : 0, text.length);
  }

  function sameKind(line, kind) {
    const ordered = /^\s*\d+[.)] /.test(line);
    return ordered === /^\d/.test(kind);
  }

  function referenceLine(textarea, [open, name, close]) {
    // A reference line stands on a line of its own, with blank lines around;
    // from inside another reference line, it goes after that line.
    const { value } = textarea;
    let { selectionStart: start, selectionEnd: end } = textarea;
    const [from, to] = lineRange(textarea);
    if (/^\s*\[\[[a-z-]+:[^\]]*\]\]\s*$/.test(value.slice(from, to))) {
      start = to;
      end = to;
    }
    const before = value.slice(0, start);
    const after = value.slice(end);
    const lead = !before ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    const selected = value.slice(start, end).trim();
    const ref = /^[A-Za-z0-9_-]+$/.test(selected) ? selected : name;
    const text = `${lead}${open}${ref}${close}${tail}`;
    replace(textarea, start, end, text, lead.length + open.length, lead.length + open.length + ref.length);
  }

  // -- The toolbar ---------------------------------------------------------------
  function build(textarea) {
    const bar = document.createElement("div");
    bar.className = "desk-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", textarea.id);
    const buttons = BUTTONS.map((spec, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `desk-toolbar__button desk-toolbar__button--${spec.name.toLowerCase().replace(/\W+/g, "-")}`;
      button.textContent = spec.label;
      const shortcut = spec.keys ? ` (${IS_MAC ? "⌘" : "Ctrl+"}${spec.keys.toUpperCase()})` : "";
      button.setAttribute("aria-label", spec.name);
      button.title = spec.name + shortcut;
      if (spec.keys) {
        button.setAttribute("aria-keyshortcuts", `${IS_MAC ? "Meta" : "Control"}+${spec.keys.toUpperCase()}`);
      }
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("click", () => {
        spec.action(textarea);
      });
      bar.appendChild(button);
      return button;
    });
    bar.addEventListener("keydown", (event) => {
      const current = buttons.indexOf(document.activeElement);
      if (current === -1) {
        return;
      }
      const moves = {
        ArrowRight: current + 1,
        ArrowLeft: current - 1,
        Home: 0,
        End: buttons.length - 1,
      };
      if (!(event.key in moves)) {
        return;
      }
      event.preventDefault();
      const next = (moves[event.key] + buttons.length) % buttons.length;
      buttons[current].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    bar.addEventListener("focusin", (event) => {
      if (buttons.includes(event.target)) {
        buttons.forEach((button) => {
          button.tabIndex = button === event.target ? 0 : -1;
        });
      }
    });
    const status = document.createElement("p");
    status.className = "desk-toolbar__status";
    status.id = "desk-toolbar-status";
    status.setAttribute("role", "status");
    return { bar, status };
  }

  function onShortcut(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
      return;
    }
    const spec = BUTTONS.find((button) => button.keys === event.key.toLowerCase());
    if (spec) {
      event.preventDefault();
      spec.action(event.currentTarget);
    }
  }

  function setUp() {
    const textarea = document.getElementById("id_body");
    if (!textarea || textarea.readOnly || textarea.disabled) {
      return;
    }
    const { bar, status } = build(textarea);
    textarea.before(bar);
    textarea.after(status);
    textarea.addEventListener("keydown", onShortcut);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
