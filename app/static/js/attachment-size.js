/* A file input with data-max-bytes: a file over the limit is refused as soon
   as it is chosen, before anything is sent, with the message at the field
   (announced through a live region). The server checks the size again. */
(function () {
  "use strict";

  function humanSize(bytes) {
    var mb = bytes / (1024 * 1024);
    if (mb >= 1) {
      return (Math.round(mb * 10) / 10).toString().replace(".", ",") + " MB";
    }
    return Math.ceil(bytes / 1024) + " kB";
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("input[type=file][data-max-bytes]"),
    function (input) {
      var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
      var template = input.getAttribute("data-too-large") || "";
      var region = document.createElement("div");
      region.id = input.id + "-size-error";
      region.className = "invalid-feedback d-block";
      region.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", region);
      var described = (input.getAttribute("aria-describedby") || "").trim();

      function check() {
        var file = input.files && input.files[0];
        if (file && file.size > limit) {
          region.textContent = template
            .replace("{name}", file.name)
            .replace("{size}", humanSize(file.size));
          input.value = "";
          input.classList.add("is-invalid");
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", (described + " " + region.id).trim());
          return false;
        }
        if (file) {
          region.textContent = "";
          input.classList.remove("is-invalid");
          input.removeAttribute("aria-invalid");
          if (described) {
            input.setAttribute("aria-describedby", described);
          } else {
            input.removeAttribute("aria-describedby");
          }
        }
        return true;
      }

      input.addEventListener("change", check);
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          if (!check()) {
            event.preventDefault();
            input.focus();
          }
        });
      }
    }
  );
})();
