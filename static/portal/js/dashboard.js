// The dashboards' charts, drawn with the vendored ECharts from the specs the page passes in the
// json_script element "dashboard-charts" (the CSP forbids inline script). A click on a segment that
// carries a `url` opens the incident list filtered to exactly the incidents it counts.
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Fonts that carry the Chinese glyphs on the usual desktops and phones, so zh-Hans labels stay readable.
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif';
  var PALETTE = ["#1565c0", "#9e9e9e", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828"];

  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      color: PALETTE,
      tooltip: { trigger: "item", confine: true },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    };
  }

  function barOption(spec) {
    var option = base();
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var valueAxis = { type: "value", minInterval: spec.unit ? 0 : 1, name: spec.unit || "" };
    if (spec.horizontal) {
      categoryAxis.inverse = true;
      option.xAxis = valueAxis;
      option.yAxis = categoryAxis;
    } else {
      option.xAxis = categoryAxis;
      option.yAxis = valueAxis;
    }
    option.legend = { top: 0, type: "scroll" };
    if (spec.title) {
      option.title = { text: spec.title, left: "center", top: 0, textStyle: { fontSize: 13, fontFamily: FONT } };
      option.legend = { bottom: 0, type: "scroll" };
      option.grid.top = 28;
      option.grid.bottom = 28;
    }
    option.series = spec.series.map(function (series) {
      var s = { type: "bar", name: series.name, data: series.data, cursor: "pointer" };
      if (spec.stack) { s.stack = "total"; }
      if (series.colour) { s.itemStyle = { color: series.colour }; }
      return s;
    });
    return option;
  }

  function heatOption(spec) {
    var option = base();
    option.grid.top = 8;
    option.grid.bottom = 48;
    option.xAxis = { type: "category", data: spec.x, splitArea: { show: true } };
    option.yAxis = { type: "category", data: spec.y, inverse: true, splitArea: { show: true } };
    option.visualMap = {
      min: 0, max: Math.max(spec.max, 1), calculable: false, orient: "horizontal", left: "center", bottom: 0,
      itemHeight: 120, inRange: { color: ["#f5f9ff", "#90caf9", "#1565c0", "#0d2a5c"] },
    };
    option.tooltip = {
      confine: true,
      formatter: function (p) { return spec.y[p.value[1]] + " " + spec.x[p.value[0]] + ":00 — " + p.value[2]; },
    };
    option.series = [{ type: "heatmap", data: spec.data, cursor: "pointer", label: { show: false } }];
    return option;
  }

  function pieOption(spec) {
    var option = base();
    option.legend = { bottom: 0 };
    option.series = [{ type: "pie", radius: ["35%", "65%"], data: spec.data, label: { formatter: "{b}: {d}%" } }];
    return option;
  }

  var BUILDERS = { bar: barOption, heatmap: heatOption, pie: pieOption };
  var charts = [];

  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el || !window.echarts) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(BUILDERS[spec.kind](spec));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.assign(url); }
    });
    el.setAttribute("data-drawn", "true");
    charts.push(chart);
  }

  (readJSON("dashboard-charts") || []).forEach(draw);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // Charts are drawn for the screen width; a printed page is narrower, so redraw for it and back.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });

  var print = document.getElementById("dashboard-print");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
  document.querySelectorAll(".dash-swatch[data-colour]").forEach(function (el) {
    el.style.backgroundColor = el.getAttribute("data-colour");
  });

  // The custom dates only matter for a custom range.
  var period = document.getElementById("id_period");
  function syncDates() {
    var custom = period && period.value === "custom";
    ["id_start", "id_end"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) { input.closest(".col").hidden = !custom; }
    });
  }
  if (period) { period.addEventListener("change", syncDates); syncDates(); }
})();
