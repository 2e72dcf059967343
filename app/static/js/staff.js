// The staff menu: folded on a phone so the page's own content comes first,
// always open on a wide screen (its summary is hidden there).
(function () {
  "use strict";
  var nav = document.querySelector("details.staff-nav");
  if (!nav || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 992px)");
  function fit() {
    nav.open = wide.matches;
  }
  fit();
  wide.addEventListener("change", fit);
})();

// A table wider than the screen scrolls inside its box; the box then takes
// keyboard focus (arrow keys scroll it) and is named after its table.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".table-responsive");
  function mark() {
    boxes.forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) {
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
