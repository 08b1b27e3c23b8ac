/* Maps of participatory budgeting: the point of a project on its page, and the proposal form's
   picker (tap the map to set the pin; kept in sync with the latitude and longitude fields).
   Without JavaScript the coordinates on the page and in the form stand in for them. */
(function () {
  "use strict";

  // The tile server is the deployment's (settings HAMKKE_MAP_TILES), named by the page.
  var tilesMeta = document.querySelector('meta[name="hamkke-map-tiles"]');
  var TILES = tilesMeta ? tilesMeta.content : "";
  var ATTRIBUTION = tilesMeta ? tilesMeta.getAttribute("data-attribution") : "";

  function latLng(text) {
    var parts = String(text).split(",");
    return [parseFloat(parts[0]), parseFloat(parts[1])];
  }

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function baseMap(element, centre, zoom) {
    element.hidden = false;
    // Scrolling the page on a phone must not zoom the map by accident.
    var map = L.map(element, { scrollWheelZoom: false }).setView(centre, zoom);
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    return map;
  }

  function pointMap(element) {
    var point = latLng(element.dataset.point);
    var map = baseMap(element, point, 16);
    L.circleMarker(point, { radius: 10, color: "#ffffff", weight: 2, fillColor: "#0b57a4", fillOpacity: 0.9 })
      .addTo(map);
  }

  function picker(element) {
    var messagesNode = document.getElementById("proposal-form-messages");
    var messages = messagesNode ? JSON.parse(messagesNode.textContent) : {};
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    var status = document.getElementById("place-status");
    var map = baseMap(element, latLng(element.dataset.center), Number(element.dataset.zoom));
    var pin = null;

    function showPin(where) {
      if (pin) {
        pin.setLatLng(where);
        return;
      }
      pin = L.marker(where, { draggable: true, title: messages.pin, alt: messages.pin }).addTo(map);
      pin.on("dragend", function () {
        var moved = pin.getLatLng();
        setPlace(moved.lat, moved.lng);
      });
    }

    function setPlace(lat, lon) {
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      showPin([lat, lon]);
      status.textContent = format(messages.placeSet, { lat: lat.toFixed(5), lon: lon.toFixed(5) });
    }

    function fromFields() {
      var lat = parseFloat(latitude.value);
      var lon = parseFloat(longitude.value);
      if (isNaN(lat) || isNaN(lon)) return;
      showPin([lat, lon]);
      map.setView([lat, lon], Math.max(map.getZoom(), 15));
    }

    map.on("click", function (event) {
      setPlace(event.latlng.lat, event.latlng.lng);
    });
    latitude.addEventListener("change", fromFields);
    longitude.addEventListener("change", fromFields);
    fromFields();
  }

  if (typeof L === "undefined") return;
  var one = document.getElementById("project-point");
  if (one) pointMap(one);
  var form = document.getElementById("proposal-map");
  if (form) picker(form);
})();
