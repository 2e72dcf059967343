// Destructive staff actions: a form marked data-confirm asks its question in
// a dialog before it is sent; a "yes" sends it with confirm=y, so the server
// skips its own confirmation page (which is what a browser without
// JavaScript gets). data-confirm-when="field=value1,value2" asks only when
// that field has one of those values (the moderation decision's reject/merge).
(function () {
  "use strict";
  function applies(form) {
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
