// Send the editor's own time zone with the publishing buttons, so the
// confirmation can say when things happen in their time as well as the site's.
"use strict";

(function () {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  for (const input of document.querySelectorAll("input[data-editor-tz]")) {
    input.value = zone;
  }
})();
