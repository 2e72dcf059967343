/* Idea form: while the title is typed, list similar published ideas in a
   polite live region, so people can support one instead of writing a
   duplicate. The form works the same without this script. */
(function () {
  "use strict";

  // After a refused submission, take keyboard and screen-reader users
  // straight to the list of errors.
  var summary =
    document.getElementById("error-summary") || document.getElementById("form-problem");
  if (summary) {
    summary.focus();
  }

  var form = document.querySelector("form[data-similar-url]");
  if (!form || !window.fetch) {
    return;
  }
  var title = form.querySelector("#title");
  var region = document.getElementById("similar-ideas");
  if (!title || !region) {
    return;
  }
  var endpoint = form.getAttribute("data-similar-url");
  var heading = region.getAttribute("data-heading") || "";
  var newTab = region.getAttribute("data-new-tab") || "";
  var timer = null;
  var lastQuery = null;
  var controller = null;

  function clear() {
    while (region.firstChild) {
      region.removeChild(region.firstChild);
    }
  }

  function show(items) {
    clear();
    if (!items.length) {
      return;
    }
    var intro = document.createElement("p");
    intro.className = "mb-1 fw-semibold";
    intro.textContent = heading;
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      link.target = "_blank";
      link.rel = "noopener";
      if (newTab) {
        var note = document.createElement("span");
        note.className = "visually-hidden";
        note.textContent = " (" + newTab + ")";
        link.appendChild(note);
      }
      entry.appendChild(link);
      list.appendChild(entry);
    });
    region.appendChild(intro);
    region.appendChild(list);
  }

  function lookUp() {
    var query = title.value.trim();
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    if (query.length < 3) {
      show([]);
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var url = endpoint + "?title=" + encodeURIComponent(query);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        return response.ok ? response.json() : { items: [] };
      })
      .then(function (data) {
        if (query === title.value.trim()) {
          show((data && data.items) || []);
        }
      })
      .catch(function () {
        /* Offline or aborted: the form still works without suggestions. */
      });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 350);
  });
  if (title.value.trim().length >= 3) {
    lookUp();
  }
})();
