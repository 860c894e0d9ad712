/* "Edit an area of this photo" on a finished design: the mask editor over its photo, "select furniture" from
   the boxes it found, then a new edit design from the same photo through the v1 API (`source`). */
"use strict";

(function () {
  var form = document.getElementById("edit-form");
  if (!form) return;
  var ANY_ID = "00000000-0000-0000-0000-000000000000";
  var found = JSON.parse(document.getElementById("editor-furniture").textContent);
  var editor = window.Restyle.MaskEditor(document.getElementById("mask-editor"),
    { furniture: found.furniture, referenceWidth: found.reference_width });
  var status = form.querySelector(".edit-status");
  var button = form.querySelector('button[type="submit"]');
  editor.load(form.dataset.originalUrl);

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (box) { box.hidden = true; box.textContent = ""; });
  }

  function showError(field, message) {
    var box = form.querySelector('[data-error-for="' + (field || "") + '"]') || form.querySelector('[data-error-for=""]');
    box.textContent = message;
    box.hidden = false;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    clearErrors();
    var prompt = form.elements.prompt.value.trim();
    if (!editor.painted()) { showError("mask", "Paint over the area you want to change."); return; }
    if (!prompt) { showError("prompt", "Say what the painted area should become."); return; }
    var data = new FormData();
    data.append("source", form.dataset.source);
    data.append("mode", "edit");
    data.append("style", form.dataset.style);
    if (form.dataset.roomType) data.append("room_type", form.dataset.roomType);
    data.append("resolution", form.dataset.resolution);
    data.append("prompt", prompt);
    data.append("mask", await editor.toBlob(), "mask.png");
    button.disabled = true;
    status.textContent = "Sending…";
    var result = await window.Restyle.api("POST", form.dataset.apiUrl, data);
    if (result.ok) {
      window.location.assign(form.dataset.detailUrl.replace(ANY_ID, result.data.id));
      return;
    }
    button.disabled = false;
    status.textContent = "";
    showError(result.data.error.field, result.data.error.message);
  });
})();
