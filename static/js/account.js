/* Account page: the quota's reset time in the reader's own time zone, and copying a new token. */
"use strict";

(function () {
  var reset = document.getElementById("quota-reset");
  if (reset) {
    var at = new Date(reset.getAttribute("datetime"));
    if (!isNaN(at)) {
      var minutes = Math.max(0, Math.round((at - Date.now()) / 60000));
      var local = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      document.getElementById("quota-reset-local").textContent =
        " (" + local + " your time, in " + Math.floor(minutes / 60) + " h " + (minutes % 60) + " min)";
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var input = document.getElementById(button.dataset.copy);
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = "Copied";
      } catch (err) {
        button.textContent = "Press Ctrl+C to copy"; // the text is selected; some browsers block the clipboard API
      }
    });
  });
})();
