// The quick-intake and edit pages of an incident: when the point changes (a click on the map sets the
// latitude and longitude inputs and fires "change"), ask the server where it would be placed and which
// open hazards are near, and show its answer (an HTML fragment rendered and escaped by Django) under
// the map. Without JavaScript the form still works: the server places the point when it is saved.
//
// For tests: #placement-preview[data-state] is "loading", "done" or "error".
(function () {
  "use strict";

  var form = document.getElementById("incident-form");
  var preview = document.getElementById("placement-preview");
  if (!form || !preview) {
    return;
  }
  var url = form.getAttribute("data-placement-url");
  var latInput = form.querySelector("[name=lat]");
  var lngInput = form.querySelector("[name=lng]");
  if (!url || !latInput || !lngInput) {
    return;
  }

  var timer = null;
  var sequence = 0;

  function refresh() {
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    if (!isFinite(lat) || !isFinite(lng)) {
      return;
    }
    sequence += 1;
    var mine = sequence;
    preview.dataset.state = "loading";
    var query = "?lat=" + encodeURIComponent(lat) + "&lng=" + encodeURIComponent(lng);
    fetch(url + query, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (mine !== sequence) {
          return; // a newer point was asked for meanwhile
        }
        preview.innerHTML = html;
        preview.dataset.state = "done";
      })
      .catch(function () {
        if (mine === sequence) {
          preview.dataset.state = "error";
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  latInput.addEventListener("change", later);
  lngInput.addEventListener("change", later);
  refresh();
})();
