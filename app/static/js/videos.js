/* Videos: our own keyboard-friendly controls (play, captions on and off,
   captions language), chapter links (#t=1m20s), click-to-load external
   players, and the report of a play after a few seconds of watching.
   Without this file the browser's own controls and plain links work. */
(function () {
  "use strict";
  if (window.odkrywkaVideos) {
    return; // included twice on one page
  }
  window.odkrywkaVideos = true;

  var PLAY_AFTER_SECONDS = 3;
  var ALLOWED_PLAYERS = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)/;

  function reportPlay(figure) {
    if (figure.getAttribute("data-play-reported")) {
      return;
    }
    figure.setAttribute("data-play-reported", "1");
    var form = figure.querySelector("form[data-play-form]");
    if (!form || !window.fetch) {
      return;
    }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).catch(function () {});
  }

  function fragmentSeconds(hash) {
    var match = /^#t=(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(hash || "");
    if (match && (match[1] || match[2] || match[3])) {
      return (+match[1] || 0) * 3600 + (+match[2] || 0) * 60 + (+match[3] || 0);
    }
    match = /^#t=(\d+(?:\.\d+)?)$/.exec(hash || "");
    return match ? parseFloat(match[1]) : null;
  }

  function seek(video, seconds) {
    function go() {
      video.currentTime = seconds;
    }
    if (video.readyState >= 1) {
      go();
    } else {
      video.addEventListener("loadedmetadata", go, { once: true });
      video.load();
    }
  }

  function setCaptions(video, lang, on) {
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      track.mode = on && track.language === lang ? "showing" : "hidden";
    }
  }

  function setUpVideo(figure, video) {
    var played = 0;
    var last = null;
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (!video.paused && !video.seeking && last !== null) {
        var step = now - last;
        if (step > 0 && step < 1.5) {
          played += step;
        }
      }
      last = now;
      if (played >= PLAY_AFTER_SECONDS) {
        reportPlay(figure);
      }
    });
    video.addEventListener("seeking", function () {
      last = null;
    });

    var controls = figure.querySelector("[data-video-controls]");
    if (!controls) {
      return;
    }
    controls.hidden = false;
    var playButton = controls.querySelector("[data-action=play]");
    var captionsButton = controls.querySelector("[data-action=captions]");
    var language = controls.querySelector("[data-captions-lang]");
    var lang = language ? language.value : "pl";

    function showState() {
      playButton.textContent = video.paused
        ? playButton.getAttribute("data-label-play")
        : playButton.getAttribute("data-label-pause");
    }
    playButton.addEventListener("click", function () {
      if (video.paused) {
        video.play().catch(function () {});
      } else {
        video.pause();
      }
    });
    video.addEventListener("play", showState);
    video.addEventListener("pause", showState);
    video.addEventListener("ended", showState);

    if (captionsButton) {
      setCaptions(video, lang, true);
      captionsButton.addEventListener("click", function () {
        var on = captionsButton.getAttribute("aria-pressed") !== "true";
        captionsButton.setAttribute("aria-pressed", on ? "true" : "false");
        setCaptions(video, lang, on);
      });
    }
    if (language) {
      language.addEventListener("change", function () {
        lang = language.value;
        captionsButton.setAttribute("aria-pressed", "true");
        setCaptions(video, lang, true);
      });
    }
  }

  function setUpEmbed(figure, link) {
    function load() {
      var src = link.getAttribute("data-embed-src");
      if (!src || !ALLOWED_PLAYERS.test(src) || !link.parentNode) {
        return false;
      }
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = link.getAttribute("data-embed-title") || "";
      frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; fullscreen";
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      link.parentNode.replaceChild(frame, link);
      frame.focus();
      reportPlay(figure); // the click that loads the player is the play
      return true;
    }
    link.setAttribute("role", "button");
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) {
        return;
      }
      if (load()) {
        event.preventDefault();
      }
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        load();
      }
    });
  }

  var players = document.querySelectorAll("[data-video-player]");
  players.forEach(function (figure) {
    var video = figure.querySelector("video");
    var link = figure.querySelector("a[data-embed-src]");
    if (video) {
      setUpVideo(figure, video);
    } else if (link) {
      setUpEmbed(figure, link);
    }
  });

  // Chapter links (#t=1m20s) move the page's first player to that moment.
  function seekToHash() {
    var seconds = fragmentSeconds(window.location.hash);
    var video = document.querySelector("[data-video-player] video");
    if (seconds !== null && video) {
      seek(video, seconds);
    }
  }
  window.addEventListener("hashchange", seekToHash);
  document.querySelectorAll("a[data-seek]").forEach(function (link) {
    link.addEventListener("click", function () {
      if (link.getAttribute("href") === window.location.hash) {
        seekToHash(); // the same chapter again: no hashchange
      }
    });
  });
  seekToHash();
})();
