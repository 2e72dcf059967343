/* Articles: click-to-load video players and the editor's live preview.
   Progressive enhancement: without this file the video placeholder is a
   plain link to the video and the editor has a "Preview" button. */
(function () {
  "use strict";

  var ALLOWED_PLAYERS = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)/;

  // Video: nothing is requested from the provider until the reader clicks.
  function loadPlayer(link) {
    var src = link.getAttribute("data-embed-src");
    if (!src || !ALLOWED_PLAYERS.test(src)) {
      return false;
    }
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = link.getAttribute("data-embed-title") || "";
    frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; fullscreen";
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("tabindex", "0");
    link.parentNode.replaceChild(frame, link);
    frame.focus();
    return true;
  }

  document.querySelectorAll("a.video-placeholder[data-embed-src]").forEach(function (link) {
    link.setAttribute("role", "button");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) {
        return; // the reader asked for a new tab: let the link work
      }
      if (loadPlayer(link)) {
        event.preventDefault();
      }
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        loadPlayer(link);
      }
    });
  });

  // Live preview of the Markdown body in the editor.
  var body = document.querySelector("textarea[data-preview-url]");
  var target = document.getElementById("live-preview");
  if (!body || !target) {
    return;
  }
  var form = body.form;
  var tokenField = form ? form.querySelector("input[name=csrf_token]") : null;
  var timer = null;
  var lastSent = null;
  var status = document.getElementById("live-preview-status");

  function render() {
    var text = body.value;
    if (text === lastSent) {
      return;
    }
    lastSent = text;
    var data = new FormData();
    data.append("body", text);
    if (tokenField) {
      data.append("csrf_token", tokenField.value);
    }
    fetch(body.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (payload) {
        // The server rendered and sanitised it (markdown-it + nh3 allowlist).
        target.innerHTML = payload.html;
        if (status) {
          status.textContent = status.getAttribute("data-ok") || "";
        }
      })
      .catch(function () {
        lastSent = null;
        if (status) {
          status.textContent = status.getAttribute("data-failed") || "";
        }
      });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(render, 400);
  });
  target.closest("[data-live-preview]").hidden = false;
  render();
})();
