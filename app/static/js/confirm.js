// Destructive staff actions: a form marked data-confirm asks its question in
// a dialog before it is sent; a "yes" sends it with confirm=y, so the server
// skips its own confirmation page (which is what a browser without
// JavaScript gets). data-confirm-when="field=value1,value2" asks only when
// that field has one of those values (the moderation decision's reject or
// merge); data-confirm-needs="a,b" only when one of those fields is filled
// in (a decision without a reason is refused by the server anyway).
(function () {
  "use strict";
  function filled(form) {
    var needs = form.getAttribute("data-confirm-needs");
    if (!needs) {
      return true;
    }
    return needs.split(",").some(function (name) {
      var field = form.elements[name];
      return field && typeof field.value === "string" && field.value.trim() !== "";
    });
  }
  function applies(form) {
    if (!filled(form)) {
      return false;
    }
    var when = form.getAttribute("data-confirm-when");
    if (!when) {
      return true;
    }
    var parts = when.split("=");
    var field = form.elements[parts[0]];
    var value = field ? field.value : "";
    if (field && field.length && !field.tagName) {
      Array.prototype.forEach.call(field, function (input) {
        if (input.checked) {
          value = input.value;
        }
      });
    }
    return parts[1].split(",").indexOf(value) !== -1;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm") || !applies(form)) {
      return;
    }
    if (form.querySelector("input[name=confirm]")) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "confirm";
    input.value = "y";
    form.appendChild(input);
  });
})();
