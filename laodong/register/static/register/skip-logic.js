// Show only the items that apply, as the paper form's "go to" instructions say.
// The rules come from the form definition (data-when on each item); the server applies the same
// rules again, so a hidden item is also disabled and never submitted.
(function () {
  "use strict";

  function currentValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled) { return; }
      if (element.type === "radio") {
        if (element.checked) { values[element.name] = element.value; }
        else if (!(element.name in values)) { values[element.name] = ""; }
      } else if (element.type === "checkbox") {
        values[element.name] = values[element.name] || [];
        if (element.checked) { values[element.name].push(element.value); }
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function holds(condition, values) {
    if (condition.all) {
      return condition.all.every(function (part) { return holds(part, values); });
    }
    var value = values[condition.field];
    if ("contains" in condition) {
      return Array.isArray(value) && value.indexOf(condition.contains) !== -1;
    }
    return (condition["in"] || []).indexOf(value) !== -1;
  }

  function apply(form) {
    // Hiding one item can hide the items that depend on it: repeat until nothing changes.
    for (var pass = 0; pass < 4; pass++) {
      var values = currentValues(form);
      var changed = false;
      form.querySelectorAll("[data-when]").forEach(function (wrapper) {
        var show = holds(JSON.parse(wrapper.getAttribute("data-when")), values);
        if (wrapper.hidden === show) {
          changed = true;
          wrapper.hidden = !show;
          wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
            input.disabled = !show;
          });
        }
      });
      if (!changed) { break; }
    }
    // A section whose items are all skipped (e.g. "employed" for an unemployed person) goes too.
    form.querySelectorAll("fieldset").forEach(function (fieldset) {
      fieldset.hidden = fieldset.querySelectorAll(".field:not([hidden])").length === 0;
    });
  }

  document.querySelectorAll("form[data-skip-logic]").forEach(function (form) {
    form.addEventListener("change", function () { apply(form); });
    apply(form);
  });
})();
