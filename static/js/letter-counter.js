// Live character count for the motivation letter. Without JavaScript the page shows the
// count as it was when the page was rendered; the server checks the limit when the letter is
// sent, and a letter over it is kept, never cut.
(function () {
  "use strict";
  var letter = document.getElementById("id_letter");
  var counter = document.getElementById("letter-count");
  if (!letter || !counter) { return; }
  var limit = parseInt(counter.getAttribute("data-limit"), 10);
  var template = counter.getAttribute("data-template");
  var over = counter.getAttribute("data-over");
  var timer = null;
  function update() {
    // Count a line break as one character, as the server does.
    var length = letter.value.replace(/\r\n/g, "\n").length;
    var tooLong = length > limit;
    counter.textContent = (tooLong ? over : template).replace("__count__", String(length));
    counter.classList.toggle("text-danger", tooLong);
    counter.classList.toggle("fw-bold", tooLong);
    if (tooLong) {
      letter.setAttribute("aria-invalid", "true");
    } else {
      letter.removeAttribute("aria-invalid");
    }
  }
  letter.addEventListener("input", function () {
    // Debounced so that screen readers are not flooded while typing.
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  });
  update();
})();
