/* Shared helpers for the dashboard's pages: calling our JSON API with the session and CSRF token. */
"use strict";

window.Restyle = (function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Every API error has one shape: {"error": {"code", "message", "field"}}. Network failures get the same shape.
  async function api(method, url, body) {
    var headers = { "X-CSRFToken": csrfToken(), "Accept": "application/json" };
    var response;
    try {
      response = await fetch(url, { method: method, body: body, headers: headers, credentials: "same-origin" });
    } catch (err) {
      return { ok: false, status: 0, data: { error: { code: "network", field: null,
        message: "Could not reach Restyle. Check your connection and try again." } } };
    }
    var data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    if (!response.ok && !(data && data.error)) {
      data = { error: { code: "http_" + response.status, field: null,
        message: "Something went wrong (" + response.status + "). Please try again." } };
    }
    return { ok: response.ok, status: response.status, data: data };
  }

  function formatSeconds(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    return minutes + " min " + (seconds % 60) + " s";
  }

  return { api: api, csrfToken: csrfToken, formatSeconds: formatSeconds };
})();
