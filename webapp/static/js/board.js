// The pipeline board: drag a card to another column. The drop submits the card's own
// "Move to" form, so the drag obeys exactly the rules of the keyboard and no-JS paths.
(function () {
  "use strict";
  if (window.kanelBoard) return;  // a boosted visit runs the script again
  window.kanelBoard = true;

  function makeSortable(root) {
    if (typeof Sortable === "undefined") return;
    var lists = [];
    if (root.matches && root.matches("[data-stage-cards]")) lists.push(root);
    if (root.querySelectorAll) lists = lists.concat(Array.prototype.slice.call(root.querySelectorAll("[data-stage-cards]")));
    lists.forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "board",
        sort: false,
        draggable: ".deal-card",
        filter: "select, button, input, label",
        preventOnFilter: false,
        animation: 120,
        ghostClass: "deal-card-ghost",
        onEnd: function (event) {
          if (event.from === event.to) return;
          var card = event.item;
          var form = card.querySelector("form.move-form");
          if (!form) return;
          card.kanelOrigin = { list: event.from, next: event.from.children[event.oldIndex] || null };
          form.elements.stage_id.value = event.to.dataset.stageId;
          form.elements.via.value = "board";
          card.classList.add("deal-card-moving");
          form.requestSubmit();
        }
      });
    });
  }

  // A refused or stale drag: the card goes back where it was before the message shows.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    var card = elt && elt.closest ? elt.closest(".deal-card") : null;
    var form = card && card.querySelector("form.move-form");
    if (!form) return;
    card.classList.remove("deal-card-moving");
    var origin = card.kanelOrigin;
    card.kanelOrigin = null;
    if (event.detail.xhr.status >= 300) {
      form.elements.stage_id.value = card.dataset.stageId;
      form.elements.via.value = "keyboard";
      if (origin) origin.list.insertBefore(card, origin.next && origin.next.parentNode === origin.list ? origin.next : null);
    }
  });

  // After a "Move to", the keyboard stays on the moved card in its new column.
  document.addEventListener("htmx:afterSettle", function () {
    var moved = document.querySelector(".deal-card[data-just-moved]");
    if (!moved) return;
    moved.removeAttribute("data-just-moved");
    var select = moved.querySelector("select");
    (select || moved).focus();
  });

  function start() {
    makeSortable(document);
    if (window.htmx) window.htmx.onLoad(makeSortable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
