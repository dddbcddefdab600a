// Small maps of the portal's forms and detail pages. No inline scripts: data arrive via json_script.
//
//  [data-minimap="<json id>"]            a read-only map of a GeoJSON FeatureCollection (detail pages)
//  [data-map-widget][data-kind=point]    click/drag to set the latitude and longitude inputs it names
//  [data-map-widget][data-kind=area|line] draw/edit polygons (or a line) kept as GeoJSON text in a textarea
//
// The widgets (portal/widgets.py) carry their map settings in data-map-settings; detail pages pass
// them with json_script id "mapwidget-settings".
//
// Each enhances plain inputs: without JavaScript the form still works with typed numbers or GeoJSON.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var DECIMALS = 7;

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  var pageSettings = readJSON("mapwidget-settings") || {};

  function settingsOf(el) {
    var raw = el.getAttribute("data-map-settings");
    if (raw) {
      try { return JSON.parse(raw); } catch (e) { /* fall back to the page's settings */ }
    }
    return pageSettings;
  }

  function deepMerge(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && !Array.isArray(value)) {
        if (!target[key] || typeof target[key] !== "object") { target[key] = {}; }
        deepMerge(target[key], value);
      } else {
        target[key] = value;
      }
    });
  }
  if (L.drawLocal) { deepMerge(L.drawLocal, readJSON("draw-locale")); }

  function baseMap(el) {
    var settings = settingsOf(el);
    var centre = settings.center || [26.662, 119.548];
    var map = L.map(el, { scrollWheelZoom: false }).setView(centre, 14);
    if (settings.tileUrl) {
      L.tileLayer(settings.tileUrl, {
        attribution: settings.tileAttribution || "",
        subdomains: settings.tileSubdomains || "abc",
        maxZoom: 19
      }).addTo(map);
    }
    var b = settings.bounds;  // [min lng, min lat, max lng, max lat]
    if (b && b.length === 4) {
      L.rectangle([[b[1], b[0]], [b[3], b[2]]], {
        color: "#6c757d", weight: 1, dashArray: "4 4", fill: false, interactive: false
      }).addTo(map);
    }
    return map;
  }

  function round(v) { return Number(Number(v).toFixed(DECIMALS)); }

  // --- read-only minimap -----------------------------------------------------------------------
  function minimap(el) {
    var data = readJSON(el.getAttribute("data-minimap"));
    var map = baseMap(el);
    if (!data) { return; }
    var layer = L.geoJSON(data, {
      style: function (feature) {
        var p = feature.properties || {};
        return { color: p.colour || "#0d6efd", weight: p.kind === "route" ? 4 : 2, fillOpacity: 0.15 };
      },
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        var group = L.featureGroup();
        if (p.radius) {
          L.circle(latlng, { radius: p.radius, color: p.colour || "#6f42c1", weight: 1, fillOpacity: 0.1 })
            .addTo(group);
        }
        L.circleMarker(latlng, {
          radius: p.main ? 8 : 6, color: "#fff", weight: 2, fillColor: p.colour || "#0d6efd", fillOpacity: 1
        }).addTo(group);
        return group;
      },
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        if (!p.name) { return; }
        var box = document.createElement("div");
        if (p.url) {
          var a = document.createElement("a");
          a.href = p.url;
          a.textContent = p.name;
          box.appendChild(a);
        } else {
          box.textContent = p.name;
        }
        if (p.label) {
          var small = document.createElement("div");
          small.className = "small text-muted";
          small.textContent = p.label;
          box.appendChild(small);
        }
        lyr.bindPopup(box);
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
    }
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  // --- point widget --------------------------------------------------------------------------------
  function pointWidget(el) {
    var latInput = document.getElementById(el.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(el.getAttribute("data-lng-input"));
    if (!latInput || !lngInput) { return; }
    var map = baseMap(el);
    var marker = null;

    function current() {
      var lat = parseFloat(latInput.value), lng = parseFloat(lngInput.value);
      return (isFinite(lat) && isFinite(lng)) ? L.latLng(lat, lng) : null;
    }
    function setInputs(latlng) {
      latInput.value = round(latlng.lat);
      lngInput.value = round(latlng.lng);
      [latInput, lngInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    function place(latlng, pan) {
      if (!latlng) { return; }
      if (!marker) {
        marker = L.marker(latlng, { draggable: !latInput.disabled }).addTo(map);
        marker.on("dragend", function () { setInputs(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
    }

    place(current(), true);
    if (!latInput.disabled) {
      map.on("click", function (event) {
        place(event.latlng, false);
        setInputs(event.latlng);
      });
    }
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener("input", function () { place(current(), true); });
    });
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  // --- area / line widget -------------------------------------------------------------------------
  function geometries(geojson) {
    // the Polygon / LineString parts of any GeoJSON value, as [type, coordinates] pairs
    if (!geojson || typeof geojson !== "object") { return []; }
    if (geojson.type === "Feature") { return geometries(geojson.geometry); }
    if (geojson.type === "FeatureCollection") {
      return (geojson.features || []).reduce(function (all, f) { return all.concat(geometries(f)); }, []);
    }
    if (geojson.type === "MultiPolygon") {
      return (geojson.coordinates || []).map(function (c) { return ["Polygon", c]; });
    }
    if (geojson.type === "Polygon" || geojson.type === "LineString") { return [[geojson.type, geojson.coordinates]]; }
    return [];
  }

  function geoWidget(el) {
    var input = document.getElementById(el.getAttribute("data-input"));
    if (!input || typeof L.Control.Draw === "undefined") { return; }
    var isLine = el.getAttribute("data-kind") === "line";
    var map = baseMap(el);
    var drawn = new L.FeatureGroup().addTo(map);
    var style = { color: "#0d6efd", weight: isLine ? 4 : 2 };

    function load(fit) {
      drawn.clearLayers();
      var value;
      try { value = JSON.parse(input.value); } catch (e) { return; }
      geometries(value).forEach(function (part) {
        try {
          var layer = part[0] === "Polygon"
            ? L.polygon(part[1].map(function (ring) { return L.GeoJSON.coordsToLatLngs(ring); }), style)
            : L.polyline(L.GeoJSON.coordsToLatLngs(part[1]), style);
          drawn.addLayer(layer);
        } catch (e) { /* a malformed part: the server will say what is wrong */ }
      });
      var bounds = drawn.getBounds();
      if (fit && bounds.isValid()) { map.fitBounds(bounds.pad(0.2)); }
    }

    function save() {
      var parts = [];
      drawn.eachLayer(function (layer) {
        var geometry = layer.toGeoJSON(DECIMALS).geometry;
        if (geometry.type === "MultiPolygon") {
          geometry.coordinates.forEach(function (c) { parts.push(c); });
        } else {
          parts.push(geometry.coordinates);
        }
      });
      var value = "";
      if (isLine) {
        if (parts.length) { value = JSON.stringify({ type: "LineString", coordinates: parts[parts.length - 1] }); }
      } else if (parts.length === 1) {
        value = JSON.stringify({ type: "Polygon", coordinates: parts[0] });
      } else if (parts.length > 1) {
        value = JSON.stringify({ type: "MultiPolygon", coordinates: parts });
      }
      input.value = value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    var drawOptions = isLine
      ? { polyline: { shapeOptions: style }, polygon: false, rectangle: false, circle: false, marker: false,
          circlemarker: false }
      : { polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
          rectangle: { shapeOptions: style }, polyline: false, circle: false, marker: false, circlemarker: false };
    if (!input.disabled && !input.readOnly) {
      map.addControl(new L.Control.Draw({ draw: drawOptions, edit: { featureGroup: drawn } }));
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      if (isLine) { drawn.clearLayers(); }  // a shift has one route
      event.layer.setStyle && event.layer.setStyle(style);
      drawn.addLayer(event.layer);
      save();
    });
    map.on(L.Draw.Event.EDITED, save);
    map.on(L.Draw.Event.DELETED, save);
    input.addEventListener("input", function () { load(false); });
    input.addEventListener("change", function (event) { if (event.isTrusted) { load(true); } });

    load(true);
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  function init(root) {
    (root || document).querySelectorAll("[data-minimap]").forEach(function (el) {
      if (!el._portalMap) { el._portalMap = true; minimap(el); }
    });
    (root || document).querySelectorAll("[data-map-widget]").forEach(function (el) {
      if (el._portalMap) { return; }
      el._portalMap = true;
      if (el.getAttribute("data-kind") === "point") { pointWidget(el); } else { geoWidget(el); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
