// The map page: circles, posts, cameras and teams of the user's scope, fetched from the GeoJSON API,
// then the incidents of the viewport (clustered by the server, with a time filter) from
// incidents:incident_geojson.
//
// Settings come from json_script elements (the CSP forbids inline script): "map-settings" (tiles,
// centre, bounds) and "map-config" (layer URLs and names, post symbols, translated labels).
// The vector layers never wait for the tiles: without internet the tiles fail quietly and the
// circles, posts, cameras and teams still show.
//
// For tests and for people debugging: `window.portalMap` holds the Leaflet map, its layers and the
// number of features drawn per layer; `#map[data-loaded]` lists the layers loaded so far and
// `#map[data-ready]` is "1" once every layer has answered (or "error" when one failed).
(function () {
  "use strict";

  var container = document.getElementById("map");
  if (!container || typeof L === "undefined") {
    return;
  }

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  var settings = readJSON("map-settings") || {};
  var config = readJSON("map-config") || {};
  var labels = config.labels || {};
  var layerNames = config.layerNames || {};
  var postSymbols = config.postSymbols || {};

  var map = L.map(container, {
    center: settings.center || [26.662, 119.548],
    zoom: 14,
    zoomControl: true,
  });

  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, {
      attribution: settings.tileAttribution || "",
      subdomains: settings.tileSubdomains || "abc",
      maxZoom: 19,
      crossOrigin: false,
    }).addTo(map);
  }

  // --- small DOM helpers (popups are built from nodes, never from HTML strings of data) ----------

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function popup(title, url, rows) {
    var box = el("div", null, "map-popup");
    var heading = el("div", null, "fw-bold mb-1");
    if (url) {
      var link = el("a", title);
      link.href = url;
      heading.appendChild(link);
    } else {
      heading.textContent = title;
    }
    box.appendChild(heading);
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") {
        return;
      }
      var line = el("div", null, "small");
      line.appendChild(el("span", row[0] + ": ", "text-body-secondary"));
      line.appendChild(el("span", row[1]));
      box.appendChild(line);
    });
    return box;
  }

  // --- layers ------------------------------------------------------------------------------------

  var overlays = {
    circles: L.featureGroup(),
    posts: L.featureGroup(),
    cameras: L.featureGroup(),
    teams: L.featureGroup(),
  };
  var counts = { circles: 0, posts: 0, cameras: 0, teams: 0 };

  function drawCircles(data) {
    L.geoJSON(data, {
      style: function (feature) {
        var colour = feature.properties.colour || "#2e7d32";
        return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.18, className: "circle-area" };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(popup(p.name, p.url, [
          [labels.kind, p.kind_label],
          [labels.focus, p.focus],
          [labels.brand, p.brand],
          [labels.station, p.station && p.station.name],
        ]));
        layer.bindTooltip(p.name, { sticky: true });
        counts.circles += 1;
      },
    }).eachLayer(function (layer) {
      overlays.circles.addLayer(layer);
    });
  }

  function drawPosts(data) {
    L.geoJSON(data, {
      filter: function (feature) {
        return Boolean(feature.geometry);
      },
      pointToLayer: function (feature, latlng) {
        var kind = feature.properties.kind;
        var icon = L.divIcon({
          className: "post-icon post-" + kind,
          html: postSymbols[kind] || "•",
          iconSize: [28, 28],
          iconAnchor: [14, 14],
          popupAnchor: [0, -14],
        });
        return L.marker(latlng, { icon: icon, title: feature.properties.name, alt: feature.properties.name });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(popup(p.name, p.url, [
          [labels.kind, p.kind_label],
          [labels.address, p.address],
          [labels.staffed, p.staffed_hours],
        ]));
        counts.posts += 1;
      },
    }).eachLayer(function (layer) {
      overlays.posts.addLayer(layer);
    });
  }

  // The points of a camera's field of view: the camera, then an arc of `radius` metres.
  function sector(latlng, radius, bearing, fov) {
    var points = [latlng];
    var steps = Math.max(4, Math.round(fov / 10));
    var start = bearing - fov / 2;
    var metresPerDegLat = 111320;
    var metresPerDegLng = 111320 * Math.cos((latlng.lat * Math.PI) / 180);
    for (var i = 0; i <= steps; i += 1) {
      var angle = ((start + (fov * i) / steps) * Math.PI) / 180;
      points.push(L.latLng(
        latlng.lat + (radius * Math.cos(angle)) / metresPerDegLat,
        latlng.lng + (radius * Math.sin(angle)) / metresPerDegLng
      ));
    }
    return points;
  }

  function drawCameras(data) {
    (data.features || []).forEach(function (feature) {
      if (!feature.geometry) {
        return;
      }
      var p = feature.properties;
      var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
      var colour = p.is_active === false ? "#6c757d" : p.kind === "police" ? "#0d6efd" : "#6f42c1";
      var content = popup(p.code + " " + p.name, p.url, [
        [labels.kind, p.kind_label],
        [labels.coverage, p.coverage_radius_m + " " + labels.metres],
        [labels.status, p.is_active === false ? labels.notWorking : ""],
      ]);
      var fov = p.field_of_view;
      var hasSector = p.bearing !== null && p.bearing !== undefined && fov && fov < 360;
      var coverage = hasSector
        ? L.polygon(sector(latlng, p.coverage_radius_m, p.bearing, fov), {
            color: colour, weight: 1, fillOpacity: 0.12, className: "camera-coverage camera-sector",
          })
        : L.circle(latlng, {
            radius: p.coverage_radius_m, color: colour, weight: 1, fillOpacity: 0.12, className: "camera-coverage",
          });
      var marker = L.circleMarker(latlng, {
        radius: 5, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1, className: "camera-marker",
      });
      marker.bindPopup(content);
      marker.bindTooltip(p.name);
      coverage.bindPopup(content);
      overlays.cameras.addLayer(coverage);
      overlays.cameras.addLayer(marker);
      counts.cameras += 1;
    });
  }

  function drawTeams(data) {
    L.geoJSON(data, {
      filter: function (feature) {
        return Boolean(feature.geometry);
      },
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        var icon = L.divIcon({
          className: "team-icon team-" + p.duty_state,
          html: el("span", p.call_sign || p.name),
          iconSize: null,
          iconAnchor: [10, 10],
        });
        return L.marker(latlng, { icon: icon, title: p.name, alt: p.name, zIndexOffset: 1000 });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(popup(p.name, p.url, [[labels.dutyState, p.duty_state_label]]));
        counts.teams += 1;
      },
    }).eachLayer(function (layer) {
      overlays.teams.addLayer(layer);
    });
  }

  var drawers = { circles: drawCircles, posts: drawPosts, cameras: drawCameras, teams: drawTeams };
  var order = ["circles", "posts", "cameras", "teams"];
  var loaded = [];
  var failed = [];

  Object.keys(overlays).forEach(function (name) {
    overlays[name].addTo(map);
  });
  var control = L.control.layers(null, null, { collapsed: window.matchMedia("(max-width: 576px)").matches });
  order.forEach(function (name) {
    control.addOverlay(overlays[name], layerNames[name] || name);
  });
  control.addTo(map);

  window.portalMap = { map: map, layers: overlays, counts: counts, loaded: loaded, failed: failed };

  function fitToData() {
    var bounds = overlays.circles.getBounds();
    if (!bounds.isValid()) {
      order.forEach(function (name) {
        var layerBounds = overlays[name].getBounds();
        if (layerBounds.isValid()) {
          bounds = bounds.isValid() ? bounds.extend(layerBounds) : layerBounds;
        }
      });
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else if (settings.bounds && settings.bounds.length === 4) {
      var b = settings.bounds;
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    }
  }

  function showFailure() {
    var alertBox = document.getElementById("map-error");
    if (alertBox) {
      alertBox.textContent = labels.loadFailed || "";
      alertBox.hidden = false;
    }
  }

  function load(name) {
    var url = (config.layers || {})[name];
    if (!url) {
      return Promise.resolve();
    }
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(name + ": HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        drawers[name](data);
        loaded.push(name);
        container.dataset.loaded = order.filter(function (n) {
          return loaded.indexOf(n) !== -1;
        }).join(",");
        container.dataset["count" + name.charAt(0).toUpperCase() + name.slice(1)] = String(counts[name]);
      })
      .catch(function (error) {
        failed.push(name);
        showFailure();
        if (window.console) {
          window.console.warn("map layer not loaded:", error.message);
        }
      });
  }

  // --- the party organisation: responsibility zones and vanguard posts ---------------------------------
  //
  // Loaded after the four layers above and before the incidents (still one request at a time), kept
  // apart from them so that their counts stay as they were. `#map[data-party-ready]` is "1" once both
  // have answered (or "error"); `#map[data-count-zones]`, `#map[data-count-vanguard]` their numbers;
  // `window.portalMap.party` holds the layers and counts.
  var partyConfig = config.party || null;
  var party = null;

  if (partyConfig) {
    var partyLabels = partyConfig.labels || {};
    party = {
      layers: { zones: L.featureGroup(), vanguard: L.featureGroup() },
      counts: { zones: 0, vanguard: 0 },
      failed: [],
    };
    window.portalMap.party = party;
    ["zones", "vanguard"].forEach(function (name) {
      party.layers[name].addTo(map);
      control.addOverlay(party.layers[name], (partyConfig.names || {})[name] || name);
    });
  }

  function memberList(p) {
    return (p.members || []).join(", ");
  }

  var partyDrawers = {
    zones: function (data) {
      L.geoJSON(data, {
        style: function (feature) {
          var colour = feature.properties.colour || "#c62828";
          return { color: colour, weight: 2, dashArray: "6 4", fillColor: colour, fillOpacity: 0.1, className: "zone-area" };
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindPopup(popup(p.name, p.url, [
            [partyLabels.circle, p.circle_name],
            [partyLabels.members, memberList(p)],
            [partyLabels.tasks, p.tasks],
          ]));
          layer.bindTooltip(p.name, { sticky: true });
          party.counts.zones += 1;
        },
      }).eachLayer(function (layer) {
        party.layers.zones.addLayer(layer);
      });
    },
    vanguard: function (data) {
      L.geoJSON(data, {
        filter: function (feature) {
          return Boolean(feature.geometry);
        },
        pointToLayer: function (feature, latlng) {
          var icon = L.divIcon({
            className: "vanguard-icon",
            html: el("span", postSymbols.vanguard_post || "★"),
            iconSize: [30, 30],
            iconAnchor: [15, 15],
            popupAnchor: [0, -15],
          });
          return L.marker(latlng, {
            icon: icon, title: feature.properties.name, alt: feature.properties.name, zIndexOffset: 500,
          });
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindPopup(popup(p.name, p.url, [
            [labels.address, p.address],
            [labels.staffed, p.staffed_hours],
            [partyLabels.members, memberList(p)],
          ]));
          party.counts.vanguard += 1;
        },
      }).eachLayer(function (layer) {
        party.layers.vanguard.addLayer(layer);
      });
    },
  };

  function loadParty() {
    if (!party) {
      return Promise.resolve();
    }
    return ["zones", "vanguard"].reduce(function (previous, name) {
      return previous.then(function () {
        return fetch(partyConfig.layers[name], {
          credentials: "same-origin",
          headers: { Accept: "application/geo+json" },
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(name + ": HTTP " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            partyDrawers[name](data);
            container.dataset["count" + name.charAt(0).toUpperCase() + name.slice(1)] = String(party.counts[name]);
          })
          .catch(function (error) {
            party.failed.push(name);
            showFailure();
            if (window.console) {
              window.console.warn("map layer not loaded:", error.message);
            }
          });
      });
    }, Promise.resolve()).then(function () {
      container.dataset.partyReady = party.failed.length ? "error" : "1";
    });
  }

  // --- incidents: clustered by the server, with their own time filter --------------------------------
  //
  // Loaded after the layers above (still one request at a time), then again when the period changes or
  // the map stops moving: each request carries the viewport (`bbox`) and the `zoom`. The server answers
  // with every incident in view, either as a point or counted in a cluster (`properties.cluster`,
  // `count`, and the RFC 7946 `bbox` of its incidents); clicking a cluster zooms in on its incidents.
  // Points that still overlap are grouped by Leaflet.markercluster, in the browser.
  // `#map[data-incidents-ready]` is "1" once the current view's incidents are drawn (or "error"),
  // `#map[data-count-incidents]` how many incidents they stand for, `#map[data-incidents-clusters]` how
  // many clusters are drawn, `#map[data-incidents-zoom]` the zoom they were counted for;
  // `window.portalMap.incidents` holds the layers.
  var incidentsConfig = config.incidents || null;
  var incidents = null;
  // The highest zoom the layer answers for (portal.geo.MAX_ZOOM).
  var LAYER_MAX_ZOOM = 20;

  if (incidentsConfig) {
    var incidentLabels = incidentsConfig.labels || {};
    var pointLayer = typeof L.markerClusterGroup === "function"
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 })
      : L.featureGroup();
    var clusterLayer = L.featureGroup();
    var incidentLayer = L.featureGroup([clusterLayer, pointLayer]);
    var priorityClass = { P1: "text-bg-danger", P2: "text-bg-warning", P3: "text-bg-primary", P4: "text-bg-secondary" };
    incidents = {
      layer: incidentLayer,
      points: pointLayer,
      clusters: clusterLayer,
      count: 0,
      clusterCount: 0,
      period: incidentsConfig.period || "7d",
      request: 0,
      controller: null,
      timer: null,
    };
    window.portalMap.incidents = incidents;
    incidentLayer.addTo(map);
    control.addOverlay(incidentLayer, incidentsConfig.name || "incidents");

    var periodControl = L.control({ position: "topright" });
    periodControl.onAdd = function () {
      var box = el("div", null, "leaflet-bar bg-body p-1 incident-period");
      var label = el("label", incidentLabels.period || "", "visually-hidden");
      label.htmlFor = "incident-period";
      var select = el("select", null, "form-select form-select-sm");
      select.id = "incident-period";
      (incidentsConfig.periods || []).forEach(function (option) {
        var node = el("option", option[1]);
        node.value = option[0];
        node.selected = option[0] === incidents.period;
        select.appendChild(node);
      });
      select.addEventListener("change", function () {
        incidents.period = select.value;
        loadIncidents();
      });
      box.appendChild(label);
      box.appendChild(select);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    periodControl.addTo(map);
  }

  function maxZoom() {
    return Math.min(map.getMaxZoom(), LAYER_MAX_ZOOM);
  }

  // Zoom in on a cluster's incidents: to the zoom that shows their box, and at least one step closer.
  // At the highest zoom there is nothing closer to go to: the cluster says how many incidents it holds.
  function zoomInto(marker, feature) {
    var b = feature.bbox;
    var latlng = marker.getLatLng();
    var bounds = b && b.length === 4 ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : L.latLngBounds(latlng, latlng);
    var target = Math.min(map.getBoundsZoom(bounds.pad(0.1)), maxZoom());
    if (target <= map.getZoom()) {
      target = map.getZoom() + 1;
    }
    if (target > maxZoom()) {
      L.popup().setLatLng(latlng).setContent(el("div", feature.properties.label, "map-popup fw-bold")).openOn(map);
      return;
    }
    map.setView(bounds.getCenter(), target);
  }

  function clusterMarker(feature) {
    var p = feature.properties;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var size = p.count < 100 ? "small" : p.count < 1000 ? "medium" : "large";
    var inner = el("div");
    inner.appendChild(el("span", p.count));
    var icon = L.divIcon({
      className: "marker-cluster marker-cluster-" + size + " incident-cluster",
      html: inner,
      iconSize: L.point(40, 40),
    });
    var marker = L.marker(latlng, { icon: icon, title: p.label, alt: p.label, riseOnHover: true });
    marker.on("click", function () {
      zoomInto(marker, feature);
    });
    marker.on("keypress", function (event) {
      if (event.originalEvent && event.originalEvent.key === "Enter") {
        zoomInto(marker, feature);
      }
    });
    return marker;
  }

  function pointMarker(feature) {
    var p = feature.properties;
    var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
    var icon = L.divIcon({
      className: "incident-icon incident-" + p.status,
      html: el("span", p.priority, "badge rounded-pill border border-light " + (priorityClass[p.priority] || "text-bg-secondary")),
      iconSize: null,
      iconAnchor: [12, 10],
    });
    var marker = L.marker(latlng, { icon: icon, title: p.number, alt: p.number });
    var occurred = p.occurred_at ? new Date(p.occurred_at).toLocaleString() : "";
    marker.bindPopup(popup(p.number + " " + p.summary, p.url, [
      [incidentLabels.category, p.category_label],
      [incidentLabels.priority, p.priority_label],
      [incidentLabels.status, p.status_label],
      [incidentLabels.occurred, occurred],
    ]));
    return marker;
  }

  function drawIncidents(data) {
    var markers = [];
    var total = 0;
    incidents.clusterCount = 0;
    (data.features || []).forEach(function (feature) {
      if (!feature.geometry) {
        return;
      }
      if (feature.properties.cluster) {
        incidents.clusters.addLayer(clusterMarker(feature));
        incidents.clusterCount += 1;
        total += feature.properties.count;
      } else {
        markers.push(pointMarker(feature));
        total += 1;
      }
    });
    if (typeof incidents.points.addLayers === "function") {
      incidents.points.addLayers(markers);
    } else {
      markers.forEach(function (marker) { incidents.points.addLayer(marker); });
    }
    incidents.count = typeof data.total === "number" ? data.total : total;
  }

  // The viewport as `minlon,minlat,maxlon,maxlat`, kept within the world the server accepts.
  function viewportBox() {
    var b = map.getBounds();
    function clamp(value, limit) {
      return Math.max(-limit, Math.min(limit, value)).toFixed(7);
    }
    return [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180), clamp(b.getNorth(), 90)].join(",");
  }

  function loadIncidents() {
    if (!incidents) {
      return Promise.resolve();
    }
    window.clearTimeout(incidents.timer);
    if (incidents.controller) {
      incidents.controller.abort(); // a newer view: the older answer is no longer wanted
    }
    incidents.request += 1;
    var mine = incidents.request;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    incidents.controller = controller;
    delete container.dataset.incidentsReady;
    var zoom = Math.max(0, Math.min(LAYER_MAX_ZOOM, Math.round(map.getZoom())));
    var url = incidentsConfig.url + "?period=" + encodeURIComponent(incidents.period) +
      "&zoom=" + zoom + "&bbox=" + encodeURIComponent(viewportBox());
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("incidents: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (mine !== incidents.request) {
          return; // the view changed meanwhile: a newer answer is coming
        }
        incidents.clusters.clearLayers();
        incidents.points.clearLayers();
        drawIncidents(data);
        container.dataset.countIncidents = String(incidents.count);
        container.dataset.incidentsClusters = String(incidents.clusterCount);
        container.dataset.incidentsPeriod = incidents.period;
        container.dataset.incidentsZoom = String(data.zoom);
        container.dataset.incidentsReady = "1";
      })
      .catch(function (error) {
        if (mine !== incidents.request) {
          return;
        }
        container.dataset.incidentsReady = "error";
        showFailure();
        if (window.console) {
          window.console.warn("map layer not loaded:", error.message);
        }
      });
  }

  // Reload when the map has stopped moving (a drag or a zoom fires many events; one request is enough).
  function scheduleIncidents() {
    if (!incidents) {
      return;
    }
    delete container.dataset.incidentsReady;
    window.clearTimeout(incidents.timer);
    incidents.timer = window.setTimeout(loadIncidents, 250);
  }

  function watchIncidents() {
    if (incidents) {
      map.on("moveend", scheduleIncidents);
    }
    return loadIncidents();
  }

  // One layer after the other, not in parallel: every request re-saves the session (it expires after
  // 30 idle minutes), and parallel saves of one session only queue behind each other on the database
  // (on SQLite they can even fail). Circles come first so the map has its shape at once.
  order
    .reduce(function (previous, name) {
      return previous.then(function () {
        return load(name);
      });
    }, Promise.resolve())
    .then(function () {
      fitToData();
      // Circles at the back, then the cameras' coverage, with the point markers on top.
      overlays.circles.bringToBack();
      container.dataset.ready = failed.length ? "error" : "1";
    })
    .then(loadParty)
    .then(watchIncidents);
})();
