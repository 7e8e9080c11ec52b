/* Baeji growth view: draws the charts from the JSON island #growth-data.
   Every chart has a table with the same numbers on the page; without JavaScript the
   tables are what people see. */
(function () {
  "use strict";

  var PALETTE = ["#0b57d0", "#146c2e", "#a8420a", "#6a1b9a", "#00696f", "#b3261e", "#5d4037", "#37474f"];

  function draw() {
    var island = document.getElementById("growth-data");
    if (!island || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(island.textContent);
    var Chart = window.Chart;
    var style = window.getComputedStyle(document.body);
    Chart.defaults.font.family = style.fontFamily;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = "#1b1b1f";
    Chart.defaults.maintainAspectRatio = false;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduceMotion) {
      Chart.defaults.animation = false;
    }
    var countAxis = { beginAtZero: true, ticks: { precision: 0 } };

    data.frameworks.forEach(function (framework) {
      var canvas = document.getElementById(framework.id);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: framework.labels,
          datasets: [{ label: data.text.badges, data: framework.counts, backgroundColor: PALETTE[0] }]
        },
        options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: countAxis } }
      });
    });

    data.matrices.forEach(function (matrix) {
      var canvas = document.getElementById(matrix.id);
      if (!canvas) { return; }
      var datasets = matrix.levels.map(function (level, i) {
        return {
          label: level,
          data: matrix.counts.map(function (row) { return row[i]; }),
          backgroundColor: PALETTE[i % PALETTE.length]
        };
      });
      new Chart(canvas, {
        type: "bar",
        data: { labels: matrix.areas, datasets: datasets },
        options: {
          indexAxis: "y",
          scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });

    var timeline = document.getElementById("timeline");
    if (timeline && data.timeline.labels.length) {
      new Chart(timeline, {
        data: {
          labels: data.timeline.labels,
          datasets: [
            { type: "line", label: data.text.cumulative, data: data.timeline.cumulative,
              borderColor: PALETTE[0], backgroundColor: PALETTE[0], tension: 0.2, pointRadius: 2 },
            { type: "bar", label: data.text.perMonth, data: data.timeline.counts, backgroundColor: PALETTE[1] }
          ]
        },
        options: { scales: { y: countAxis }, plugins: { legend: { position: "bottom" } } }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
