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
    var line = d.type === "line";
    var series = [
      { name: "受理", key: "received" }, { name: "已关闭", key: "closed" }, { name: "处理中", key: "open" }
    ].map(function (s) {
      return { name: s.name, type: line ? "line" : "bar", data: d[s.key] || [], smooth: false };
    });
    var chart = echarts.init(el, null, { renderer: "svg" });
    var category = { type: "category", data: d.labels, axisLabel: { interval: 0, width: narrow ? 70 : 110, overflow: "truncate" } };
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
