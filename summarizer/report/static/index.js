// summarizer report: run overview. Rows come from the JSON data island and are built
// with DOM calls (textContent, never innerHTML), a screenful at a time, so a run of
// thousands of articles opens at once and article text can never become markup.
(function () {
  "use strict";
  var PAGE = 100;
  var data = JSON.parse(document.getElementById("run-data").textContent);
  var col = {};
  data.columns.forEach(function (name, i) { col[name] = i; });
  var rows = data.rows;
  var state = { key: null, dir: 1, shown: PAGE, list: rows };
  var body = document.querySelector("#articles tbody");
  var more = document.getElementById("more-rows");
  var count = document.getElementById("shown-count");
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var conflict = document.getElementById("filter-conflict");
  var anonymous = document.getElementById("filter-anonymous");

  function cell(tr, value, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (value instanceof Node) { td.appendChild(value); } else { td.textContent = value; }
    tr.appendChild(td);
    return td;
  }
  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  function articleRow(row) {
    var tr = document.createElement("tr");
    tr.className = "row " + row[col.status];
    var page = row[col.page];
    cell(tr, page ? link(page, row[col.headline]) : row[col.headline]);
    cell(tr, row[col.path], "path");
    cell(tr, String(row[col.claims]), "num");
    cell(tr, String(row[col.stakeholders]), "num");
    cell(tr, String(row[col.uncertainty]), "num");
    var reason = row[col.reason];
    var label = row[col.status];
    if (reason) { label += row[col.status] === "duplicate" ? " of " + reason : ": " + reason; }
    cell(tr, label, "status");
    return tr;
  }

  function matches(row) {
    var needle = text.value.trim().toLowerCase();
    if (needle && (row[col.headline] + " " + row[col.path]).toLowerCase().indexOf(needle) < 0) { return false; }
    if (status.value && row[col.status] !== status.value) { return false; }
    if (conflict.checked && !row[col.conflict]) { return false; }
    if (anonymous.checked && !row[col.anonymous]) { return false; }
    return true;
  }

  function compare(a, b) {
    var x = a[col[state.key]], y = b[col[state.key]];
    if (typeof x === "string") { return state.dir * x.localeCompare(y); }
    return state.dir * (x - y);
  }

  function render() {
    var list = rows.filter(matches);
    if (state.key) { list.sort(compare); }
    state.list = list;
    body.textContent = "";
    appendRows(0, Math.min(state.shown, list.length));
  }

  function appendRows(from, to) {
    var fragment = document.createDocumentFragment();
    for (var i = from; i < to; i++) { fragment.appendChild(articleRow(state.list[i])); }
    body.appendChild(fragment);
    var shown = body.children.length;
    count.textContent = "Showing " + shown + " of " + state.list.length + " matching articles (" + rows.length + " in the run).";
    more.hidden = shown >= state.list.length;
    more.textContent = "Show " + Math.min(PAGE, state.list.length - shown) + " more";
  }

  function refilter() { state.shown = PAGE; render(); }
  [text, status, conflict, anonymous].forEach(function (el) {
    el.addEventListener("input", refilter);
    el.addEventListener("change", refilter);
  });
  document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); });
  more.addEventListener("click", function () {
    var from = body.children.length;
    state.shown = Math.min(from + PAGE, state.list.length);
    appendRows(from, state.shown);
  });
  Array.prototype.forEach.call(document.querySelectorAll("#articles th[data-key]"), function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      state.dir = state.key === key ? -state.dir : 1;
      state.key = key;
      Array.prototype.forEach.call(document.querySelectorAll("#articles th"), function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      render();
    });
  });
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting && !more.hidden) { more.click(); }
    }).observe(more);
  }
  render();

  // Stakeholder index: [name, times as claimant, [row numbers]].
  var people = data.stakeholders;
  var peopleBody = document.querySelector("#stakeholder-index tbody");
  var peopleFilter = document.getElementById("stakeholder-filter");
  var peopleMore = document.getElementById("more-stakeholders");
  var peopleCount = document.getElementById("stakeholder-count");
  var peopleList = people;
  var SHOW_ARTICLES = 6;

  function appearsIn(numbers) {
    var span = document.createElement("span");
    numbers.forEach(function (n, i) {
      var row = rows[n];
      var item = row[col.page] ? link(row[col.page], row[col.headline]) : document.createTextNode(row[col.headline]);
      if (i >= SHOW_ARTICLES) { item.hidden = true; }
      if (i > 0) { span.appendChild(document.createTextNode(i >= SHOW_ARTICLES ? "" : "; ")); }
      span.appendChild(item);
    });
    if (numbers.length > SHOW_ARTICLES) {
      var all = document.createElement("button");
      all.type = "button";
      all.className = "more";
      all.textContent = "all " + numbers.length;
      all.addEventListener("click", function () {
        Array.prototype.forEach.call(span.querySelectorAll("a[hidden]"), function (a) {
          a.hidden = false;
          span.insertBefore(document.createTextNode("; "), a);
        });
        all.remove();
      });
      span.appendChild(document.createTextNode(" "));
      span.appendChild(all);
    }
    return span;
  }

  function personRow(person) {
    var tr = document.createElement("tr");
    cell(tr, person[0]);
    cell(tr, String(person[2].length), "num");
    cell(tr, String(person[1]), "num");
    cell(tr, appearsIn(person[2]));
    return tr;
  }

  function renderPeople(limit) {
    var needle = peopleFilter.value.trim().toLowerCase();
    peopleList = needle ? people.filter(function (p) { return p[0].toLowerCase().indexOf(needle) >= 0; }) : people;
    peopleBody.textContent = "";
    var fragment = document.createDocumentFragment();
    for (var i = 0; i < Math.min(limit, peopleList.length); i++) { fragment.appendChild(personRow(peopleList[i])); }
    peopleBody.appendChild(fragment);
    peopleCount.textContent = "showing " + peopleBody.children.length + " of " + peopleList.length;
    peopleMore.hidden = peopleBody.children.length >= peopleList.length;
  }
  peopleFilter.addEventListener("input", function () { renderPeople(PAGE); });
  peopleMore.addEventListener("click", function () { renderPeople(peopleBody.children.length + PAGE); });
  renderPeople(PAGE);
})();
