/* The Smart Districts map is the platform's map (core/map.js, data-kind="iot"); this says how an
   asset looks on it: a parking spot green when free and red when taken, a lot blue with its free
   spots, a bin from green to red as it fills, a no-parking zone purple, red while a vehicle is
   in it; grey without a reading. Texts come translated in the JSON island #iot-labels. */
(function () {
  "use strict";

  if (!window.HamkkeMap) return;
  var node = document.getElementById("iot-labels");
  var labels = node ? JSON.parse(node.textContent) : {};
  var GREY = "#5f6b76";

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function percent(share) {
    return Math.round(share * 100) + "%";
  }

  function colourOf(p) {
    if (p.kind === "OffStreetParking") return p.availableSpotNumber > 0 ? "#0b57a4" : "#8a1c1c";
    if (p.kind === "WasteContainer") {
      if (typeof p.fillingLevel !== "number") return GREY;
      return p.fillingLevel >= 0.8 ? "#b3261e" : p.fillingLevel >= 0.5 ? "#a36100" : "#1d6b35";
    }
    if (p.status === "occupied") return p.kind === "NoParkingZone" ? "#b3124e" : "#b3261e";
    if (p.status === "free") return p.kind === "NoParkingZone" ? "#6a3d9a" : "#1d6b35";
    return GREY;
  }

  function stateOf(p) {
    if (p.kind === "OffStreetParking") {
      return format(labels.lot, { free: p.availableSpotNumber, total: p.totalSpotNumber });
    }
    if (p.kind === "WasteContainer") {
      return typeof p.fillingLevel === "number" ? format(labels.full, { percent: percent(p.fillingLevel) }) : labels.none;
    }
    if (p.kind === "NoParkingZone" && p.status) return p.status === "occupied" ? labels.parked : labels.clear;
    return p.status ? (labels.status || {})[p.status] || p.status : labels.none;
  }

  function popupOf(feature) {
    // Text nodes only: names come from data, never as HTML.
    var p = feature.properties || {};
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    var kind = document.createElement("div");
    kind.textContent = (labels.kinds || {})[p.kind] || p.kind;
    var state = document.createElement("div");
    state.className = "iot-popup-state";
    state.textContent = stateOf(p);
    box.appendChild(link);
    box.appendChild(kind);
    box.appendChild(state);
    return box;
  }

  window.HamkkeMap.kind("iot", {
    style: function (feature) {
      var p = feature.properties || {};
      return { fillColor: colourOf(p), radius: p.kind === "OffStreetParking" ? 12 : 7 };
    },
    popup: popupOf
  });
})();
