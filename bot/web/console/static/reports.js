// Draws each report chart (Chart.js, vendored) from the spec the page embeds; the table
// under every chart carries the same numbers for screen readers and for copying.
(function () {
  "use strict";
  if (!window.Chart) return;
  const palette = ["#1b7a3d", "#c77800", "#b3261e", "#0b5cad", "#6b4fa0"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const stacked = !!spec.stacked;
    const value = {stacked: stacked, beginAtZero: true, ticks: {precision: 0}};
    if (spec.max) value.max = spec.max;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return {label: d.label, data: d.data, backgroundColor: palette[i % palette.length]};
        }),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: spec.horizontal ? {x: value, y: {stacked: stacked}} : {x: {stacked: stacked}, y: value},
        plugins: {legend: {position: "bottom"}},
      },
    });
  });
})();
