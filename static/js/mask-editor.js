/* The mask editor: paint and erase over a photo with an adjustable brush, undo, and "select furniture" from the
   boxes a design found. Pointer events, so a mouse, a pen and a finger on a phone all paint. The mask is the
   canvas's alpha (opaque = change), uploaded as a PNG at the photo's own size (or its shape scaled down). */
"use strict";

window.Restyle = window.Restyle || {};
window.Restyle.MaskEditor = function (root, options) {
  var MAX_SIDE = 2048; // a larger photo gets a mask of its shape, scaled (the API accepts that)
  var UNDO_DEPTH = 30;
  var canvas = root.querySelector("canvas");
  var photo = root.querySelector(".mask-photo");
  var brush = root.querySelector('[name="mask-brush"]');
  var brushValue = root.querySelector(".mask-brush-value");
  var undoButton = root.querySelector('[data-action="undo"]');
  var clearButton = root.querySelector('[data-action="clear"]');
  var furnitureButton = root.querySelector('[data-action="furniture"]');
  var status = root.querySelector(".mask-status");
  var context = canvas.getContext("2d");
  var tool = "paint";
  var history = [];
  var last = null;
  var furniture = (options && options.furniture) || []; // [{label, box: [x1, y1, x2, y2]}] in reference pixels
  var referenceWidth = (options && options.referenceWidth) || 0;

  function scale() { return canvas.width / canvas.getBoundingClientRect().width; }

  function setTool(name) {
    tool = name;
    root.querySelectorAll("[data-tool]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.tool === name ? "true" : "false");
    });
  }

  function remember() {
    history.push(context.getImageData(0, 0, canvas.width, canvas.height));
    if (history.length > UNDO_DEPTH) history.shift();
    undoButton.disabled = false;
  }

  function painted() {
    var alpha = context.getImageData(0, 0, canvas.width, canvas.height).data;
    var count = 0;
    for (var i = 3; i < alpha.length; i += 4) if (alpha[i] >= 128) count++;
    return count / (canvas.width * canvas.height);
  }

  function report() {
    var share = painted();
    status.textContent = share ? "Painted: " + Math.max(1, Math.round(share * 100)) + "% of the photo." : "Nothing painted yet.";
    clearButton.disabled = share === 0;
    root.dispatchEvent(new CustomEvent("maskchange", { detail: { share: share } }));
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * scale(), y: (event.clientY - rect.top) * scale() };
  }

  function stroke(from, to) {
    context.globalCompositeOperation = tool === "erase" ? "destination-out" : "source-over";
    context.strokeStyle = context.fillStyle = "#ff2f6d";
    context.lineCap = context.lineJoin = "round";
    context.lineWidth = Number(brush.value) * scale();
    context.beginPath();
    // A dot first: a tap on a phone moves nowhere, and a zero-length line may draw nothing.
    context.arc(from.x, from.y, context.lineWidth / 2, 0, 2 * Math.PI);
    context.fill();
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    remember();
    last = point(event);
    stroke(last, last);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!last) return;
    var next = point(event);
    stroke(last, next);
    last = next;
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    canvas.addEventListener(name, function () { if (last) { last = null; report(); } });
  });

  root.querySelectorAll("[data-tool]").forEach(function (button) {
    button.addEventListener("click", function () { setTool(button.dataset.tool); });
  });
  function describeBrush() { brushValue.textContent = brush.value + " px"; }
  brush.addEventListener("input", describeBrush);
  undoButton.addEventListener("click", function () {
    if (!history.length) return;
    context.putImageData(history.pop(), 0, 0);
    undoButton.disabled = history.length === 0;
    report();
  });
  clearButton.addEventListener("click", function () {
    remember();
    context.clearRect(0, 0, canvas.width, canvas.height);
    report();
  });
  if (furnitureButton) {
    furnitureButton.hidden = !furniture.length || !referenceWidth;
    furnitureButton.addEventListener("click", function () {
      remember();
      var factor = canvas.width / referenceWidth;
      context.globalCompositeOperation = "source-over";
      context.fillStyle = "#ff2f6d";
      furniture.forEach(function (item) {
        var b = item.box;
        context.fillRect(b[0] * factor, b[1] * factor, (b[2] - b[0]) * factor, (b[3] - b[1]) * factor);
      });
      report();
    });
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      photo.onload = function () {
        var ratio = Math.min(1, MAX_SIDE / Math.max(photo.naturalWidth, photo.naturalHeight));
        canvas.width = Math.round(photo.naturalWidth * ratio);
        canvas.height = Math.round(photo.naturalHeight * ratio);
        context.clearRect(0, 0, canvas.width, canvas.height);
        history = [];
        undoButton.disabled = true;
        report();
        resolve();
      };
      photo.onerror = reject;
      photo.src = src;
    });
  }

  // The PNG to upload: opaque where painted, transparent elsewhere (the API reads the alpha channel).
  function toBlob() {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
  }

  describeBrush();
  setTool("paint");
  return { load: load, toBlob: toBlob, painted: painted };
};
