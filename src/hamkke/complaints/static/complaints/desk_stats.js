/* The statistics page's charts (Chart.js). The tables beside them carry the same numbers,
   so the page is complete without JavaScript or for screen readers. */
(function () {
  "use strict";
  var source = document.getElementById("desk-charts");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data[canvas.dataset.chart];
    if (!series || !series.labels.length) return;
    var horizontal = canvas.dataset.kind === "bar" && series.labels.length > 8;
    new Chart(canvas, {
      type: canvas.dataset.kind,
      data: {
        labels: series.labels,
        datasets: [{ data: series.values, backgroundColor: "#0b57a4", borderColor: "#0b57a4" }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : undefined,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
