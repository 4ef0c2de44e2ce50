// The matching run's progress on the review page, without reloading it: every three seconds
// the page asks for the run's status, moves the bar, and when the run is over says so in a
// polite status region, with the link that shows the result. Without JavaScript the link is
// there from the start.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var bar = box.querySelector("[role=progressbar]");
  var fill = box.querySelector(".progress-bar");
  var status = document.getElementById("run-progress-status");
  var link = document.getElementById("run-progress-link");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) { return; }
        var percent = String(run.progress);
        bar.setAttribute("aria-valuenow", percent);
        fill.style.width = percent + "%";
        fill.textContent = percent + "%";
        if (run.in_progress) {
          window.setTimeout(poll, 3000);
          return;
        }
        status.textContent = box.getAttribute(run.status === "done" ? "data-done" : "data-failed");
        link.classList.add("fw-bold");
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
