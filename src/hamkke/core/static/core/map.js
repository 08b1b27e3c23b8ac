/* The one map component of the platform. A map is an element with data-map, whose attributes the
   `map_attrs` template tag writes (core/templatetags/maps.py); no page draws a map otherwise.

   Its base is the city itself: the boundary and the districts' outlines with their names
   (data-outline-url, the API's city/outline.geojson), drawn as vectors, so that the map is
   readable with no tile server and no network. The raster tiles of the deployment (data-tiles,
   data-attribution; none when the setting is empty) are a layer on it that the layer control
   turns off; while none has loaded, the map carries the class map-no-tiles and the districts
   are drawn as land.

   data-map="view": data-point="lat,lon" shows one point; data-points-url loads a GeoJSON
   FeatureCollection of points (data-cluster clusters them), fits the map to them and sets
   data-features to their number ("error" when they could not be loaded). A page's script may
   colour the points and write their popups: HamkkeMap.kind(name, {style, popup}) for the maps
   whose data-kind is that name, registered before the page has loaded.

   data-map="pick": a tap, a dragged pin or setPoint() sets the fields named by data-latitude and
   data-longitude, writes the JSON island data-messages' `placeSet` into data-status, and
   dispatches "hamkke:place" on the body; typing the fields moves the pin; data-locate names a
   "use my location" button (shown when the browser can locate).

   HamkkeMap.of(element) answers the element's map: {element, map (Leaflet's, or null without
   Leaflet), setPoint(lat, lon, zoomIn)}. Without Leaflet the element stays hidden and the page's
   fields and lists stand in for it; a picker still fills its fields. */
