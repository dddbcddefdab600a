// Injected by tests/e2e/conftest.py into every page before its own scripts run: records each
// Content-Security-Policy violation so that a test can assert there were none.
(function () {
  "use strict";
  window.__cspViolations = [];
  document.addEventListener(
    "securitypolicyviolation",
    function (event) {
      var entry = event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " " + (event.sample || "");
      window.__cspViolations.push(entry);
      console.error("Content Security Policy violation: " + entry);
    },
    true
  );
})();
