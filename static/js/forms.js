// Forms say what is wrong in the page's own words, not in the browser's required-field bubbles
// (which speak the browser's language); after a send with errors the focus goes to the summary
// above the form (templates/includes/error_summary.html), which links each field in error.
(() => {
  "use strict";
  document.querySelectorAll("form").forEach((form) => { form.noValidate = true; });
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// A list grouped by another field's choice (the units of the chosen organisation): only the
// chosen group is offered; without a choice, or without JavaScript, every group is.
(() => {
  "use strict";
  document.querySelectorAll("select[data-grouped-by]").forEach((select) => {
    const by = document.getElementById(select.dataset.groupedBy);
    if (!by) return;
    const show = () => {
      const chosen = by.selectedIndex > 0 ? by.options[by.selectedIndex].text : "";
      select.querySelectorAll("optgroup").forEach((group) => {
        const hidden = chosen !== "" && group.label !== chosen;
        group.hidden = hidden;
        group.disabled = hidden;
      });
      const current = select.options[select.selectedIndex];
      if (current && current.parentElement.disabled) select.value = "";
    };
    by.addEventListener("change", show);
    show();
  });
})();
