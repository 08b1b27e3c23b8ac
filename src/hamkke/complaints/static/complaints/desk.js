/* Small conveniences of the desk; every form works without them. */
(function () {
  "use strict";

  // A response template fills the public answer at once (without JavaScript the picker
  // reloads the page with ?template=<id>, and the server fills it).
  var picker = document.querySelector("form[data-template-picker]");
  var note = document.getElementById("id_public_note");
  var status = document.getElementById("id_status");
  function useTemplate() {
    var option = picker.querySelector("select").selectedOptions[0];
    if (!option || !option.value || !note) return;
    note.value = option.dataset.body;
    var wanted = option.dataset.status;
    if (wanted && status && status.querySelector('option[value="' + wanted + '"]')) {
      status.value = wanted;
    }
    note.focus();
  }
  if (picker && note) {
    picker.addEventListener("submit", function (event) {
      event.preventDefault();
      useTemplate();
    });
    picker.querySelector("select").addEventListener("change", useTemplate);
  }

  // "Select all on this page" for bulk actions; re-bound when htmx swaps the results in.
  function bindSelectAll(root) {
    var button = root.querySelector("[data-select-all]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var boxes = root.querySelectorAll('input[name="tracking_numbers"]');
      var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
      boxes.forEach(function (box) { box.checked = !all; });
    });
  }
  bindSelectAll(document);
  document.body.addEventListener("htmx:afterSwap", function () {
    var results = document.getElementById("queue-results");
    if (results) bindSelectAll(results);
  });
})();
