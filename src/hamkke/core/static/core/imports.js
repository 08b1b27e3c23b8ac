// The import job page: while the job is checked or imported, ask the API for its progress every
// second and move the bar; when it settles, reload the page for the report and the actions.
(function () {
  "use strict";
  var panel = document.getElementById("import-job");
  if (!panel || panel.dataset.moving !== "1") return;
  var bar = document.getElementById("import-progress");
  var counts = document.getElementById("import-counts");
  function poll() {
    fetch(panel.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) return;
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        if (job.status === "running") {
          // Numbers only: the sentence around them is the page's, in the reader's language.
          counts.textContent = job.processed.toLocaleString() + " / " + job.total.toLocaleString()
            + " (" + job.percent + "%)";
        }
        if (job.status !== "checking" && job.status !== "running") {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
