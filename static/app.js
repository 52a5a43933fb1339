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

  // The account list: "select all on this page", and the count of selected rows.
  var selectPage = document.getElementById("select-page");
  var rowBoxes = document.querySelectorAll("#bulk input[name=selected]");
  var selectedCount = document.getElementById("selected-count");
  function announce() {
    var n = 0;
    rowBoxes.forEach(function (box) { if (box.checked) { n += 1; } });
    if (selectedCount) { selectedCount.textContent = n === 1 ? "1 selected" : n + " selected"; }
    if (selectPage) { selectPage.checked = n > 0 && n === rowBoxes.length; }
  }
  if (selectPage && rowBoxes.length > 0) {
    selectPage.hidden = false;
    selectPage.addEventListener("change", function () {
      rowBoxes.forEach(function (box) { box.checked = selectPage.checked; });
      announce();
    });
    rowBoxes.forEach(function (box) { box.addEventListener("change", announce); });
  }

  // After a rejected form, put the keyboard on the first field in error.
  var firstError = document.querySelector("[aria-invalid=true]");
  if (firstError) {
    firstError.focus();
  }
})();
