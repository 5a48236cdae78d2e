// Kanel's own script: small conveniences on top of htmx. No inline handlers (strict CSP).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest(".flash");
      if (box) box.remove();
    }
  });

  // A select marked data-autosubmit sends its form as soon as it changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit();
    }
  });

  // "/" focuses the search box, as in the tools our users already know.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || document.activeElement.isContentEditable) return;
    var search = document.querySelector("[data-search-shortcut]");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // Success messages fade after a while; errors stay until dismissed.
  function expireFlashes(root) {
    (root || document).querySelectorAll(".flash-success, .flash-info").forEach(function (box) {
      if (box.dataset.expiring) return;
      box.dataset.expiring = "1";
      setTimeout(function () { box.remove(); }, 6000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { expireFlashes(); });
  document.addEventListener("htmx:afterSettle", function (event) { expireFlashes(event.target); });
})();
