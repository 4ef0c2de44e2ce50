// Forms say what is wrong in the page's own words, not in the browser's required-field bubbles
// (which speak the browser's language); after a send with errors the focus goes to the summary
// above the form (templates/includes/error_summary.html), which links each field in error.
(() => {
  "use strict";
  document.querySelectorAll("form").forEach((form) => { form.noValidate = true; });
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
