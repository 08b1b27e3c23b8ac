/* The results page's bar charts of each question's votes (Chart.js, as the budget's results
   page uses), the leading option darker. The table under each chart holds the same numbers
   for every reader, with or without the script. */
(function () {
  "use strict";

  if (typeof Chart === "undefined") return;
  var LEADING = "#1b4f8a";
  var OTHER = "#8a96a3";

  Array.prototype.forEach.call(document.querySelectorAll("canvas.votes-chart"), function (canvas) {
    var node = document.getElementById(canvas.dataset.chart);
    var rows = node ? JSON.parse(node.textContent) : [];
    if (!rows.length) return;
    var most = Math.max.apply(null, rows.map(function (row) { return row.votes; }));
    var box = canvas.parentNode;
    box.hidden = false;
    box.style.height = 48 + rows.length * 30 + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (row) { return row.label; }),
        datasets: [{
          data: rows.map(function (row) { return row.votes; }),
          backgroundColor: rows.map(function (row) {
            return most > 0 && row.votes === most ? LEADING : OTHER;
          })
        }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } }
      }
    });
    canvas.dataset.drawn = "true";
  });
})();
