// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Warn before leaving a form with changes that were not saved.
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  // After a rejected form, put the keyboard on the first field in error.
  var firstError = document.querySelector("[aria-invalid=true]");
  if (firstError) {
    firstError.focus();
  }
})();
