/*
 * The feedback form (/tevredenheid/), loaded as a module after the vendored ALTCHA widget.
 *  - Gives the widget its words in the page's language, from the portal's own translations (the JSON block
 *    #captcha-strings), so the Dutch page has a Dutch widget.
 *  - After a failed send, moves focus to the error summary so that it is read out first.
 * Without JavaScript the widget cannot run; the page then says so and offers e-mail instead.
 */
const altcha = globalThis.$altcha;
const stringsElement = document.getElementById("captcha-strings");

if (altcha && stringsElement) {
  const language = (document.documentElement.lang || "nl").toLowerCase();
  const strings = JSON.parse(stringsElement.textContent);
  // Texts the portal does not translate (those of ALTCHA's paid code challenges, which we do not use) stay English.
  altcha.i18n.set(language, { ...(altcha.i18n.get("en") || {}), ...strings });
}

// One answer per click: a second click would reuse the captcha already spent and show a misleading error.
const form = document.querySelector("form.satisfaction-form");
if (form) {
  form.addEventListener("submit", () => {
    for (const button of form.querySelectorAll('button[type="submit"]')) {
      button.disabled = true;
    }
  });
}

const summary = document.getElementById("error-summary");
if (summary) {
  summary.focus();
}
