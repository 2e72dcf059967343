/* Newsletter editor: the number of recipients of the ticked segments, as
   they are ticked (each person counted once, by the server). */
(function () {
  "use strict";
  var box = document.querySelector("fieldset[data-count-url]");
  var out = document.getElementById("segment-count");
  if (!box || !out) {
    return;
  }
  var form = box.closest("form");
  var token = form ? form.querySelector("input[name=csrf_token]") : null;
  var timer = null;

  function count() {
    var data = new FormData();
    box.querySelectorAll("input[name=segments]:checked").forEach(function (input) {
      data.append("segments", input.value);
    });
    if (token) {
      data.append("csrf_token", token.value);
    }
    fetch(box.getAttribute("data-count-url"), {
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
        out.textContent = payload.text;
      })
      .catch(function () {
        out.textContent = "";
      });
  }

  box.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(count, 250);
  });
  count();
})();
