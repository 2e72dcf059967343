// Moderation pages: progressive enhancement only; every form works without it.
(function () {
  "use strict";

  // A chosen reply template fills the reason box. Text the moderator typed
  // is never overwritten; text a template put there is replaced.
  document.querySelectorAll("[data-reply-template]").forEach(function (select) {
    var form = select.form;
    var reason = form && form.querySelector("[data-reason-target]");
    if (!reason) {
      return;
    }
    var inserted = null;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var body = option ? option.getAttribute("data-body") : null;
      var untouched = reason.value.trim() === "" || reason.value === inserted;
      if (body && untouched) {
        reason.value = body;
        inserted = body;
      } else if (!body && reason.value === inserted) {
        reason.value = "";
        inserted = null;
      }
    });
  });

  // Show the merge and publication fields only for the decision they serve.
  document.querySelectorAll(".decision-form").forEach(function (form) {
    var radios = form.querySelectorAll("input[name='action']");
    var sections = form.querySelectorAll("[data-decision-for]");
    function update() {
      var chosen = form.querySelector("input[name='action']:checked");
      sections.forEach(function (section) {
        var wanted = section.getAttribute("data-decision-for");
        section.hidden = !chosen || chosen.value !== wanted;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });

  // "Select all" for the queue's bulk decisions.
  var items = document.querySelectorAll("[data-bulk-item]");
  var table = document.querySelector(".moderation-queue");
  if (items.length > 1 && table) {
    var cell = table.querySelector("thead th");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.className = "form-check-input";
    box.id = "select-all";
    box.setAttribute("aria-label", document.documentElement.lang === "en" ? "Select all" : "Zaznacz wszystkie");
    box.addEventListener("change", function () {
      items.forEach(function (item) {
        item.checked = box.checked;
      });
    });
    cell.textContent = "";
    cell.appendChild(box);
  }
})();
