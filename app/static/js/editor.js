/* Staff editors: the Markdown toolbar and the live preview.
   A text area with data-preview-url (and data-preview-target, the id of the
   box) is rendered by the server as readers will see it, a moment after
   each change; a toolbar with data-markdown-for formats its text area. */
(function () {
  "use strict";

  // --- the toolbar --------------------------------------------------------
  function wrap(area, before, after, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd;
    var chosen = area.value.slice(start, end) || placeholder || "";
    area.setRangeText(before + chosen + after, start, end, "end");
    area.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  function prefixLines(area, prefix) {
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var end = area.selectionEnd;
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, index) {
      return (typeof prefix === "function" ? prefix(index) : prefix) + line;
    }).join("\n");
    area.setRangeText(text, start, end, "select");
  }

  var ACTIONS = {
    bold: function (area) { wrap(area, "**", "**"); },
    italic: function (area) { wrap(area, "_", "_"); },
    heading: function (area) { prefixLines(area, "## "); },
    list: function (area) { prefixLines(area, "- "); },
    numbered: function (area) { prefixLines(area, function (i) { return (i + 1) + ". "; }); },
    quote: function (area) { prefixLines(area, "> "); },
    link: function (area, button) {
      wrap(area, "[", "](https://)", button.getAttribute("data-md-text"));
    }
  };

  document.querySelectorAll("[data-markdown-for]").forEach(function (toolbar) {
    var area = document.getElementById(toolbar.getAttribute("data-markdown-for"));
    if (!area || typeof area.setRangeText !== "function") {
      return;
    }
    area.parentNode.insertBefore(toolbar, area);
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) {
        return;
      }
      ACTIONS[button.getAttribute("data-md")](area, button);
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // --- the live preview ---------------------------------------------------
  document.querySelectorAll("textarea[data-preview-url]").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-preview-target") || "live-preview");
    if (!target) {
      return;
    }
    var box = target.closest("[data-live-preview]");
    var status = box ? box.querySelector("[data-preview-status]") : null;
    var form = area.form;
    var tokenField = form ? form.querySelector("input[name$=csrf_token]") : null;
    var timer = null;
    var lastSent = null;

    function render() {
      var text = area.value;
      if (text === lastSent) {
        return;
      }
      lastSent = text;
      var data = new FormData();
      data.append("body", text);
      if (tokenField) {
        data.append("csrf_token", tokenField.value);
      }
      fetch(area.getAttribute("data-preview-url"), {
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

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, 400);
    });
    if (box) {
      box.hidden = false;
    }
    render();
  });
})();
