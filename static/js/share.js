// Share buttons that need a script: the system share sheet (the Web Share
// API, on phones) and copying the article's address. Served from the site
// itself, no inline code (the content security policy allows 'self' only);
// it loads nothing, sends nothing and stores nothing on the reader's device.
// Without it the plain share links still work.
"use strict";

(function () {
  function setUp(box) {
    const url = box.dataset.shareUrl;
    const title = box.dataset.shareTitle;
    const status = box.querySelector("[data-share-status]");
    const native = box.querySelector("[data-share-native]");
    const copy = box.querySelector("[data-share-copy]");

    function say(text) {
      status.textContent = text;
    }

    if (native && navigator.share) {
      native.hidden = false;
      native.querySelector("button").addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {
          // Dismissed by the reader, or refused: nothing to report.
        });
      });
    }
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.querySelector("button").addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () {
            say("Link copied.");
          },
          function () {
            say("Couldn’t copy the link: copy it from the address bar.");
          }
        );
      });
    }
  }

  document.querySelectorAll("[data-share]").forEach(setUp);
})();
