// Live character count for the motivation letter. Without JavaScript the page shows the
// count as it was when the page was rendered, and the field's maxlength still holds.
(function () {
  "use strict";
  var letter = document.getElementById("id_letter");
  var counter = document.getElementById("letter-count");
  if (!letter || !counter) { return; }
  var template = counter.getAttribute("data-template");
  var timer = null;
  function update() {
    // Count a line break as one character, as the server does.
    var length = letter.value.replace(/\r\n/g, "\n").length;
    counter.textContent = template.replace("__count__", String(length));
  }
  letter.addEventListener("input", function () {
    // Debounced so that screen readers are not flooded while typing.
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  });
  update();
})();
