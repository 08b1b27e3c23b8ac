/* The places' pages on the platform's map (core/map.js, whose HamkkeMap.of(element) gives the
   Leaflet map of an element with data-map). Every page works without this script: the lists,
   the near-me form and the planner are plain HTML.

   - data-places-layers="<JSON island id>" on the map page: each layer's GeoJSON address (the
     API's /api/v1/places/layers/{layer}.geojson with the page's filters) and whether it is shown;
     the checkboxes input[data-layer] of the filter form show and hide them at once. A drawn
     layer sets data-drawn-<layer> on the map element to its number of features ("error" when
     it could not be loaded). Events already over are left out; access points are clustered.
   - data-places-line="<JSON island id>": a walk ({stops: [{name, lat, lon}]}) drawn as a line
     with its stops numbered (a route, a planned walk); sets data-drawn-line.
   - data-places-coverage="<url>": the covered area (a GeoJSON Feature); sets data-drawn-coverage.
   - button[data-locate="<form id>"]: the browser's location fills the form's latitude and
     longitude and sends it (shown only where the browser can locate).
   Texts come translated in the JSON island #places-messages. */
(function () {
  "use strict";

  var COLOURS = {
    "wifi-sites": "#0b57a4",
    "wifi-aps": "#3f7fc4",
    chargers: "#1d6b35",
    facilities: "#6a3d9a",
    events: "#a34700",
    routes: "#b3124e"
  };
  var english = (document.documentElement.lang || "").indexOf("en") === 0;

  function island(id) {
    var node = id ? document.getElementById(id) : null;
    return node ? JSON.parse(node.textContent) : {};
  }

  var texts = island("places-messages");

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }
    );
  }

  function mapOf(element) {
    return window.HamkkeMap && window.L ? window.HamkkeMap.of(element).map : null;
  }

  // --- the map page's layers ---------------------------------------------------------------

  function popupOf(feature) {
    // Text nodes only: names come from data, never as HTML.
    var properties = feature.properties || {};
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = (english && properties.name_en) || properties.name;
    box.appendChild(link);
    if (properties.open_now === true || properties.open_now === false) {
      var state = document.createElement("div");
      state.textContent = properties.open_now ? texts.openNow : texts.closedNow;
      box.appendChild(state);
    }
    return box;
  }

  function drawLayer(entry, data) {
    var now = Date.now();
    var features = (data.features || []).filter(function (feature) {
      return entry.layer !== "events" || Date.parse(feature.properties.ends_at) >= now;
    });
    var colour = COLOURS[entry.layer] || "#0b57a4";
    var geo = L.geoJSON(
      { type: "FeatureCollection", features: features },
      {
        pointToLayer: function (feature, where) {
          return L.circleMarker(where, {
            radius: 8, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.9,
            className: "places-point places-" + entry.layer
          });
        },
        style: function () {
          return { color: colour, weight: 4, opacity: 0.85, className: "places-line places-" + entry.layer };
        },
        onEachFeature: function (feature, layer) {
          layer.bindPopup(popupOf(feature));
        }
      }
    );
    var clustered = entry.cluster && L.markerClusterGroup;
    var group = clustered
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 })
      : L.featureGroup();
    if (group.addLayers) {
      group.addLayers(geo.getLayers());
    } else {
      geo.getLayers().forEach(function (layer) {
        group.addLayer(layer);
      });
    }
    return { group: group, count: features.length };
  }

  function layersMap(element) {
    var map = mapOf(element);
    if (!map) return;
    var entries = island(element.dataset.placesLayers);
    var drawn = {};
    var loading = {};

    function box(layer) {
      return document.querySelector('input[data-layer="' + layer + '"]');
    }

    function wanted(entry) {
      var input = box(entry.layer);
      return input ? input.checked : entry.shown;
    }

    function show(entry) {
      if (drawn[entry.layer]) {
        map.addLayer(drawn[entry.layer]);
        return;
      }
      if (loading[entry.layer]) return;
      loading[entry.layer] = true;
      getJson(entry.url)
        .then(function (data) {
          var made = drawLayer(entry, data);
          drawn[entry.layer] = made.group;
          element.setAttribute("data-drawn-" + entry.layer, String(made.count));
          if (wanted(entry)) map.addLayer(made.group);
        })
        .catch(function () {
          element.setAttribute("data-drawn-" + entry.layer, "error");
          var input = box(entry.layer);
          if (input && input.parentNode) input.parentNode.title = texts.layerFailed || "";
        })
        .then(function () {
          loading[entry.layer] = false;
        });
    }

    entries.forEach(function (entry) {
      if (wanted(entry)) show(entry);
      var input = box(entry.layer);
      if (!input) return;
      input.addEventListener("change", function () {
        if (input.checked) {
          show(entry);
        } else if (drawn[entry.layer]) {
          map.removeLayer(drawn[entry.layer]);
        }
      });
    });
  }

  // --- a walk's line, the covered area -----------------------------------------------------

  function lineMap(element) {
    var map = mapOf(element);
    if (!map) return;
    var stops = island(element.dataset.placesLine).stops || [];
    if (!stops.length) return;
    var points = stops.map(function (stop) {
      return [stop.lat, stop.lon];
    });
    var group = L.featureGroup().addTo(map);
    L.polyline(points, { color: COLOURS.routes, weight: 4, opacity: 0.85, className: "places-line" })
      .addTo(group);
    stops.forEach(function (stop, index) {
      var marker = L.circleMarker([stop.lat, stop.lon], {
        radius: 9, color: "#ffffff", weight: 2, fillColor: COLOURS.routes, fillOpacity: 0.95,
        className: "places-stop"
      });
      var label = document.createElement("span");
      label.textContent = format(texts.stop, { n: index + 1 }) + " · " + stop.name;
      marker.bindTooltip(label);
      group.addLayer(marker);
    });
    map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 17 });
    element.setAttribute("data-drawn-line", String(stops.length));
  }

  function coverageMap(element) {
    var map = mapOf(element);
    if (!map) return;
    getJson(element.dataset.placesCoverage)
      .then(function (feature) {
        L.geoJSON(feature, {
          interactive: false,
          style: {
            color: "#1d6b35", weight: 1, fillColor: "#2f9e55", fillOpacity: 0.45,
            className: "places-coverage"
          }
        }).addTo(map);
        element.setAttribute("data-drawn-coverage", "1");
      })
      .catch(function () {
        element.setAttribute("data-drawn-coverage", "error");
      });
  }

  // --- near me: the browser's location -----------------------------------------------------

  function locator(button) {
    var form = document.getElementById(button.dataset.locate);
    if (!form || !navigator.geolocation) return;
    var status = document.getElementById("locate-status");
    function say(text) {
      if (status) status.textContent = text || "";
    }
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      say(texts.locating);
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.latitude.value = position.coords.latitude.toFixed(6);
          form.elements.longitude.value = position.coords.longitude.toFixed(6);
          // The point is the location now, not the address typed before.
          if (form.elements.address) form.elements.address.value = "";
          say(texts.located);
          form.submit();
        },
        function () {
          button.disabled = false;
          say(texts.locationFailed);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  function start() {
    each("button[data-locate]", locator);
    each("[data-places-layers]", layersMap);
    each("[data-places-line]", lineMap);
    each("[data-places-coverage]", coverageMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
