/* The project page: every photo's latest design, followed by polling the v1 project API (one request for the
   whole grid) until none is running. The page's forms (apply to all, re-roll) post without JavaScript. */
"use strict";

(function () {
  var grid = document.getElementById("project-grid");
  if (!grid) return;
  var POLL_MS = 1500;
  var FINISHED = ["completed", "failed", "cancelled"];

  function running(state) {
    return state.photos.some(function (photo) { return photo.design && FINISHED.indexOf(photo.design.status) < 0; });
  }

  function show(state) {
    state.photos.forEach(function (photo) {
      var item = grid.querySelector('[data-photo-id="' + photo.id + '"]');
      if (!item || !photo.design) return;
      var design = photo.design;
      item.dataset.status = design.status;
      item.querySelector(".status").textContent = design.status;
      item.querySelector(".status").className = "status status-" + design.status;
      item.querySelector("progress").value = design.progress;
      item.querySelector(".pair-message").textContent = design.message || "Waiting in line";
      item.querySelector(".pair-seed").textContent = photo.seed;
      var after = item.querySelector(".after-image");
      if (design.results.length) {
        if (after.getAttribute("src") !== design.results[0].url) after.src = design.results[0].url;
        after.hidden = false;
      }
      item.querySelector(".after-progress").hidden = design.status === "completed";
    });
    if (state.reference_url) {
      document.getElementById("project-reference").textContent = "style reference taken from the first accepted result";
    }
  }

  async function poll() {
    try {
      var response = await fetch(grid.dataset.apiUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      var state = await response.json();
      show(state);
      if (!running(state)) { clearInterval(timer); grid.dataset.live = "done"; }
    } catch (err) { /* a network blip: the next poll tries again */ }
  }

  var timer = setInterval(poll, POLL_MS);
  poll();
})();
