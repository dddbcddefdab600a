// The small map of the dashboards' hotspots: each grid cell is a rectangle, darker with more
// incidents, linking to the incident list of that cell. Data from json_script "dashboard-hotspots".
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var el = document.getElementById("hotspot-map");
  if (!el || !window.L) { return; }
  var settings = readJSON("map-settings") || {};
  var cells = readJSON("dashboard-hotspots") || [];
  var center = settings.center || [26.66, 119.55];
  var map = L.map(el, { scrollWheelZoom: false }).setView(center, 13);
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, {
      attribution: settings.tileAttribution || "",
      subdomains: settings.tileSubdomains || "abc",
      maxZoom: 19,
    }).addTo(map);
  }
  var max = cells.reduce(function (m, c) { return Math.max(m, c.count); }, 1);
  var layers = cells.map(function (cell, index) {
    var b = cell.bbox; // [min lng, min lat, max lng, max lat]
    var rect = L.rectangle([[b[1], b[0]], [b[3], b[2]]], {
      color: "#b71c1c", weight: 1, fillColor: "#e53935", fillOpacity: 0.25 + 0.6 * (cell.count / max),
    });
    rect.bindTooltip("#" + (index + 1) + ": " + cell.count);
    rect.on("click", function () { window.location.assign(cell.url); });
    return rect.addTo(map);
  });
  if (layers.length) {
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [20, 20], maxZoom: 16 });
  }
  window.addEventListener("beforeprint", function () { map.invalidateSize(); });
})();
