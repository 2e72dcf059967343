/* An article's related ideas, chosen by title: results appear while typing,
   "Dodaj" puts an idea on the list and "Usuń" takes it off; the number list
   the form sends is kept in step (and hidden). Without this file the page
   has a search button and boxes to tick. */
(function () {
  "use strict";
  var box = document.querySelector("[data-related-ideas]");
  if (!box || !window.fetch) {
    return;
  }
  var idsWrapper = box.querySelector("[data-ids-field]");
  var ids = idsWrapper.querySelector("input");
  var query = box.querySelector("input[name=idea_query]");
  var finder = box.querySelector("[data-find-ideas]");
  var chosen = box.querySelector("[data-chosen]");
  var results = box.querySelector("[data-results]");
  var timer = null;

  function chosenIds() {
    return Array.prototype.map.call(chosen.querySelectorAll("li[data-id]"), function (li) {
      return li.getAttribute("data-id");
    });
  }

  function sync() {
    ids.value = chosenIds().join(", ");
  }

  function removeButton(li, title) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm text-danger p-0 ms-2";
    button.textContent = chosen.getAttribute("data-remove-label");
    button.setAttribute("aria-label", chosen.getAttribute("data-remove-label") + ": " + title);
    button.addEventListener("click", function () {
      li.remove();
      sync();
      query.focus();
    });
    li.appendChild(button);
  }

  function add(idea) {
    if (chosenIds().indexOf(String(idea.id)) !== -1) {
      return;
    }
    var li = document.createElement("li");
    li.setAttribute("data-id", String(idea.id));
    var badge = document.createElement("span");
    badge.className = "badge text-bg-light";
    badge.textContent = "nr " + idea.id;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" " + idea.title));
    removeButton(li, idea.title);
    chosen.appendChild(li);
    sync();
  }

  function show(items) {
    results.textContent = "";
    if (!items.length) {
      var none = document.createElement("p");
      none.className = "small";
      none.textContent = results.getAttribute("data-none");
      results.appendChild(none);
      return;
    }
    var list = document.createElement("ul");
    list.className = "list-unstyled";
    items.forEach(function (idea) {
      var li = document.createElement("li");
      li.className = "mb-1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-primary btn-sm me-2";
      button.textContent = results.getAttribute("data-add-label");
      button.setAttribute("aria-label", results.getAttribute("data-add-label") + ": " + idea.title);
      button.addEventListener("click", function () {
        add(idea);
        li.remove();
      });
      li.appendChild(button);
      li.appendChild(document.createTextNode("nr " + idea.id + " – " + idea.title));
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  function search() {
    var text = query.value.trim();
    if (!text) {
      results.textContent = "";
      return;
    }
    fetch(box.getAttribute("data-search-url") + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (payload) { show(payload.items || []); })
      .catch(function () { /* the search button still works */ });
  }

  chosen.querySelectorAll("li[data-id]").forEach(function (li) {
    removeButton(li, li.textContent.trim());
  });
  idsWrapper.hidden = true;
  if (finder) {
    finder.hidden = true;
  }
  query.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 300);
  });
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches, it does not save the article
      window.clearTimeout(timer);
      search();
    }
  });
})();
