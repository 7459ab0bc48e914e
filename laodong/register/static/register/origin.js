// Shows only the reference fields the chosen source needs (the server checks them anyway).
(function () {
  "use strict";
  var needs = {
    procedure: ["reference_title", "reference", "reference_date", "reason"],
    bhxh: ["reference", "reference_date", "reason"],
    bhtn: ["reference", "reference_date", "reason"],
    job_centre: ["reference", "reference_date", "reason"],
    police: ["reference", "reference_date", "reason"],
    correction: ["reason"],
    collection: ["reason"],
    other: ["reason"]
  };
  document.querySelectorAll("[data-origin]").forEach(function (box) {
    var select = box.querySelector("[data-origin-field=source] select");
    if (!select) { return; }
    function show() {
      var wanted = needs[select.value] || [];
      box.querySelectorAll("[data-origin-field]").forEach(function (field) {
        var name = field.getAttribute("data-origin-field");
        if (name === "source") { return; }
        var input = field.querySelector("input");
        // A field with a value or an error stays visible whatever the source.
        var keep = (input && input.value) || field.classList.contains("has-error");
        // (style, not the hidden attribute: the stylesheet gives .field a display of its own)
        field.style.display = wanted.indexOf(name) >= 0 || keep || !select.value ? "" : "none";
      });
      box.querySelectorAll(".origin-help [data-for]").forEach(function (line) {
        var shown = line.getAttribute("data-for").split(" ").indexOf(select.value) >= 0;
        line.style.display = shown ? "" : "none";
      });
    }
    select.addEventListener("change", show);
    show();
  });
})();
