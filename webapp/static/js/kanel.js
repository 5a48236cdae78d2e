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

  // Header search: Enter opens the top hit of the dropdown, Escape closes it.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-search-shortcut]")) return;
    var results = document.getElementById("search-results");
    if (event.key === "Escape" && results) {
      results.innerHTML = "";
    } else if (event.key === "Enter" && results) {
      var top = results.querySelector("[data-top-hit]");
      if (top) {
        event.preventDefault();
        top.click();
      }
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

// Activity log: "n" starts a note on a card; Ctrl/Cmd+Enter saves a form marked data-submit-shortcut.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    var tag = (active && active.tagName) || "";
    var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (active && active.isContentEditable);
    if ((event.key === "n" || event.key === "N") && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var text = document.querySelector("[data-log-shortcut]");
      if (!text) return;
      event.preventDefault();
      var note = text.form && text.form.querySelector('input[name$="kind"][value="note"]');
      if (note) note.checked = true;
      text.focus();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && active && active.form &&
        active.form.hasAttribute("data-submit-shortcut")) {
      event.preventDefault();
      active.form.requestSubmit();
    }
  });
})();

// Deals: links marked data-dialog open that <dialog> instead of their page (won, lost, reopen);
// data-dialog-close closes it; "Log it" links (data-log-kind) choose the kind in the deal's log form.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("input:not([type=hidden]), select, textarea, button");
        if (first) first.focus();
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer && closer.closest("dialog")) {
      event.preventDefault();
      closer.closest("dialog").close();
      return;
    }
    var logLink = event.target.closest("[data-log-kind]");
    if (logLink) {
      var form = document.getElementById("deal-log-form");
      var kind = form && form.querySelector('input[name$="kind"][value="' + logLink.getAttribute("data-log-kind") + '"]');
      if (kind) {
        event.preventDefault();
        kind.checked = true;
        form.scrollIntoView({ behavior: "smooth", block: "start" });
        var text = form.querySelector("input[name$=subject]") || form.querySelector("textarea");
        if (text) text.focus({ preventScroll: true });
      }
    }
  });
})();
