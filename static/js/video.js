// Click-to-load videos (articles/video.py): until the reader presses play,
// nothing is fetched from YouTube or Vimeo. The press swaps the link for the
// player (youtube-nocookie.com, or Vimeo with dnt=1), which the content
// security policy's frame-src allows, and moves focus into it. Served from
// the site itself (no inline code); without it the link opens the video's
// own page.
"use strict";

(function () {
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-video-embed]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    const frame = document.createElement("iframe");
    frame.src = link.dataset.videoEmbed;
    frame.title = link.dataset.videoTitle;
    frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "video__player";
    link.replaceWith(frame);
    frame.focus();
  });
})();
