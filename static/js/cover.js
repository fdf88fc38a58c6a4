// The cover field: show the chosen image before saving (a data: URL, which the
// content security policy allows for images) and let the editor click the
// subject to set the focal point, kept in two hidden fields.
"use strict";

(function () {
  function setUp(box) {
    const input = box.parentElement.querySelector("input[type=file]");
    const fieldX = document.getElementById(box.dataset.focalX);
    const fieldY = document.getElementById(box.dataset.focalY);
    const frame = box.querySelector(".cover-focus__frame");
    const marker = box.querySelector(".cover-focus__marker");
    const hint = box.querySelector(".cover-focus__hint");
    const status = box.querySelector(".cover-focus__status");
    if (!input || !fieldX || !fieldY) {
      return;
    }
    const image = document.createElement("img");
    image.className = "cover-focus__image";
    image.alt = "Preview of the chosen cover image";
    image.setAttribute("aria-describedby", hint.id);
    frame.prepend(image);

    function placeMarker() {
      marker.style.left = `${Number(fieldX.value) * 100}%`;
      marker.style.top = `${Number(fieldY.value) * 100}%`;
    }

    function show(source) {
      image.src = source;
      frame.hidden = false;
      hint.hidden = false;
      placeMarker();
    }

    function setFocus(event) {
      const rect = image.getBoundingClientRect();
      const x = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
      const y = Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1);
      fieldX.value = x.toFixed(3);
      fieldY.value = y.toFixed(3);
      placeMarker();
      status.textContent = `Focal point set at ${Math.round(x * 100)}% across, ${Math.round(y * 100)}% down.`;
    }

    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file) {
        return;
      }
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        fieldX.value = "0.5";
        fieldY.value = "0.5";
        show(reader.result);
        status.textContent = "Preview of the new cover: it is saved with the article.";
      });
      reader.readAsDataURL(file);
    });
    image.addEventListener("click", setFocus);
    if (box.dataset.current) {
      show(box.dataset.current);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const box of document.querySelectorAll("[data-cover-focus]")) {
      setUp(box);
    }
  });
})();
