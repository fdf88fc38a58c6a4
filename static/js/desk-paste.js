// Paste from Google Docs, Word and web pages into the article body as Markdown.
//
// The clipboard's text/html is parsed into an inert document (DOMParser: no
// script runs, nothing loads) and walked once: headings, lists (nested),
// links, bold, italic, strikethrough, quotes, tables and code become Markdown;
// styles, fonts, classes, images, comments and Office's hidden markup are
// dropped, and tracking wrappers (Google's /url?q= redirects, utm_* and click
// ids) are removed from links. Hand-written rather than a library (turndown
// and its GFM plugin are ~30 kB and still need the Docs and Word fixes below:
// Docs' bold wrapper, Word's mso-list paragraphs, Word Online's one-item
// lists); tested against captured clipboard HTML in tests/e2e/fixtures/paste/.
"use strict";

(function () {
  const SKIPPED = new Set([
    "SCRIPT", "STYLE", "HEAD", "META", "LINK", "TITLE", "NOSCRIPT", "TEMPLATE",
    "IFRAME", "OBJECT", "EMBED", "SVG", "CANVAS", "IMG", "PICTURE", "VIDEO",
    "AUDIO", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "MATH",
  ]);
  const BLOCKS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BODY", "CENTER", "DD", "DETAILS", "DIV",
    "DL", "DT", "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "HEADER",
    "HGROUP", "LI", "MAIN", "NAV", "P", "SECTION", "SUMMARY",
  ]);
  // Query parameters that only track who clicked: dropped from every link.
  const TRACKING = /^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|igshid|oly_anon_id|oly_enc_id|vero_id|wt_mc)$/i;
  // Redirect wrappers, unwrapped to the address they lead to.
  const REDIRECTS = [
    { host: /^(www\.)?google\.[a-z.]+$/, path: /^\/url$/, param: ["q", "url"] },
    { host: /safelinks\.protection\.outlook\.com$/, path: /.*/, param: ["url"] },
    { host: /^l\.facebook\.com$/, path: /^\/l\.php$/, param: ["u"] },
  ];

  // -- Links --------------------------------------------------------------
  function cleanUrl(href) {
    let url;
    try {
      url = new URL(href.trim());
    } catch (error) {
      return null;
    }
    for (let hops = 0; hops < 3; hops++) {
      const wrapper = REDIRECTS.find(
        (rule) => rule.host.test(url.hostname) && rule.path.test(url.pathname),
      );
      const target = wrapper && wrapper.param.map((name) => url.searchParams.get(name)).find(Boolean);
      if (!target) {
        break;
      }
      try {
        url = new URL(target);
      } catch (error) {
        break;
      }
    }
    if (!["http:", "https:", "mailto:"].includes(url.protocol)) {
      return null; // file:, javascript:, a document's own #bookmarks
    }
    for (const name of [...url.searchParams.keys()]) {
      if (TRACKING.test(name)) {
        url.searchParams.delete(name);
      }
    }
    return url.toString();
  }

  // -- Styles as the author meant them -------------------------------------
  // A parsed document shares the page's content security policy, which
  // refuses style attributes and <style> (an error each in the console):
  // the styles are read under another name, the style sheets never parsed.
  const STYLE_ATTRIBUTE = "data-paste-style";

  function inert(html) {
    return html
      .replace(/<style\b[\s\S]*?<\/style\s*>/gi, "")
      .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/(\s)style(\s*=)/gi, `$1${STYLE_ATTRIBUTE}$2`));
  }

  function styleOf(element) {
    const style = {};
    for (const part of (element.getAttribute(STYLE_ATTRIBUTE) || "").split(";")) {
      const colon = part.indexOf(":");
      if (colon > 0) {
        style[part.slice(0, colon).trim().toLowerCase()] = part.slice(colon + 1).trim().toLowerCase();
      }
    }
    return style;
  }

  // An element's own font-weight or font-style beats its tag: Google Docs wraps
  // a whole paste in <b style="font-weight:normal">, and marks bold words with
  // <span style="font-weight:700">.
  function formatting(element, ctx) {
    const style = styleOf(element);
    const tag = element.tagName;
    let { bold, italic, strike } = ctx;
    const weight = style["font-weight"];
    if (weight) {
      bold = weight === "bold" || weight === "bolder" || Number(weight) >= 600;
    } else if (tag === "B" || tag === "STRONG") {
      bold = true;
    }
    const fontStyle = style["font-style"];
    if (fontStyle) {
      italic = fontStyle === "italic" || fontStyle === "oblique";
    } else if (tag === "I" || tag === "EM") {
      italic = true;
    }
    const decoration = style["text-decoration"] || style["text-decoration-line"] || "";
    if (decoration.includes("line-through") || ["S", "DEL", "STRIKE"].includes(tag)) {
      strike = true;
    }
    return { ...ctx, bold, italic, strike };
  }

  // -- Office's own markup ---------------------------------------------------
  function isHidden(element) {
    const style = styleOf(element);
    const classes = element.className && typeof element.className === "string" ? element.className : "";
    return (
      style["mso-list"] === "ignore" || // Word's typed "1." or "·" before a list item
      style.display === "none" ||
      (style["mso-element"] || "").startsWith("comment") ||
      /\bMsoComment/.test(classes) || // Word's comments and their anchors
      /^(cmnt|ftnt)/.test(element.id || "") || // Docs' comments and footnotes
      (element.tagName === "A" && /^#(cmnt|ftnt)/.test(element.getAttribute("href") || ""))
    );
  }

  function markerOrdered(text) {
    return /^[0-9a-z]{1,5}[.)]$/i.test(text.replace(/\s|\u00a0/g, ""));
  }

  // A run of {level, ordered, element} items as nested lists; a skipped
  // level (1 then 3) nests under the item before it.
  function buildLists(doc, items) {
    const stack = [];
    let root = null;
    for (const item of items) {
      while (stack.length && stack[stack.length - 1].level > item.level) {
        stack.pop();
      }
      let top = stack[stack.length - 1];
      if (!top || top.level < item.level) {
        const list = doc.createElement(item.ordered ? "ol" : "ul");
        if (top) {
          (top.list.lastElementChild || top.list).appendChild(list);
        } else {
          root = root || list;
          if (root !== list) {
            root.appendChild(list);
          }
        }
        top = { level: item.level, list };
        stack.push(top);
      }
      const li = doc.createElement("li");
      while (item.element.firstChild) {
        li.appendChild(item.element.firstChild);
      }
      top.list.appendChild(li);
    }
    return root;
  }

  function siblingRuns(elements, belongs) {
    // Consecutive siblings (whitespace between them aside) as runs.
    const runs = [];
    for (const element of elements) {
      let previous = element.previousSibling;
      while (previous && previous.nodeType !== 1 && !(previous.textContent || "").trim()) {
        previous = previous.previousSibling;
      }
      const run = runs[runs.length - 1];
      if (run && previous === run[run.length - 1] && belongs(previous)) {
        run.push(element);
      } else {
        runs.push([element]);
      }
    }
    return runs;
  }

  function wordDesktopLists(doc) {
    // <p style="mso-list:l0 level2 lfo1"><span style="mso-list:Ignore">a.</span>text</p>
    const isItem = (el) =>
      el.tagName === "P" && /mso-list:\s*l\d+\s+level\d+/i.test(el.getAttribute(STYLE_ATTRIBUTE) || "");
    const paragraphs = [...doc.querySelectorAll(`p[${STYLE_ATTRIBUTE}*='mso-list']`)].filter(isItem);
    for (const run of siblingRuns(paragraphs, isItem)) {
      const items = run.map((p) => {
        const marker = p.querySelector(`[${STYLE_ATTRIBUTE}*='mso-list']`);
        const level = Number(/level(\d+)/i.exec(p.getAttribute(STYLE_ATTRIBUTE))[1]);
        return { level, ordered: marker ? markerOrdered(marker.textContent) : false, element: p };
      });
      const list = buildLists(doc, items);
      run[0].replaceWith(list);
      run.slice(1).forEach((p) => p.remove());
    }
  }

  function wordOnlineLists(doc) {
    // Word for the web: each item a one-item list in its own wrapper div.
    const isWrapper = (el) => el.classList && el.classList.contains("ListContainerWrapper");
    const wrappers = [...doc.querySelectorAll(".ListContainerWrapper")];
    for (const run of siblingRuns(wrappers, isWrapper)) {
      const items = [];
      for (const wrapper of run) {
        for (const li of wrapper.querySelectorAll("li")) {
          items.push({
            level: Number(li.getAttribute("data-aria-level")) || 1,
            ordered: li.parentElement.tagName === "OL",
            element: li,
          });
        }
      }
      const list = buildLists(doc, items);
      if (list) {
        run[0].replaceWith(list);
        run.slice(1).forEach((wrapper) => wrapper.remove());
      }
    }
    for (const heading of doc.querySelectorAll("[role=heading][aria-level]")) {
      const level = Math.min(6, Math.max(1, Number(heading.getAttribute("aria-level")) || 2));
      const replacement = doc.createElement(`h${level}`);
      while (heading.firstChild) {
        replacement.appendChild(heading.firstChild);
      }
      heading.replaceWith(replacement);
    }
  }

  // -- Inline runs -------------------------------------------------------------
  const MARKS = [
    ["bold", "**"],
    ["italic", "*"],
    ["strike", "~~"],
  ];

  function escapeText(text, inTable) {
    let escaped = text.replace(/([\\`*[\]<])/g, "\\$1").replace(/(^|\W)_|_(?=\W|$)/g, (m) => m.replace("_", "\\_"));
    if (inTable) {
      escaped = escaped.replace(/\|/g, "\\|");
    }
    return escaped;
  }

  function mergeSpaces(tokens) {
    // Runs of spaces as one, emphasised only where all of them were.
    const merged = [];
    for (const token of tokens) {
      const last = merged[merged.length - 1];
      if (token.space && last && last.space) {
        const style = {};
        for (const [name] of MARKS) {
          style[name] = last.style[name] && token.style[name];
        }
        merged[merged.length - 1] = { space: true, style };
      } else {
        merged.push(token);
      }
    }
    return merged;
  }

  function renderInline(allTokens) {
    // Opens and closes emphasis as the style changes between runs, with the
    // spaces outside the markers (`**bold** text`, never `**bold **text`).
    const tokens = mergeSpaces(allTokens);
    let out = "";
    const open = [];
    const closeTo = (keep) => {
      while (open.length && !open.every((mark) => keep[mark])) {
        const mark = open.pop();
        out += MARKS.find(([name]) => name === mark)[1];
      }
    };
    tokens.forEach((token, index) => {
      if (token.br) {
        closeTo({});
        out += "\\\n";
        return;
      }
      const style = token.style;
      if (token.space) {
        const next = tokens.slice(index + 1).find((t) => !t.space);
        const keep = {};
        for (const [name] of MARKS) {
          keep[name] = Boolean(next && !next.br && next.style[name] && style[name]);
        }
        closeTo(keep);
        out += " ";
        return;
      }
      closeTo(style);
      for (const [name, mark] of MARKS) {
        if (style[name] && !open.includes(name)) {
          open.push(name);
          out += mark;
        }
      }
      out += token.text;
    });
    closeTo({});
    return out
      .replace(/ {2,}/g, " ")
      .replace(/ *\\\n */g, "\\\n")
      .replace(/^(?:\\\n| )+|(?:\\\n| )+$/g, "");
  }

  const REFERENCE = /^\[\[[a-z-]+:[A-Za-z0-9_-]+\]\]$/;

  function pushText(state, text, ctx) {
    const collapsed = text.replace(/[\s\u00a0]+/g, " ");
    const style = { bold: ctx.bold && !ctx.heading, italic: ctx.italic, strike: ctx.strike };
    for (const piece of collapsed.split(/( )/)) {
      if (piece === " ") {
        state.inline.push({ space: true, style });
      } else if (REFERENCE.test(piece)) {
        state.inline.push({ text: piece, style }); // a "Read more" line, as typed
      } else if (piece) {
        state.inline.push({ text: escapeText(piece, ctx.table), style });
      }
    }
  }

  // -- Blocks ----------------------------------------------------------------
  function newState() {
    return { blocks: [], inline: [] };
  }

  function flush(state) {
    const text = renderInline(state.inline);
    state.inline = [];
    if (text.trim()) {
      state.blocks.push({ md: escapeLineStart(text), kind: "p" });
    }
  }

  function escapeLineStart(text) {
    // A paragraph that starts like Markdown block syntax stays a paragraph.
    return text.replace(/^(#{1,6}(?= )|>|[-+](?= )|(\d+)[.)](?= ))/, (match, all, digits) =>
      digits ? match.replace(/([.)])$/, "\\$1") : `\\${match}`,
    );
  }

  function inlineOf(element, ctx) {
    const state = newState();
    walkChildren(element, ctx, state);
    const parts = state.blocks.map((block) => block.md);
    const rest = renderInline(state.inline);
    if (rest.trim()) {
      parts.push(rest);
    }
    return parts.join(" ").replace(/\s*\n\s*/g, " ").trim();
  }

  function indent(text, prefix, first) {
    return text
      .split("\n")
      .map((line, index) => (index === 0 ? first : line ? prefix : prefix.trimEnd()) + line)
      .join("\n");
  }

  function joinBlocks(blocks) {
    // Lists nested in an item follow its text on the next line (a tight list).
    return blocks
      .map((block, index) => (index && block.kind !== "list" ? "\n\n" : index ? "\n" : "") + block.md)
      .join("");
  }

  function renderList(list, ctx) {
    const ordered = list.tagName === "OL";
    let number = Number(list.getAttribute("start")) || 1;
    const items = [];
    for (const child of list.children) {
      if (child.tagName === "LI") {
        const state = newState();
        walkChildren(child, ctx, state);
        flush(state);
        const marker = ordered ? `${number++}. ` : "- ";
        const body = joinBlocks(state.blocks) || "";
        items.push({ marker, body });
      } else if (child.tagName === "UL" || child.tagName === "OL") {
        // Google Docs nests a list beside the item it belongs to.
        const nested = renderList(child, ctx);
        const last = items[items.length - 1];
        if (last) {
          last.body += (last.body ? "\n" : "") + nested;
        } else if (nested) {
          items.push({ marker: "", body: nested });
        }
      }
    }
    return items
      .filter((item) => item.body.trim())
      .map(({ marker, body }) => indent(body, " ".repeat(marker.length), marker))
      .join("\n");
  }

  function renderTable(table, ctx) {
    const rows = [...table.rows].map((row) =>
      [...row.cells].map((cell) => inlineOf(cell, { ...ctx, table: true, heading: cell.tagName === "TH" })),
    );
    const width = Math.max(0, ...rows.map((row) => row.length));
    if (!width || !rows.length) {
      return "";
    }
    const line = (cells) => `| ${Array.from({ length: width }, (_, i) => cells[i] || "").join(" | ")} |`;
    return [line(rows[0]), line(Array(width).fill("---")), ...rows.slice(1).map(line)].join("\n");
  }

  function walkChildren(parent, ctx, state) {
    for (const child of parent.childNodes) {
      walk(child, ctx, state);
    }
  }

  function walk(node, ctx, state) {
    if (node.nodeType === 3) {
      pushText(state, node.nodeValue, ctx);
      return;
    }
    if (node.nodeType !== 1) {
      return; // comments (Word's conditional ones too), processing instructions
    }
    const tag = node.tagName.toUpperCase();
    if (SKIPPED.has(tag) || isHidden(node)) {
      return;
    }
    const heading = /^H([1-6])$/.exec(tag);
    if (heading) {
      flush(state);
      const text = inlineOf(node, { ...ctx, heading: true });
      if (text) {
        state.blocks.push({ md: `${"#".repeat(Number(heading[1]))} ${text}`, kind: "heading" });
      }
      return;
    }
    switch (tag) {
      case "BR":
        state.inline.push({ br: true });
        return;
      case "HR":
        flush(state);
        state.blocks.push({ md: "---", kind: "hr" });
        return;
      case "UL":
      case "OL": {
        flush(state);
        const md = renderList(node, ctx);
        if (md) {
          state.blocks.push({ md, kind: "list" });
        }
        return;
      }
      case "TABLE": {
        flush(state);
        const md = renderTable(node, ctx);
        if (md) {
          state.blocks.push({ md, kind: "table" });
        }
        return;
      }
      case "BLOCKQUOTE": {
        flush(state);
        const inner = newState();
        walkChildren(node, ctx, inner);
        flush(inner);
        const md = joinBlocks(inner.blocks);
        if (md) {
          state.blocks.push({ md: indent(md, "> ", "> "), kind: "quote" });
        }
        return;
      }
      case "PRE": {
        flush(state);
        const code = node.textContent.replace(/\n$/, "");
        if (code.trim()) {
          state.blocks.push({ md: "```\n" + code + "\n```", kind: "code" });
        }
        return;
      }
      case "CODE": {
        const code = node.textContent.replace(/\s+/g, " ");
        if (code.trim()) {
          const ticks = code.includes("`") ? "``" : "`";
          state.inline.push({ text: `${ticks}${code}${ticks}`, style: {} });
        }
        return;
      }
      case "A": {
        const href = cleanUrl(node.getAttribute("href") || "");
        const text = inlineOf(node, { ...ctx, bold: false, italic: false, strike: false });
        if (!href || !text) {
          walkChildren(node, ctx, state);
          return;
        }
        const inner = formatting(node, ctx);
        const style = firstStyle(node, inner);
        state.inline.push({ text: `[${text}](${href.replace(/[()\s]/g, encodeURIComponent)})`, style });
        return;
      }
      default:
        break;
    }
    const inner = formatting(node, ctx);
    if (BLOCKS.has(tag)) {
      flush(state);
      walkChildren(node, inner, state);
      flush(state);
    } else {
      walkChildren(node, inner, state);
    }
  }

  // A link is bold or italic as its text is (Docs styles the span inside it).
  function firstStyle(link, ctx) {
    let style = { bold: ctx.bold && !ctx.heading, italic: ctx.italic, strike: false };
    const walker = link.ownerDocument.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    let text;
    while ((text = walker.nextNode())) {
      if (text.nodeValue.trim()) {
        let element = text.parentElement;
        const chain = [];
        while (element && element !== link) {
          chain.unshift(element);
          element = element.parentElement;
        }
        let inner = ctx;
        for (const el of chain) {
          inner = formatting(el, inner);
        }
        style = { bold: inner.bold && !ctx.heading, italic: inner.italic, strike: false };
        break;
      }
    }
    return style;
  }

  function htmlToMarkdown(html) {
    const doc = new DOMParser().parseFromString(inert(html), "text/html");
    wordDesktopLists(doc);
    wordOnlineLists(doc);
    const state = newState();
    walk(doc.body, { bold: false, italic: false, strike: false }, state);
    flush(state);
    return state.blocks
      .map((block) => block.md)
      .join("\n\n")
      .replace(/[ \t]+$/gm, "")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }

  // -- The body's paste ----------------------------------------------------------
  function insert(textarea, text) {
    textarea.focus();
    // insertText keeps the browser's undo history (Ctrl+Z undoes the paste).
    if (!document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
    }
  }

  function onPaste(event) {
    const data = event.clipboardData;
    const html = data && data.getData("text/html");
    if (!html) {
      return; // plain text (Markdown typed elsewhere) pastes as it is
    }
    let markdown = htmlToMarkdown(html);
    if (!markdown) {
      return;
    }
    event.preventDefault();
    const textarea = event.currentTarget;
    const before = textarea.value.slice(0, textarea.selectionStart);
    const after = textarea.value.slice(textarea.selectionEnd);
    const midLine = /[^\n]$/.test(before) || /^[^\n]/.test(after);
    if (midLine && !markdown.includes("\n")) {
      // A few words copied from a heading or a list go into the sentence.
      markdown = markdown.replace(/^(#{1,6} |> |- |\d+\. )/, "");
    }
    // A pasted document starts and ends on a line of its own.
    const multiBlock = markdown.includes("\n");
    const lead = multiBlock && before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    const tail = multiBlock && after && !after.startsWith("\n\n") ? (after.startsWith("\n") ? "\n" : "\n\n") : "";
    insert(textarea, lead + markdown + tail);
    const status = document.getElementById("desk-toolbar-status");
    if (status) {
      status.textContent = "Pasted with its headings, lists, links and emphasis as Markdown.";
    }
  }

  function setUp() {
    const body = document.getElementById("id_body");
    if (body) {
      body.addEventListener("paste", onPaste);
    }
  }

  window.deskPaste = { htmlToMarkdown, cleanUrl };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
