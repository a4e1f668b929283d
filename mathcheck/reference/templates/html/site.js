/* The reference's page script: KaTeX for every .math element, and the search box.
   No network: katex.min.js, macros.js and search-index.js are loaded before this file. */
(function () {
  "use strict";

  /* Each .math element holds TeX as text. A formula KaTeX cannot read is left as its TeX,
     marked .math-failed and reported with console.error (the site's test reads the console). */
  function renderMath() {
    var elements = document.querySelectorAll(".math");
    var failed = 0;
    var macros = window.MATHCHECK_MACROS || {};
    Array.prototype.forEach.call(elements, function (el) {
      var tex = el.textContent;
      try {
        katex.render(tex, el, {
          displayMode: el.classList.contains("display"),
          throwOnError: true,
          macros: Object.assign({}, macros), // KaTeX may add to it: a copy per formula
        });
      } catch (err) {
        failed += 1;
        el.textContent = tex;
        el.classList.add("math-failed");
        var entry = el.closest("article");
        console.error("KaTeX could not render a formula of " +
          (entry ? entry.id : document.title) + ": " + err.message);
      }
    });
    document.documentElement.dataset.mathTotal = String(elements.length);
    document.documentElement.dataset.mathFailed = String(failed);
  }

  /* Entries whose id, title, concepts and text hold every word of the query, best first:
     a word that is a part of the id (or begins one), then of the title, then a concept, then the text. */
  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    var hits = [];
    (window.MATHCHECK_SEARCH || []).forEach(function (item) {
      var id = item.id.toLowerCase();
      var title = item.title.toLowerCase();
      var concepts = item.concepts.map(function (c) { return c.toLowerCase(); });
      var text = [id, title, concepts.join(" "), item.text.toLowerCase()].join(" ");
      var score = 0;
      var concept = null;
      for (var i = 0; i < words.length; i++) {
        var w = words[i];
        if (text.indexOf(w) < 0) return;
        var inConcept = concepts.findIndex(function (c) { return c.indexOf(w) >= 0; });
        var parts = id.split(/[._]/);
        var titleWords = title.split(/[^a-z0-9]+/);
        if (id === w) score += 100;
        else if (parts.indexOf(w) >= 0) score += 50;
        else if (parts.some(function (p) { return p.startsWith(w); })) score += 40;
        else if (id.indexOf(w) >= 0) score += 30;
        else if (titleWords.indexOf(w) >= 0) score += 20;
        else if (titleWords.some(function (t) { return t.startsWith(w); })) score += 15;
        else if (title.indexOf(w) >= 0) score += 10;
        else if (inConcept >= 0) { score += 8; concept = item.concepts[inConcept]; }
        else score += 1;
      }
      hits.push({ item: item, score: score, concept: concept });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.item.id < b.item.id ? -1 : 1); });
    return hits;
  }

  function setupSearch() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    if (!input || !list) return;
    function show() {
      var results = search(input.value).slice(0, 20);
      list.textContent = "";
      results.forEach(function (hit) {
        var item = hit.item;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.href;
        var id = document.createElement("code");
        id.textContent = item.id;
        var title = document.createElement("span");
        title.textContent = " " + item.title;
        var section = document.createElement("small");
        section.textContent = (hit.concept ? " — " + hit.concept + ", " : " — ") + item.section;
        a.append(id, title, section);
        li.append(a);
        list.append(li);
      });
      if (!results.length && input.value.trim()) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "no entry matches";
        list.append(none);
      }
      list.hidden = !input.value.trim();
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var first = list.querySelector("a");
        if (first) window.location.href = first.href;
      } else if (event.key === "Escape") {
        input.value = "";
        show();
      }
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".search")) list.hidden = true;
    });
    input.addEventListener("focus", show);
  }

  /* For tools and tests: the ids the search finds for a query, best first. */
  window.mathcheckSearch = function (query) {
    return search(query).map(function (hit) { return hit.item.id; });
  };
  renderMath();
  setupSearch();
})();
