/* "Object by object" on a finished design: each object's outline on the photo lights up with its entry in the
   list (hover or keyboard focus, either way), shows the action chosen for it, and a click on an outline moves
   the focus to that object's choices. The form itself is a plain POST and works without this. */
"use strict";

(function () {
  var form = document.getElementById("objects-form");
  if (!form) return;

  function outline(id) { return form.querySelector('.object-outline[data-object="' + id + '"]'); }
  function entry(id) { return form.querySelector('.object-choice[data-object="' + id + '"]'); }

  function highlight(id, on) {
    [outline(id), entry(id)].forEach(function (element) {
      if (element) element.classList.toggle("is-active", on);
    });
  }

  form.querySelectorAll(".object-choice").forEach(function (item) {
    var id = item.dataset.object;
    item.addEventListener("mouseenter", function () { highlight(id, true); });
    item.addEventListener("mouseleave", function () { highlight(id, item.contains(document.activeElement)); });
    item.addEventListener("focusin", function () { highlight(id, true); });
    item.addEventListener("focusout", function () { highlight(id, false); });
    item.addEventListener("change", function (event) {
      var rect = outline(id);
      if (rect) rect.dataset.action = event.target.value;  // coloured by its action in site.css
      item.dataset.action = event.target.value;
    });
  });

  form.querySelectorAll(".object-outline").forEach(function (rect) {
    var id = rect.dataset.object;
    rect.addEventListener("mouseenter", function () { highlight(id, true); });
    rect.addEventListener("mouseleave", function () { highlight(id, false); });
    rect.addEventListener("click", function () {
      var checked = entry(id).querySelector("input:checked") || entry(id).querySelector("input");
      checked.focus();
    });
  });
})();
