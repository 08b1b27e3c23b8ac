/* The smart bins' pages on the platform's map (core/map.js). Every page works without this
   script: the tables list what the maps show.

   - The map of kind "iot-bins" (the bins' GeoJSON points): each bin coloured by its fill level
     (grey never read, green under half, amber from half, red when due) with a popup.
   - data-bins-routes="<JSON island id>": the routes ({routes: [{number, truck, depot: [lat, lon],
     stops: [{n, lat, lon, name, level, collected}]}]}) drawn as lines from the depot through the
     numbered stops and back, one colour per route; sets data-drawn-routes to the number of
     routes and data-drawn-stops to the number of stops.
   Texts come translated in the JSON island #bins-messages. */
(function () {
  "use strict";

  var COLOURS = ["#0b57a4", "#b3124e", "#1d6b35", "#6a3d9a", "#a34700", "#00727a", "#5b4a00"];
  var LEVEL = { none: "#7a7a7a", low: "#2f9e55", mid: "#d98c00", due: "#c62828" };

  function island(id) {
    var node = id ? document.getElementById(id) : null;
    return node ? JSON.parse(node.textContent) : {};
  }

  var texts = island("bins-messages");

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function levelColour(properties) {
    if (properties.level === null || properties.level === undefined) return LEVEL.none;
    if (properties.due) return LEVEL.due;
    return properties.level >= 0.5 ? LEVEL.mid : LEVEL.low;
  }

  window.HamkkeMap.kind("iot-bins", {
    style: function (feature) {
      return { fillColor: levelColour(feature.properties || {}), className: "bin-point" };
    },
    popup: function (feature) {
      var properties = feature.properties || {};
      var node = document.createElement("span");
      var level = properties.level === null ? "—" : Math.round(properties.level * 100) + "%";
      node.textContent = properties.title + " · " + format(texts.level, { level: level });
      return node;
    }
  });

  function drawRoutes(element) {
    var controller = window.HamkkeMap.of(element);
    var map = controller && controller.map;
    if (!map) return;
    var routes = island(element.dataset.binsRoutes).routes || [];
    var group = L.featureGroup().addTo(map);
    var stops = 0;
    routes.forEach(function (route) {
      var colour = COLOURS[(route.number - 1) % COLOURS.length];
      var points = [route.depot].concat(
        route.stops.map(function (stop) {
          return [stop.lat, stop.lon];
        }),
        [route.depot]
      );
      L.polyline(points, { color: colour, weight: 4, opacity: 0.85, className: "bins-line" })
        .bindTooltip(format(texts.route, { n: route.number, truck: route.truck }))
        .addTo(group);
      L.marker(route.depot, {
        icon: L.divIcon({ className: "bins-depot", html: "D", iconSize: [22, 22] }),
        title: format(texts.depot, { truck: route.truck })
      }).addTo(group);
      route.stops.forEach(function (stop) {
        var label = format(texts.stop, { n: stop.n }) + " · " + stop.name + " · " +
          format(texts.level, { level: stop.level }) + (stop.collected ? " · " + texts.collected : "");
        L.marker([stop.lat, stop.lon], {
          icon: L.divIcon({
            className: "bins-stop" + (stop.collected ? " bins-collected" : ""),
            html: '<span class="route-' + (((route.number - 1) % COLOURS.length) + 1) + '">' + stop.n + "</span>",
            iconSize: [24, 24]
          }),
          title: label,
          alt: label
        }).addTo(group);
        stops += 1;
      });
    });
    if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 17 });
    element.setAttribute("data-drawn-routes", String(routes.length));
    element.setAttribute("data-drawn-stops", String(stops));
  }

  // The crew sheet's Print button: shown and wired here, as the Content Security Policy allows
  // no inline handler (without JavaScript the browser's own Print serves).
  function wirePrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-bins-routes]"), drawRoutes);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), wirePrint);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