(function () {
  "use strict";

  var BLUE = "#0b57a4";
  // Close enough to see the street a pin is on.
  var PIN_ZOOM = 16;
  // Without tiles a street-level view is blank land: far enough out to see borders and names
  // around a point whose district is not named.
  var OUTLINE_POINT_ZOOM = 13;
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var kinds = {};
  var made = new WeakMap();

  function latLng(text) {
    var parts = String(text).split(",");
    return [parseFloat(parts[0]), parseFloat(parts[1])];
  }

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function island(id) {
    var node = id ? document.getElementById(id) : null;
    return node ? JSON.parse(node.textContent) : {};
  }

  function nameOf(properties) {
    return (english && properties.name_en) || properties.name;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }
    );
  }

  // --- the base: the city, its districts and their names ------------------------------------

  function overlaps(a, b) {
    return !(a.right < b.left || a.left > b.right || a.bottom < b.top || a.top > b.bottom);
  }

  function declutter(labels) {
    // The larger districts' names first; a name that would touch one already shown waits for
    // a closer zoom (hidden, not removed, so that it keeps its size for the next pass).
    var shown = [];
    labels.forEach(function (label) {
      var node = label.getElement();
      if (!node) return;
      var box = node.getBoundingClientRect();
      var clash = shown.some(function (other) {
        return overlaps(box, other);
      });
      node.classList.toggle("map-label-hidden", clash);
      if (!clash) shown.push(box);
    });
  }

  function drawOutline(map, element, data) {
    var features = data.features || [];
    var districts = features.filter(function (feature) {
      return feature.properties.kind === "district";
    });
    var city = features.filter(function (feature) {
      return feature.properties.kind === "city";
    });
    var byCode = {};
    // Not interactive: a tap goes through them to the map (and to a picker).
    L.geoJSON(districts, {
      pane: "outline",
      interactive: false,
      style: {
        className: "map-district", color: BLUE, weight: 1, opacity: 0.7,
        fillColor: "#fbfaf5", fillOpacity: 0.15
      },
      onEachFeature: function (feature, layer) {
        byCode[feature.properties.code] = layer;
      }
    }).addTo(map);
    L.geoJSON(city, {
      pane: "outline",
      interactive: false,
      style: { className: "map-city", color: BLUE, weight: 3, opacity: 0.85, fill: false }
    }).addTo(map);

    var labels = districts
      .filter(function (feature) {
        return feature.properties.label;
      })
      .sort(function (a, b) {
        // The district of the map's point first, then the larger ones.
        var mine = element.dataset.district;
        if ((a.properties.code === mine) !== (b.properties.code === mine)) {
          return a.properties.code === mine ? -1 : 1;
        }
        return (b.properties.area_km2 || 0) - (a.properties.area_km2 || 0);
      })
      .map(function (feature) {
        var properties = feature.properties;
        // A text node: names come from data, never as HTML.
        var text = document.createElement("span");
        text.textContent = nameOf(properties);
        return L.tooltip({
          pane: "labels", direction: "center", className: "map-district-label",
          interactive: false, opacity: 1
        })
          .setLatLng([properties.label[1], properties.label[0]])
          .setContent(text)
          .addTo(map);
      });
    declutter(labels);
    map.on("zoomend moveend resize", function () {
      declutter(labels);
    });
    element.dataset.outline = String(districts.length);
    return byCode;
  }

  function addTiles(map, element, whenNone) {
    var url = element.dataset.tiles;
    element.classList.add("map-no-tiles");
    if (!url) {
      whenNone();
      return;
    }
    var loaded = 0;
    var failed = false;
    var tiles = L.tileLayer(url, { maxZoom: 19, attribution: element.dataset.attribution || "" });
    tiles.on("tileload", function () {
      loaded += 1;
      element.classList.remove("map-no-tiles");
    });
    tiles.on("tileerror", function () {
      if (loaded || failed) return;
      failed = true;
      whenNone();
    });
    tiles.on("remove", function () {
      element.classList.add("map-no-tiles");
    });
    tiles.on("add", function () {
      if (loaded) element.classList.remove("map-no-tiles");
    });
    tiles.addTo(map);
    var overlays = {};
    overlays[element.dataset.tilesLabel || "Tiles"] = tiles;
    L.control.layers(null, overlays).addTo(map);
  }

  function baseMap(element) {
    element.hidden = false;
    var view = element.dataset.point
      ? [latLng(element.dataset.point), PIN_ZOOM]
      : [latLng(element.dataset.center), Number(element.dataset.zoom)];
    // Scrolling the page on a phone must not zoom the map by accident.
    var map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 }).setView(view[0], view[1]);
    // Above the tiles (200), under the points (overlay 400, markers 600).
    map.createPane("outline");
    map.createPane("labels");
    // A point's map without tiles shows the point's whole district, with its borders and name,
    // rather than blank land at street zoom: once the tiles failed and the outline is known
    // (or failed), and only while the person has not moved the map.
    var untouched = true;
    var noTiles = false;
    var districts;
    map.once("dragstart zoomstart", function () {
      untouched = false;
    });
    function frame() {
      if (!element.dataset.point || !untouched || !noTiles || districts === undefined) return;
      var home = districts && districts[element.dataset.district];
      if (home) {
        map.fitBounds(home.getBounds(), { padding: [8, 8], maxZoom: PIN_ZOOM });
      } else {
        map.setView(view[0], OUTLINE_POINT_ZOOM);
      }
    }
    addTiles(map, element, function () {
      noTiles = true;
      frame();
    });
    if (element.dataset.outlineUrl) {
      getJson(element.dataset.outlineUrl)
        .then(function (data) {
          districts = drawOutline(map, element, data);
        })
        .catch(function () {
          districts = null;
          element.dataset.outline = "error";
        })
        .then(frame);
    } else {
      districts = null;
    }
    return map;
  }

  // --- view: one point, or the points of a GeoJSON ---------------------------------------------

  function pointStyle(extra) {
    var style = { radius: 9, color: "#ffffff", weight: 2, fillColor: BLUE, fillOpacity: 0.9 };
    Object.keys(extra || {}).forEach(function (key) {
      style[key] = extra[key];
    });
    return style;
  }

  function defaultPopup(feature) {
    var properties = feature.properties || {};
    var title = nameOf(properties) || properties.title;
    if (!title) return null;
    var node = document.createElement(properties.url ? "a" : "span");
    if (properties.url) node.href = properties.url;
    node.textContent = title;
    return node;
  }

  function showPoint(map, element) {
    L.circleMarker(latLng(element.dataset.point), pointStyle({ radius: 10 })).addTo(map);
  }

  function showPoints(map, element) {
    var hooks = kinds[element.dataset.kind] || {};
    var clustered = element.dataset.cluster !== undefined && L.markerClusterGroup;
    var group = clustered
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 })
      : L.featureGroup();
    map.addLayer(group);
    getJson(element.dataset.pointsUrl)
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, where) {
            return L.circleMarker(where, pointStyle(hooks.style ? hooks.style(feature) : null));
          },
          onEachFeature: function (feature, marker) {
            var popup = (hooks.popup || defaultPopup)(feature);
            if (popup) marker.bindPopup(popup);
          }
        });
        var markers = layer.getLayers();
        if (group.addLayers) {
          group.addLayers(markers);
        } else {
          markers.forEach(function (marker) {
            group.addLayer(marker);
          });
        }
        element.dataset.features = String(markers.length);
        if (markers.length) map.fitBounds(group.getBounds(), { maxZoom: PIN_ZOOM, padding: [24, 24] });
      })
      .catch(function () {
        element.dataset.features = "error";
      });
  }

  // --- pick: a point set by tapping, dragging, typing or locating -----------------------------

  function picker(element, map) {
    var messages = island(element.dataset.messages);
    var latitude = document.getElementById(element.dataset.latitude || "id_latitude");
    var longitude = document.getElementById(element.dataset.longitude || "id_longitude");
    var status = element.dataset.status ? document.getElementById(element.dataset.status) : null;
    var pin = null;
    if (!latitude || !longitude) return function () {};

    function say(text) {
      if (status) status.textContent = text || "";
    }

    function announce(lat, lon) {
      say(format(messages.placeSet, { lat: lat.toFixed(5), lon: lon.toFixed(5) }));
      // A page's script (htmx on the report form) refreshes what depends on the place.
      document.body.dispatchEvent(
        new CustomEvent("hamkke:place", { detail: { latitude: lat, longitude: lon } })
      );
    }

    function showPin(lat, lon, zoomIn) {
      if (!map) return;
      var where = [lat, lon];
      if (pin) {
        pin.setLatLng(where);
      } else {
        pin = L.marker(where, { draggable: true, title: messages.pin || "", alt: messages.pin || "" })
          .addTo(map);
        pin.on("dragend", function () {
          var moved = pin.getLatLng();
          setPoint(moved.lat, moved.lng, false);
        });
      }
      if (zoomIn) map.setView(where, Math.max(map.getZoom(), PIN_ZOOM));
    }

    function setPoint(lat, lon, zoomIn) {
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      showPin(lat, lon, zoomIn);
      announce(lat, lon);
    }

    function typed() {
      var lat = parseFloat(latitude.value);
      var lon = parseFloat(longitude.value);
      return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
    }

    if (map) {
      map.on("click", function (event) {
        setPoint(event.latlng.lat, event.latlng.lng, false);
      });
      var start = typed();
      if (start) showPin(start[0], start[1], true);
    }
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        var place = typed();
        if (!place) return;
        showPin(place[0], place[1], true);
        announce(place[0], place[1]);
      });
    });

    var locate = element.dataset.locate ? document.getElementById(element.dataset.locate) : null;
    if (locate && navigator.geolocation) {
      locate.parentNode.hidden = false;
      locate.addEventListener("click", function () {
        say(messages.locating);
        navigator.geolocation.getCurrentPosition(
          function (position) {
            setPoint(position.coords.latitude, position.coords.longitude, true);
          },
          function () {
            say(messages.locationFailed);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
    return setPoint;
  }

  // --- the elements ------------------------------------------------------------------------------

  function of(element) {
    var done = made.get(element);
    if (done) return done;
    var map = typeof L === "undefined" ? null : baseMap(element);
    var controller = { element: element, map: map, setPoint: function () {} };
    if (element.dataset.map === "pick") {
      controller.setPoint = picker(element, map);
    } else if (map && element.dataset.point) {
      showPoint(map, element);
    } else if (map && element.dataset.pointsUrl) {
      showPoints(map, element);
    }
    made.set(element, controller);
    return controller;
  }

  function kind(name, hooks) {
    kinds[name] = hooks;
  }

  window.HamkkeMap = { of: of, kind: kind };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), of);
  }
  // After the page's own scripts, which may register kinds first.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
