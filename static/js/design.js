/* The design page: live progress over the WebSocket (polling the API while the socket is down), cancel,
   delete, and the before/after slider with the variations once it is done. */
"use strict";

(function () {
  var root = document.getElementById("design");
  if (!root) return;
  var api = window.Restyle.api;
  var FINAL = ["completed", "failed", "cancelled"];
  var POLL_MS = 2000;
  var state = JSON.parse(document.getElementById("design-state").textContent);

  setUpDelete();
  if (root.dataset.finished === "true") {
    setUpCompare();
    return;
  }

  // --- Live progress ----------------------------------------------------------------------------------------

  var bar = document.getElementById("progress-bar");
  var label = document.getElementById("progress-label");
  var message = document.getElementById("progress-message");
  var eta = document.getElementById("eta");
  var connection = document.getElementById("connection");
  var badge = document.getElementById("status-badge");
  var stages = Array.prototype.slice.call(document.querySelectorAll("#stages li"));
  var placeholder = document.getElementById("preview-placeholder");
  var preview = document.getElementById("live-preview");

  var lastSeq = state.seq;
  var shown = 0; // the bar only ever moves forward, whatever order updates arrive in
  var etaAt = null; // when we expect it to be done, in local time
  var rateFrom = null; // {progress, time}: the first progress we saw, to measure the speed
  var done = false;
  var socket = null;
  var pollTimer = null;
  var reconnectTimer = null;
  var reconnectDelay = 1000;

  function render(update) {
    shown = Math.max(shown, update.progress || 0);
    var percent = Math.round(shown * 100);
    bar.value = percent;
    label.textContent = percent + "%";
    if (update.message) message.textContent = update.message;
    if (update.status) showStage(update.status);
    if (update.preview_url) {
      preview.src = update.preview_url; // a data: URL carried in the event, so nothing is fetched
      preview.hidden = false;
      placeholder.hidden = true;
    }
    estimate(update);
  }

  function showStage(status) {
    var index = stages.findIndex(function (li) { return li.dataset.stage === status; });
    if (index < 0) return;
    stages.forEach(function (li, i) {
      li.classList.toggle("done", i < index);
      li.classList.toggle("current", i === index);
      if (i === index) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    badge.textContent = stages[index].textContent;
    badge.className = "status status-" + status;
  }

  // The server's estimate (snapshots and polls carry one) counts down here; once the design is moving, the
  // speed we measure ourselves is the better guess.
  function estimate(update) {
    var now = Date.now();
    if (typeof update.estimated_time_remaining === "number") etaAt = now + update.estimated_time_remaining * 1000;
    if (update.status && update.status !== "queued" && shown > 0) {
      if (!rateFrom) rateFrom = { progress: shown, time: now };
      var gained = shown - rateFrom.progress;
      if (gained >= 0.05) etaAt = now + (1 - shown) * (now - rateFrom.time) / gained;
    }
    tick();
  }

  function tick() {
    if (done) return;
    if (etaAt === null) { eta.textContent = "Estimating the time left…"; return; }
    var seconds = (etaAt - Date.now()) / 1000;
    eta.textContent = seconds >= 1 ? "About " + window.Restyle.formatSeconds(seconds) + " left." : "Almost done…";
  }

  function handle(event) {
    if (done || !event || event.type === "pong") return;
    var final = FINAL.indexOf(event.type) >= 0 || FINAL.indexOf(event.status) >= 0;
    // Events can arrive late or twice (socket and poll): anything not newer than what we showed is stale.
    // A final event is the full state from the database, so it always counts.
    if (!final && typeof event.seq === "number" && event.seq <= lastSeq) return;
    if (typeof event.seq === "number") lastSeq = Math.max(lastSeq, event.seq);
    if (final) finish(event); else render(event);
  }

  function finish(event) {
    done = true;
    render(event);
    if (event.status === "completed") { bar.value = 100; label.textContent = "100%"; }
    eta.textContent = "";
    message.textContent = event.status === "completed" ? "Done! Loading your design…" : "This design " + event.status + ".";
    stopPolling();
    clearTimeout(reconnectTimer);
    if (socket) socket.close();
    // The finished page is rendered by the server: results, slider, facts. Replace, so Back skips the progress view.
    window.location.replace(window.location.href);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    socket.onopen = function () {
      setConnection("live", "Live updates on");
      stopPolling();
    };
    socket.onmessage = function (message) {
      // Only a socket that delivers counts as live: one the server accepts and closes at once (4429, too many
      // sockets) must not bring the retry delay back down.
      reconnectDelay = 1000;
      try { handle(JSON.parse(message.data)); } catch (err) { /* a malformed hint: the next event or poll fixes it */ }
    };
    socket.onclose = function (event) {
      socket = null;
      if (done) return;
      if (event.code === 4404) { startPolling(); return; }  // gone or not ours: polling says which, once
      setConnection("polling", "Reconnecting… checking every few seconds");
      startPolling();
      reconnectTimer = setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 30000);
    };
  }

  function setConnection(kind, text) {
    connection.dataset.state = kind;
    connection.textContent = text;
  }

  async function poll() {
    var result = await api("GET", root.dataset.apiUrl);
    if (result.ok) handle(result.data);
    else if (result.status === 404) {
      done = true;
      stopPolling();
      message.textContent = "This design no longer exists.";
    }
  }

  function startPolling() {
    if (!pollTimer) { poll(); pollTimer = setInterval(poll, POLL_MS); }
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  // Exposed for the end-to-end tests, which cut the socket to check that polling takes over.
  window.RestyleDesign = { dropSocket: function () { if (socket) socket.close(); } };

  document.getElementById("cancel").addEventListener("click", async function (event) {
    var button = event.target;
    var error = document.getElementById("cancel-error");
    button.disabled = true;
    var result = await api("POST", root.dataset.cancelUrl);
    if (result.ok || result.status === 409) { handle({ type: result.data.status || "cancelled", ...result.data }); return; }
    button.disabled = false;
    error.textContent = result.data.error.message;
    error.hidden = false;
  });

  render(state);
  setInterval(tick, 1000);
  connect();

  // --- Finished: before/after and variations -------------------------------------------------------------

  function setUpCompare() {
    var compare = document.getElementById("compare");
    if (!compare) return;
    var range = document.getElementById("compare-range");
    var after = document.getElementById("compare-after");
    var download = document.getElementById("download-current");
    function move() {
      var value = Number(range.value);
      compare.style.setProperty("--pos", value + "%");
      range.setAttribute("aria-valuetext", value === 50 ? "Divider in the middle" :
        value + "% before on the left, " + (100 - value) + "% after on the right");
    }
    range.addEventListener("input", move);
    move();
    document.querySelectorAll(".variation").forEach(function (button) {
      button.addEventListener("click", function () {
        after.src = button.dataset.url;
        after.alt = after.alt.replace(/variation \d+$/, "variation " + button.dataset.number);
        download.href = button.dataset.url;
        download.setAttribute("download", download.getAttribute("download").replace(/-\d+\.jpg$/, "-" + button.dataset.number + ".jpg"));
        document.querySelectorAll(".variation").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        compare.scrollIntoView({ block: "nearest" });
      });
    });
  }

  // --- Delete -----------------------------------------------------------------------------------------------

  function setUpDelete() {
    var ask = document.getElementById("delete");
    var confirmBox = document.getElementById("delete-confirm");
    var error = document.getElementById("delete-error");
    function toggle(open) {
      confirmBox.hidden = !open;
      ask.setAttribute("aria-expanded", String(open));
      (open ? document.getElementById("delete-no") : ask).focus();
    }
    ask.addEventListener("click", function () { toggle(confirmBox.hidden); });
    document.getElementById("delete-no").addEventListener("click", function () { toggle(false); });
    document.getElementById("delete-yes").addEventListener("click", async function (event) {
      event.target.disabled = true;
      var result = await api("DELETE", root.dataset.apiUrl);
      if (result.ok || result.status === 404) {
        done = true;
        window.location.assign(root.dataset.historyUrl + "?deleted=1");
        return;
      }
      event.target.disabled = false;
      error.textContent = result.data.error.message;
      error.hidden = false;
    });
  }
})();
