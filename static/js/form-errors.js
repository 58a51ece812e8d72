/*
 * Form errors, on every page of the portal (loaded by base.html). After a failed send:
 *  - every control of a field with an error is marked invalid and points at its message (aria-invalid,
 *    aria-describedby), so a screen reader reads the message with the field. The server's templates do this for
 *    text fields; radio buttons of the standard layout, and the captcha's box, which its widget draws later, are
 *    linked here;
 *  - focus moves to the error summary (role="alert", with a link to each field), unless the page's own script has
 *    already moved it, so that the summary is read out first.
 * Without JavaScript the summary still comes first and links to each field, and the messages sit beside the fields.
 */
(function () {
  "use strict";

  var CONTROLS = "input:not([type=hidden]), select, textarea";
  // Each field's wrapper (crispy-forms' div_id_<name>, or the portal's own fieldsets with the same id).
  var WRAPPER = '[id^="div_id_"]';

  function describe(control, errorId) {
    control.setAttribute("aria-invalid", "true");
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(errorId) === -1) {
      // The message first: it is what the person needs to hear before any help text.
      ids.unshift(errorId);
      control.setAttribute("aria-describedby", ids.join(" "));
    }
  }

  function linkControls(wrapper, errorId) {
    Array.prototype.forEach.call(wrapper.querySelectorAll(CONTROLS), function (control) {
      // A field nested inside another's wrapper (a question shown under one choice) has a message of its own.
      if (control.closest(WRAPPER) === wrapper) {
        describe(control, errorId);
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('form .invalid-feedback[id$="_error"]'), function (error) {
    var wrapper = error.closest(WRAPPER);
    if (!wrapper) {
      return;
    }
    linkControls(wrapper, error.id);
    // Controls that a script draws later (the captcha widget's box) are linked as they appear.
    new MutationObserver(function () {
      linkControls(wrapper, error.id);
    }).observe(wrapper, { childList: true, subtree: true });
  });

  var summary = document.getElementById("error-summary");
  if (summary && (!document.activeElement || document.activeElement === document.body)) {
    summary.focus();
  }
})();
