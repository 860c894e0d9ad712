/* New design: pick a photo (drag and drop, file or camera), check it here before sending, post it to the
   v1 API, and show its errors next to the field they name. */
"use strict";

(function () {
  var form = document.getElementById("design-form");
  if (!form) return;
  var ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
  var MAX_COLOURS = 5;
  var ANY_ID = "00000000-0000-0000-0000-000000000000"; // stands for the new design's id in data-detail-url
  var maxBytes = Number(form.dataset.maxBytes);
  var minSide = Number(form.dataset.minSide);
  var maxRatio = Number(form.dataset.maxRatio);
  var dropzone = document.getElementById("dropzone");
  var preview = document.getElementById("photo-preview");
  var photoName = document.getElementById("photo-name");
  var submit = document.getElementById("submit");
  var submitStatus = document.getElementById("submit-status");
  var photo = null; // the checked File, whichever way it came in
  var previewUrl = null;

  // --- Errors next to fields -------------------------------------------------------------------------------

  function errorBox(field) {
    return form.querySelector('[data-error-for="' + (field || "") + '"]') || document.getElementById("error-form");
  }

  function fieldControls(field) {
    if (field === "image") return [document.getElementById("image")];
    return Array.prototype.slice.call(form.querySelectorAll('[name="' + field + '"]'));
  }

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (box) { box.hidden = true; box.textContent = ""; });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showError(field, message) {
    var box = errorBox(field);
    box.textContent = message;
    box.hidden = false;
    var controls = field ? fieldControls(field) : [];
    controls.forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
    box.scrollIntoView({ block: "center" });
    if (controls[0]) controls[0].focus({ preventScroll: true });
  }

  // --- The photo ---------------------------------------------------------------------------------------------

  // iPhone photos. Some systems give them no type, and most browsers cannot draw them: the server checks them.
  function isHeif(file) {
    return file.type === "image/heic" || file.type === "image/heif" || (!file.type && /\.(heic|heif)$/i.test(file.name));
  }

  function checkPhoto(file) {
    if (ACCEPTED.indexOf(file.type) < 0 && !isHeif(file)) {
      return Promise.resolve("Upload a JPEG, PNG, WebP or HEIC photo.");
    }
    if (file.size > maxBytes) {
      return Promise.resolve("The photo is larger than " + Math.floor(maxBytes / 1048576) + " MB.");
    }
    if (isHeif(file)) return Promise.resolve(null);
    return new Promise(function (resolve) {
      var probe = new Image();
      var url = URL.createObjectURL(file);
      probe.onload = function () {
        var shortSide = Math.min(probe.naturalWidth, probe.naturalHeight);
        var longSide = Math.max(probe.naturalWidth, probe.naturalHeight);
        URL.revokeObjectURL(url);
        if (shortSide < minSide) resolve("The photo is too small: the short side must be at least " + minSide + " px.");
        else if (longSide / shortSide > maxRatio) resolve("The photo is too narrow: keep the aspect ratio under " + maxRatio + ":1.");
        else resolve(null);
      };
      probe.onerror = function () { URL.revokeObjectURL(url); resolve("The photo could not be read; it may be damaged."); };
      probe.src = url;
    });
  }

  async function usePhoto(file) {
    clearErrors();
    if (!file) return;
    var problem = await checkPhoto(file);
    if (problem) {
      photo = null;
      showPreview(null);
      showError("image", problem);
      return;
    }
    photo = file;
    showPreview(file);
    showMaskEditor();
  }

  function showPreview(file) {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = file ? URL.createObjectURL(file) : null;
    preview.hidden = !file || isHeif(file);
    dropzone.classList.toggle("has-photo", Boolean(file));
    dropzone.querySelector(".dropzone-text strong").textContent =
      file ? "Drag another photo here to replace it" : "Drag a photo of the room here";
    if (file) {
      preview.src = previewUrl;
      preview.alt = "Preview of your photo, " + file.name;
      photoName.textContent = "Selected: " + file.name + " (" + (file.size / 1048576).toFixed(1) + " MB).";
    } else {
      preview.removeAttribute("src");
      photoName.textContent = "";
    }
  }

  ["image", "camera"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function (event) { usePhoto(event.target.files[0]); });
  });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) { event.preventDefault(); dropzone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function () { dropzone.classList.remove("dragging"); });
  });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer.files.length) usePhoto(event.dataTransfer.files[0]);
  });

  // --- The mode, and the mask an edit paints -------------------------------------------------------------------

  var maskSection = document.getElementById("mask-section");
  var maskEditorRoot = document.getElementById("mask-editor");
  var maskNeedsPhoto = document.getElementById("mask-needs-photo");
  var editor = window.Restyle.MaskEditor(maskEditorRoot, {});
  var editorPhoto = null; // the File the editor shows

  function mode() { return form.querySelector('input[name="mode"]:checked').value; }

  function showMaskEditor() {
    var usable = photo && !isHeif(photo);
    maskNeedsPhoto.hidden = Boolean(usable);
    maskEditorRoot.hidden = !usable;
    if (usable && mode() === "edit" && editorPhoto !== photo) {
      editorPhoto = photo;
      editor.load(previewUrl);
    }
  }

  function applyMode() {
    var chosen = form.querySelector('input[name="mode"]:checked');
    form.querySelectorAll("[data-modes]").forEach(function (el) {
      el.hidden = el.dataset.modes.split(" ").indexOf(chosen.value) < 0;
    });
    submit.textContent = chosen.dataset.submit;
    showMaskEditor();
  }

  form.querySelectorAll('input[name="mode"]').forEach(function (input) { input.addEventListener("change", applyMode); });
  applyMode();

  // --- The colour palette ------------------------------------------------------------------------------------

  var paletteList = document.getElementById("palette-list");
  var paletteAdd = document.getElementById("palette-add");

  function renumberPalette() {
    var items = paletteList.querySelectorAll("li");
    items.forEach(function (item, i) {
      item.querySelector("input").setAttribute("aria-label", "Colour " + (i + 1));
      item.querySelector("button").textContent = "Remove";
      item.querySelector("button").setAttribute("aria-label", "Remove colour " + (i + 1));
    });
    paletteAdd.disabled = items.length >= MAX_COLOURS;
  }

  function addColour(value) {
    if (paletteList.children.length >= MAX_COLOURS) return null;
    var item = document.createElement("li");
    var input = document.createElement("input");
    input.type = "color";
    input.name = "color_palette";
    input.value = value || "#a3b18a";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary small";
    remove.addEventListener("click", function () {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      renumberPalette();
      (next ? next.querySelector("input") : paletteAdd).focus();
    });
    item.append(input, remove);
    paletteList.append(item);
    renumberPalette();
    return input;
  }

  paletteAdd.addEventListener("click", function () { var input = addColour(); if (input) input.focus(); });
  document.getElementById("palette-from-style").addEventListener("click", function () {
    var chosen = form.querySelector('input[name="style"]:checked');
    if (!chosen) { showError("style", "Pick a style first, then use its colours."); return; }
    paletteList.innerHTML = "";
    chosen.dataset.swatch.split(",").slice(0, MAX_COLOURS).forEach(function (hex) { addColour(hex.toLowerCase()); });
  });
  renumberPalette();

  document.getElementById("wall-picker").addEventListener("input", function (event) {
    document.getElementById("wall_color").value = event.target.value;
  });

  // --- Creativity -------------------------------------------------------------------------------------------

  var creativity = document.getElementById("creativity");
  var creativityValue = document.getElementById("creativity-value");
  function describeCreativity() {
    var value = Number(creativity.value);
    var words = value < 0.3 ? "Subtle" : value <= 0.7 ? "Balanced" : "Bold";
    var text = words + " (" + Math.round(value * 100) + "%)";
    creativityValue.textContent = text;
    creativity.setAttribute("aria-valuetext", words + ", " + Math.round(value * 100) + "%");
  }
  creativity.addEventListener("input", describeCreativity);
  describeCreativity();

  // --- Sending ----------------------------------------------------------------------------------------------

  async function formData() {
    var data = new FormData();
    data.append("image", photo);
    data.append("mode", mode());
    if (mode() === "edit") data.append("mask", await editor.toBlob(), "mask.png");
    var style = form.querySelector('input[name="style"]:checked');
    if (style) data.append("style", style.value);
    var reference = form.elements.style_reference;
    if (reference && reference.files.length && !reference.closest("[hidden]")) data.append("style_reference", reference.files[0]);
    ["room_type", "wall_color", "flooring", "prompt", "creativity", "variations", "resolution"].forEach(function (name) {
      var field = form.elements[name];
      if (field.closest("[hidden]")) return; // a choice this mode does not use
      var value = field.value.trim();
      if (value) data.append(name, value);
    });
    data.append("keep_furniture", form.elements.keep_furniture.checked && !form.elements.keep_furniture.closest("[hidden]") ? "true" : "false");
    if (form.elements.quick && form.elements.quick.checked) data.append("quick", "true");
    form.querySelectorAll('input[name="color_palette"]').forEach(function (input) {
      if (input.closest("[hidden]")) return;
      data.append("color_palette", input.value);
    });
    return data;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    clearErrors();
    if (!photo) { showError("image", "Choose a photo of the room first."); return; }
    if (mode() === "edit" && !editor.painted()) { showError("mask", "Paint over the area you want to change."); return; }
    if (mode() === "edit" && !form.elements.prompt.value.trim()) {
      showError("prompt", "Say what the painted area should become, e.g. “a green velvet armchair”.");
      return;
    }
    submit.disabled = true;
    submitStatus.textContent = "Uploading your photo…";
    var result = await window.Restyle.api("POST", form.action, await formData());
    if (result.ok) {
      submitStatus.textContent = "Uploaded. Opening your design…";
      window.location.assign(form.dataset.detailUrl.replace(ANY_ID, result.data.id));
      return;
    }
    submit.disabled = false;
    submitStatus.textContent = "";
    showError(result.data.error.field, result.data.error.message);
  });
})();
