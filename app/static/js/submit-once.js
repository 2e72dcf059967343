/* Forms marked data-submit-once: after the first submit the button is
   disabled and says the request is on its way, so a second click cannot
   send it twice. Without this script the form works the same. */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), function (form) {
    var button = form.querySelector("button[type=submit]");
    if (!button) {
      return;
    }
    var label = button.textContent;
    var busy = form.getAttribute("data-submit-once") || label;
    form.addEventListener("submit", function (event) {
      if (button.disabled) {
        event.preventDefault();
        return;
      }
      // Disabled after the submit has started, so the request still goes.
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = busy;
      }, 0);
    });
    // Coming back with the browser's Back button: the form is usable again.
    window.addEventListener("pageshow", function () {
      button.disabled = false;
      button.textContent = label;
    });
  });
})();
