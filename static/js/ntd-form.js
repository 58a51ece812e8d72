/*
 * The NTD notice form, made a little easier with JavaScript. Without it the form works the same: every field is
 * shown, and the server checks everything.
 *  - Parts that apply to one answer only ([data-ntd-show="<field>"][data-ntd-values="<value> ..."]) are shown
 *    when that answer is chosen.
 *  - Chosen evidence files are listed with their sizes, with a warning when they exceed the limits.
 *  - After a failed submit, focus moves to the error summary so that it is read out first.
 */
(function () {
  "use strict";

  var form = document.querySelector("form.ntd-form");
  if (!form) {
    return;
  }

  // --- parts that depend on an answer -------------------------------------------------------------------------

  var dependents = Array.prototype.slice.call(form.querySelectorAll("[data-ntd-show]"));

  function currentValue(name) {
    var inputs = form.querySelectorAll('input[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) {
        continue;
      }
      return input.type === "checkbox" ? "on" : input.value;
    }
    return "";
  }

  function hasError(element) {
    return element.querySelector(".is-invalid, .invalid-feedback") !== null;
  }

  function update() {
    dependents.forEach(function (element) {
      var wanted = element.getAttribute("data-ntd-values").split(" ");
      var show = wanted.indexOf(currentValue(element.getAttribute("data-ntd-show"))) !== -1;
      // A part with an error message stays visible, so no message is ever hidden.
      element.hidden = !(show || hasError(element));
    });
  }

  form.addEventListener("change", update);
  update();

  // --- chosen files -------------------------------------------------------------------------------------------

  var fileInput = form.querySelector('input[type="file"][name="evidence"]');
  var chosen = document.getElementById("evidence-chosen");

  function megabytes(bytes) {
    var lang = document.documentElement.lang || undefined;
    if (bytes < 1024 * 1024) {
      return Math.max(1, Math.round(bytes / 1024)).toLocaleString(lang) + " KB";
    }
    return (bytes / (1024 * 1024)).toLocaleString(lang, { maximumFractionDigits: 1 }) + " MB";
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function showFiles() {
    while (chosen.firstChild) {
      chosen.removeChild(chosen.firstChild);
    }
    var files = Array.prototype.slice.call(fileInput.files || []);
    if (!files.length) {
      return;
    }
    var maxFiles = Number(chosen.getAttribute("data-max-files"));
    var maxSize = Number(chosen.getAttribute("data-max-size"));
    var maxTotal = Number(chosen.getAttribute("data-max-total"));
    var warnings = [];
    var total = 0;
    var list = document.createElement("ul");
    list.className = "list-unstyled mb-2";
    files.forEach(function (file) {
      total += file.size;
      var item = document.createElement("li");
      item.textContent = file.name + " (" + megabytes(file.size) + ")";
      if (file.size > maxSize) {
        item.className = "text-danger fw-semibold";
        warnings.push(fill(chosen.getAttribute("data-msg-size"), { name: file.name, max: megabytes(maxSize) }));
      }
      list.appendChild(item);
    });
    chosen.appendChild(list);
    if (files.length > maxFiles) {
      warnings.push(fill(chosen.getAttribute("data-msg-count"), { count: files.length, max: maxFiles }));
    }
    if (total > maxTotal) {
      warnings.push(fill(chosen.getAttribute("data-msg-total"), { size: megabytes(total), max: megabytes(maxTotal) }));
    }
    warnings.forEach(function (text) {
      var warning = document.createElement("p");
      warning.className = "text-danger fw-semibold mb-1";
      warning.textContent = text;
      chosen.appendChild(warning);
    });
  }

  if (fileInput && chosen) {
    fileInput.addEventListener("change", showFiles);
  }

  // --- after a failed submit -------------------------------------------------------------------------------------

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
