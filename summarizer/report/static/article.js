// summarizer report: article page. Clicking a claim shows its details and scrolls its
// evidence into view; clicking a highlight selects its claim. No network, no eval.
(function () {
  "use strict";
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark[data-claims]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("li.claim"));
  var active = [];

  function marksFor(id) {
    return marks.filter(function (m) { return m.getAttribute("data-claims").split(" ").indexOf(id) >= 0; });
  }
  function itemFor(id) { return document.getElementById("claim-" + id); }

  function select(id, scrollText, scrollList) {
    active.forEach(function (el) { el.classList.remove("active"); });
    var item = itemFor(id);
    active = marksFor(id);
    if (item) { active.push(item); }
    active.forEach(function (el) { el.classList.add("active"); });
    var first = marksFor(id)[0];
    if (scrollText && first) { first.scrollIntoView({ block: "center" }); }
    if (scrollList && item) { item.scrollIntoView({ block: "nearest" }); }
  }

  items.forEach(function (item) {
    var id = item.getAttribute("data-claim");
    item.addEventListener("click", function () { select(id, true, false); });
    item.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(id, true, false); }
    });
    item.addEventListener("mouseenter", function () {
      marksFor(id).forEach(function (m) { m.classList.add("active"); });
    });
    item.addEventListener("mouseleave", function () {
      if (!item.classList.contains("active")) {
        marksFor(id).forEach(function (m) { m.classList.remove("active"); });
      }
    });
  });

  marks.forEach(function (mark) {
    mark.addEventListener("click", function () {
      var ids = mark.getAttribute("data-claims").split(" ");
      // Overlapping evidence: each click moves to the next claim covering this text.
      var current = ids.indexOf(mark.getAttribute("data-next") || ids[0]);
      var id = ids[current < 0 ? 0 : current];
      mark.setAttribute("data-next", ids[(current + 1) % ids.length]);
      select(id, false, true);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.claim-link"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var id = link.getAttribute("data-claim");
      select(id, true, true);
    });
  });
})();
