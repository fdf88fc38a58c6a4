// The readers' figures: tells the site, once per page read, what the page is
// (an article's id, a search term and whether it found anything) and the
// host of the site the reader came from. Nothing about the reader: no
// cookie, no storage, no identifier; the privacy page says what is kept.
// Pages come from caches, so the count is made by this request, not the
// page's. Readers who ask not to be tracked (Global Privacy Control,
// Do Not Track) send nothing at all.
"use strict";

(function () {
  const nav = navigator;
  if (nav.globalPrivacyControl === true || nav.doNotTrack === "1" || window.doNotTrack === "1") {
    return;
  }
  const script = document.currentScript;
  const page = document.body && document.body.dataset;
  if (!script || !script.dataset.url || !page || !page.countPage) {
    return; // a page that is not counted (an error page, a preview)
  }
  const form = new URLSearchParams({ page: page.countPage });
  if (page.countArticle) {
    form.set("article", page.countArticle);
  }
  if (page.countSearch) {
    form.set("search", page.countSearch);
    form.set("found", page.countFound || "1");
  }
  try {
    const from = new URL(document.referrer).host;
    if (from && from !== location.host) {
      form.set("referrer", from);
    }
  } catch (error) {
    // No referrer (typed, bookmarked, or withheld): nothing to send.
  }
  if (nav.sendBeacon && nav.sendBeacon(script.dataset.url, form)) {
    return;
  }
  fetch(script.dataset.url, {
    method: "POST",
    body: form,
    keepalive: true,
    credentials: "same-origin",
  }).catch(function () {
    // Not counted: nothing for the reader to know.
  });
})();
