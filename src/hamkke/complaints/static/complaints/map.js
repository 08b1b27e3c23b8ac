/* Maps of the Smart Complaint Report: the public map of reports (clustered, loaded from
   map.geojson with the page's filters) and the point of one report. Without JavaScript the
   list and the coordinates on the page stand in for them. */
(function () {
  "use strict";

  // The tile server is the deployment's (settings HAMKKE_MAP_TILES), named by the page.
  var tilesMeta = document.querySelector('meta[name="hamkke-map-tiles"]');
  var TILES = tilesMeta ? tilesMeta.content : "";
  var ATTRIBUTION = tilesMeta ? tilesMeta.getAttribute("data-attribution") : "";
  var OPEN = { received: true, accepted: true, in_progress: true, transferred: true, reopened: true };

  function latLng(text) {
    var parts = String(text).split(",");
    return [parseFloat(parts[0]), parseFloat(parts[1])];
  }

  function baseMap(element, centre, zoom) {
    element.hidden = false;
    // Scrolling the page on a phone must not zoom the map by accident.
    var map = L.map(element, { scrollWheelZoom: false }).setView(centre, zoom);
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    return map;
  }

  function colourOf(status) {
    if (status === "resolved" || status === "closed") return "#1d6b35";
    if (status === "rejected" || status === "duplicate") return "#5f6b76";
    return OPEN[status] ? "#0b57a4" : "#8a3b00";
  }

  function popupOf(properties, labels, english) {
    // Built from text nodes: names come from data, never as HTML.
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

  function publicMap(element) {
    var map = baseMap(element, latLng(element.dataset.center), Number(element.dataset.zoom));
    var labelsNode = document.getElementById("status-labels");
    var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
    var english = (document.documentElement.lang || "").indexOf("en") === 0;
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    map.addLayer(cluster);
    fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, where) {
            return L.circleMarker(where, {
              radius: 9, color: "#ffffff", weight: 2, fillOpacity: 0.9,
              fillColor: colourOf(feature.properties.status)
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(popupOf(feature.properties, labels, english));
          }
        });
        cluster.addLayers(layer.getLayers());
        element.dataset.features = String(data.features.length);
        if (data.features.length) {
          map.fitBounds(cluster.getBounds(), { maxZoom: 16, padding: [24, 24] });
        }
      })
      .catch(function () {
        element.dataset.features = "error";
      });
  }

  function pointMap(element) {
    var point = latLng(element.dataset.point);
    var map = baseMap(element, point, 16);
    L.circleMarker(point, { radius: 10, color: "#ffffff", weight: 2, fillColor: "#0b57a4", fillOpacity: 0.9 })
      .addTo(map);
  }

  if (typeof L === "undefined") return;
  var reports = document.getElementById("complaints-map");
  if (reports) publicMap(reports);
  var one = document.getElementById("report-point");
  if (one) pointMap(one);
})();
