// A meeting's chapter list seeks its video player: a click on a chapter moves the player to
// the chapter's start and plays. Without this script each chapter links to the video file at
// its moment (#t=seconds), which browsers' own players honour.
(function () {
  "use strict";
  document.querySelectorAll("ol.chapters[data-player]").forEach(function (list) {
    var player = document.getElementById(list.getAttribute("data-player"));
    if (!player) {
      return;
    }
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-seek]");
      if (!link) {
        return;
      }
      var seconds = Number(link.getAttribute("data-seek"));
      if (!Number.isFinite(seconds)) {
        return;
      }
      event.preventDefault();
      player.currentTime = seconds;
      player.focus();
      var playing = player.play();
      if (playing && playing.catch) {
        playing.catch(function () {}); // autoplay refused: the player stays at the chapter
      }
    });
  });
})();
