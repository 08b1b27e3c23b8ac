/* The parking map is the platform's map (core/map.js, data-kind="parking"); this says how a lot
   and a shared spot look on it: a lot green while it has free spots, a spot by its sensor's
   status, and a popup with the numbers. */
(function () {
  "use strict";

  if (!window.HamkkeMap) return;
  var wordsNode = document.getElementById("parking-words");
  var words = wordsNode ? JSON.parse(wordsNode.textContent) : { free: "free" };

  function colourOf(properties) {
    if (properties.kind === "lot") return properties.available > 0 ? "#1d6b35" : "#8a3b00";
    if (properties.status === "free") return "#1d6b35";
    return properties.status === "occupied" ? "#8a3b00" : "#5f6b76";
  }

  function popupOf(feature) {
    // Text nodes only: names come from data, never as HTML.
    var properties = feature.properties;
    var box = document.createElement("div");
    var title = document.createElement(properties.url ? "a" : "strong");
    if (properties.url) title.href = properties.url;
    title.textContent = properties.name;
    var line = document.createElement("div");
    line.textContent =
      properties.kind === "lot"
        ? properties.available + " / " + properties.total + " " + words.free
        : properties.status;
    box.appendChild(title);
    box.appendChild(line);
    return box;
  }

  window.HamkkeMap.kind("parking", {
    style: function (feature) {
      return { fillColor: colourOf(feature.properties) };
    },
    popup: popupOf
  });
})();
