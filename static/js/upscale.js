/* The design page's "Print size" card: ask for an upscale, follow it (polling its API state), cancel it,
   download it. The design's WebSocket carries the same states as "upscale" events for API clients. */
"use strict";

(function () {
  var card = document.getElementById("upscale");
  if (!card) return;
  var api = window.Restyle.api;
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var FINAL = ["completed", "failed", "cancelled"];
  var list = document.getElementById("upscale-list");
  var form = document.getElementById("upscale-form");
  var error = document.getElementById("upscale-error");
  var state = JSON.parse(document.getElementById("design-state").textContent);
  var items = {};

  (state.upscales || []).forEach(function (upscale) { show(upscale); follow(upscale); });

  if (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      error.hidden = true;
      var button = document.getElementById("upscale-submit");
      button.disabled = true;
      var body = new FormData();
      body.append("factor", document.getElementById("upscale-factor").value);
      var index = document.getElementById("upscale-result").value;
      var url = card.dataset.createUrl.replace(/\/0\/upscale\/$/, "/" + index + "/upscale/");
      var result = await api("POST", url, body);
      button.disabled = false;
      if (!result.ok) {
        error.textContent = result.data.error.message;
        error.hidden = false;
        return;
      }
      show(result.data);
      follow(result.data);
    });
  }

  function show(upscale) {
    var item = items[upscale.id];
    if (!item) {
      item = document.createElement("li");
      item.className = "upscale-item";
      item.dataset.id = upscale.id;
      list.appendChild(item);
      items[upscale.id] = item;
    }
    item.dataset.status = upscale.status;
    item.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "Variation " + (upscale.result_index + 1) + ", " + upscale.factor + "×";
    item.appendChild(title);
    item.appendChild(document.createTextNode(" · "));
    if (upscale.status === "completed") {
      var link = document.createElement("a");
      link.href = upscale.url;
      link.className = "button";
      link.setAttribute("download", "restyle-" + state.style + "-" + (upscale.result_index + 1) + "-" + upscale.factor + "x.jpg");
      link.textContent = "Download " + upscale.width + " × " + upscale.height + " px";
      item.appendChild(link);
      return;
    }
    if (FINAL.indexOf(upscale.status) >= 0) {
      item.appendChild(document.createTextNode(upscale.error ? upscale.error.message : "Cancelled; the image was given back."));
      return;
    }
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = Math.round(upscale.progress * 100);
    bar.setAttribute("aria-label", "Upscale progress");
    item.appendChild(bar);
    item.appendChild(document.createTextNode(" " + (upscale.message || upscale.status) + " "));
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", async function () {
      cancel.disabled = true;
      var result = await api("POST", card.dataset.cancelUrl.replace(PLACEHOLDER, upscale.id));
      if (result.ok) show(result.data);
    });
    item.appendChild(cancel);
  }

  function follow(upscale) {
    if (FINAL.indexOf(upscale.status) >= 0) return;
    setTimeout(async function () {
      var result = await api("GET", card.dataset.detailUrl.replace(PLACEHOLDER, upscale.id));
      var next = result.ok ? result.data : upscale;
      var item = items[upscale.id];
      if (item && FINAL.indexOf(item.dataset.status) >= 0) return; // cancelled here meanwhile
      show(next);
      follow(next);
    }, 1000);
  }
})();
