/* Articles: click-to-load video players (the editor's toolbar and live
   preview are in editor.js). Progressive enhancement: without this file the
   video placeholder is a plain link to the video. */
(function () {
  "use strict";

  var ALLOWED_PLAYERS = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)/;

  // Video: nothing is requested from the provider until the reader clicks.
  function loadPlayer(link) {
    var src = link.getAttribute("data-embed-src");
    if (!src || !ALLOWED_PLAYERS.test(src)) {
      return false;
    }
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = link.getAttribute("data-embed-title") || "";
    frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; fullscreen";
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("tabindex", "0");
    link.parentNode.replaceChild(frame, link);
    frame.focus();
    return true;
  }

  document.querySelectorAll("a.video-placeholder[data-embed-src]").forEach(function (link) {
    link.setAttribute("role", "button");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) {
        return; // the reader asked for a new tab: let the link work
      }
      if (loadPlayer(link)) {
        event.preventDefault();
      }
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        loadPlayer(link);
      }
    });
  });
})();
