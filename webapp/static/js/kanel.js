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

// Industry picker: a chosen option fills the text box and the hidden id; typing clears the id.
// A confirmation dialog fetched by htmx opens as a modal.
(function () {
  "use strict";
  function pickerOf(el) { return el.closest && el.closest("[data-industry-picker]"); }
  function options(picker) { return Array.prototype.slice.call(picker.querySelectorAll("[data-industry-option]")); }
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-industry-option]");
    var picker = option && pickerOf(option);
    if (!picker) return;
    picker.querySelector("[data-industry-id]").value = option.dataset.id;
    var text = picker.querySelector("[data-industry-text]");
    text.value = option.dataset.label;
    picker.querySelector(".picker-options").innerHTML = "";
    text.focus();
    // A filter applies as soon as an industry is picked.
    var chosen = picker.querySelector("[data-industry-id]");
    if (picker.hasAttribute("data-submit-on-pick") && chosen.form) chosen.form.requestSubmit();
  });
  document.addEventListener("input", function (event) {
    var picker = event.target.matches && event.target.matches("[data-industry-text]") && pickerOf(event.target);
    if (picker) picker.querySelector("[data-industry-id]").value = "";
  });
  document.addEventListener("keydown", function (event) {
    var picker = pickerOf(event.target);
    if (!picker) return;
    var list = options(picker);
    var at = list.indexOf(event.target);
    if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) picker.querySelector("[data-industry-text]").focus(); else list[at - 1].focus();
    } else if (event.key === "Escape" && list.length) {
      picker.querySelector(".picker-options").innerHTML = "";
      picker.querySelector("[data-industry-text]").focus();
    } else if (event.key === "Enter" && event.target.matches("[data-industry-text]") && list.length === 1) {
      event.preventDefault();
      list[0].click();
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    event.target.querySelectorAll("dialog[data-modal]").forEach(function (dialog) {
      if (!dialog.open) dialog.showModal();
    });
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

// Header search: ArrowDown/ArrowUp move from the box through its results and back (Enter
// opens the focused one, as any link); Escape on a result returns to the box.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest(".topbar-search");
    var results = document.getElementById("search-results");
    var box = form && form.querySelector("[data-search-shortcut]");
    if (!results || !box) return;
    var list = Array.prototype.slice.call(results.querySelectorAll("a[href]"));
    var at = list.indexOf(event.target);
    if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) box.focus(); else list[at - 1].focus();
    } else if (event.key === "Escape" && at >= 0) {
      box.focus();
    }
  });
})();
