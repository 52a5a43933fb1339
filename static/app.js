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

  // Fields with data-suggest fill their datalist from that address (a JSON array of
  // strings for ?q=what is typed) as the user types: the page itself carries none.
  document.querySelectorAll("input[data-suggest][list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = null;
    function ask() {
      var typed = input.value.trim();
      if (!list || typed === asked) { return; }
      asked = typed;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          if (typed !== asked) { return; }
          list.replaceChildren.apply(list, names.map(function (name) {
            var option = document.createElement("option");
            option.value = name;
            return option;
          }));
        })
        .catch(function () { asked = null; });
    }
    input.addEventListener("focus", ask);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
  });

  // After a rejected form, put the keyboard on the first field in error.
  var firstError = document.querySelector("[aria-invalid=true]");
  if (firstError) {
    firstError.focus();
  }
})();
