/* The public map of reports is the platform's map (core/map.js, data-kind="complaints"); this
   says how a report looks on it: its colour by status, and a popup with its category, status,
   date and tracking number. */
(function () {
  "use strict";

  if (!window.HamkkeMap) return;
  var OPEN = { received: true, accepted: true, in_progress: true, transferred: true, reopened: true };
  var labelsNode = document.getElementById("status-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var english = (document.documentElement.lang || "").indexOf("en") === 0;

  function colourOf(status) {
    if (status === "resolved" || status === "closed") return "#1d6b35";
    if (status === "rejected" || status === "duplicate") return "#5f6b76";
    return OPEN[status] ? "#0b57a4" : "#8a3b00";
  }

  function popupOf(feature) {
    // Built from text nodes: names come from data, never as HTML.
    var properties = feature.properties;
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = (english && properties.category_name_en) || properties.category_name;
    var line = document.createElement("div");
    line.textContent = (labels[properties.status] || properties.status) + " · " +
      String(properties.created_at).slice(0, 10);
    var number = document.createElement("div");
    number.className = "tracking-number";
    number.textContent = properties.tracking_number;
    box.appendChild(link);
    box.appendChild(line);
    box.appendChild(number);
    return box;
  }

  window.HamkkeMap.kind("complaints", {
    style: function (feature) {
      return { fillColor: colourOf(feature.properties.status) };
    },
    popup: popupOf
  });
})();
