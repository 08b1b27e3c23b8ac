/* The results page's bar charts of the final scores (Chart.js), one per budget; the selected
   projects in green. The table under each chart holds the same numbers for every reader. */
(function () {
  "use strict";

  if (typeof Chart === "undefined") return;
  var SELECTED = "#1d6b35";
  var OTHER = "#8a96a3";

  Array.prototype.forEach.call(document.querySelectorAll("canvas.score-chart"), function (canvas) {
    var node = document.getElementById(canvas.dataset.chart);
    var rows = node ? JSON.parse(node.textContent) : [];
    if (!rows.length) return;
    var box = canvas.parentNode;
    box.hidden = false;
    box.style.height = 48 + rows.length * 30 + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (row) { return row.label; }),
        datasets: [{
          data: rows.map(function (row) { return row.score; }),
          backgroundColor: rows.map(function (row) { return row.selected ? SELECTED : OTHER; })
        }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100 } },
        plugins: { legend: { display: false } }
      }
    });
    canvas.dataset.drawn = "true";
  });
})();
