/* Draws the statistics charts from each element's data-chart attribute (JSON: type, title, labels,
   received, closed, open). ECharts is served from our own static files; no inline script (CSP). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d;
    try { d = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    var narrow = el.clientWidth < 480;
    if (d.type === "heatmap") {
      var top = 0;
      d.cells.forEach(function (c) { top = Math.max(top, c[2]); });
      // A row per building: the box grows with them (the CSS height is the phone's maximum).
      el.style.height = Math.min(Math.max(140, 110 + 34 * d.y.length), narrow ? 900 : 1100) + "px";
      var heat = echarts.init(el, null, { renderer: "svg" });
      heat.setOption({
        animation: false,
        tooltip: { position: "top" },
        grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
        xAxis: { type: "category", data: d.x, splitArea: { show: true },
                 axisLabel: { rotate: narrow ? 60 : 30 } },
        yAxis: { type: "category", data: d.y, splitArea: { show: true }, inverse: true,
                 axisLabel: { width: narrow ? 80 : 140, overflow: "truncate" } },
        visualMap: { min: 0, max: Math.max(top, 1), calculable: false, orient: "horizontal",
                     left: "center", bottom: 0, itemHeight: narrow ? 100 : 160,
                     inRange: { color: ["#f3f6fb", "#f5b041", "#c0392b"] } },
        series: [{ type: "heatmap", data: d.cells, label: { show: !narrow } }]
      });
      charts.push(heat);
      return;
    }
    var line = d.type === "line";
    var series = [
      { name: "受理", key: "received" }, { name: "已关闭", key: "closed" }, { name: "处理中", key: "open" }
    ].map(function (s) {
      // the server names the series in the page's language (views._chart_json); Chinese without it
      var name = (d.names && d.names[s.key]) || s.name;
      return { name: name, type: line ? "line" : "bar", data: d[s.key] || [], smooth: false };
    });
    var chart = echarts.init(el, null, { renderer: "svg" });
    // Month labels (the trend) turn when there is no room for them side by side.
    var crowded = line && d.labels.length * 56 > el.clientWidth;
    var category = { type: "category", data: d.labels,
                     axisLabel: { interval: 0, rotate: crowded ? 60 : 0, width: narrow ? 70 : 110, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: line ? category : value,
      yAxis: line ? value : Object.assign({ inverse: true }, category),
      series: series
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
