// majlis: the live "characters left" counter of the plain comment form.
// Counts exactly what the server counts: NFC, CRLF as one newline, trimmed,
// in Unicode scalar values.
(function () {
  "use strict";
  function count(text) {
    var s = text.normalize("NFC").replace(/\r\n?/g, "\n").trim();
    return Array.from(s).length;
  }
  document.querySelectorAll("textarea[data-max]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max"), 10) || 0;
    var out = area.form && area.form.querySelector("[data-left]");
    if (!out) return;
    var update = function () {
      var left = max - count(area.value);
      out.textContent = String(left);
      out.parentNode.classList.toggle("majlis-over", left < 0);
    };
    area.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("form.majlis-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) b.disabled = true;
    });
  });
})();
