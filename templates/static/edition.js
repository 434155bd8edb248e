/* edition: what JavaScript adds to pages that work without it.
   - copy buttons in a paragraph's citation line (shown when the paragraph is the link target);
   - the abstracts as tabs, one per language (without JavaScript all are shown);
   - search, on the search page (the only part that needs JavaScript).
   No framework, no files from elsewhere. */
(function () {
  "use strict";

  var strings = {};
  try {
    var source = document.getElementById("edition-strings");
    if (source) strings = JSON.parse(source.textContent);
  } catch (error) { strings = {}; }

  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  /* ---- a polite status line for announcements (copy feedback) ---- */
  var announcer = null;
  function announce(message) {
    if (!announcer) {
      announcer = document.createElement("p");
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  /* ---- copying paragraph links and citations ---- */
  function permalink(anchor) {
    var canonical = document.querySelector('link[rel="canonical"]');
    var base = canonical ? canonical.href : window.location.href;
    return base.split("#")[0].split("?")[0] + "#" + anchor;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (error) { done = false; }
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy")); }
    });
  }

  function copyButton(label, text, copied, feedback) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = label;
    button.addEventListener("click", function () {
      copyText(text()).then(function () {
        feedback.textContent = copied;
        announce(copied);
      }, function () {
        feedback.textContent = t("copyFailed");
        announce(t("copyFailed"));
      });
    });
    return button;
  }

  function setUpCopying() {
    var citations = document.querySelectorAll(".para-cite");
    Array.prototype.forEach.call(citations, function (cite) {
      var paragraph = cite.parentElement;
      if (!paragraph || !paragraph.id) return;
      var text = document.createElement("span");
      text.className = "para-cite-text";
      while (cite.firstChild) text.appendChild(cite.firstChild);
      cite.appendChild(text);
      var tools = document.createElement("span");
      tools.className = "copy-tools";
      var feedback = document.createElement("span");
      feedback.className = "copy-feedback";
      var citation = text.textContent.replace(/\s+/g, " ").trim();
      var link = permalink(paragraph.id);
      // the citation names the paragraph's address; give the absolute one
      citation = citation.replace(/(\S+#[\w-]+)$/, link);
      tools.appendChild(copyButton(t("copyLink"), function () { return link; }, t("linkCopied"), feedback));
      tools.appendChild(copyButton(t("copyCitation"), function () { return citation; }, t("citationCopied"), feedback));
      tools.appendChild(feedback);
      cite.appendChild(tools);
    });
  }

  /* ---- abstracts as tabs (WAI-ARIA tabs pattern, automatic activation) ---- */
  var tabSets = [];

  function setUpTabs() {
    var container = document.querySelector(".abstracts");
    if (!container) return;
    var panels = Array.prototype.filter.call(container.children, function (child) {
      return child.classList.contains("abstract") && child.id;
    });
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.className = "abstract-tabs";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", t("abstractTabs"));
    var tabs = panels.map(function (panel) {
      var tab = document.createElement("button");
      var lang = panel.getAttribute("lang") || "";
      tab.type = "button";
      tab.id = "tab-" + panel.id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      if (lang) tab.setAttribute("lang", lang);
      tab.textContent = (strings.languageNames && strings.languageNames[lang]) || lang || panel.id;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.setAttribute("tabindex", "0");
      list.appendChild(tab);
      return tab;
    });
    panels[0].parentNode.insertBefore(list, panels[0]);
    container.classList.add("has-tabs");

    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var chosen = i === index;
        tab.setAttribute("aria-selected", chosen ? "true" : "false");
        tab.tabIndex = chosen ? 0 : -1;
        panels[i].hidden = !chosen;
      });
      if (focus) tabs[index].focus();
    }

    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(i, false); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") next = (i + 1) % tabs.length;
        else if (event.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
        else if (event.key === "Home") next = 0;
        else if (event.key === "End") next = tabs.length - 1;
        if (next !== null) {
          event.preventDefault();
          select(next, true);
        }
      });
    });

    var pageLang = document.documentElement.getAttribute("lang");
    var initial = panels.findIndex(function (panel) { return panel.getAttribute("lang") === pageLang; });
    select(initial < 0 ? 0 : initial, false);
    tabSets.push({ panels: panels, select: select });
  }

  /* A link to a paragraph inside a hidden tab panel opens that tab first. */
  function revealTarget(scroll) {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    tabSets.forEach(function (set) {
      set.panels.forEach(function (panel, i) {
        if (panel.hidden && panel.contains(target)) {
          set.select(i, false);
          if (scroll) target.scrollIntoView();
        }
      });
    });
  }

  /* ---- search (Pagefind: one bundle per language, queried together) ---- */
  function setUpSearch() {
    var form = document.getElementById("search-form");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!form || !list || !status) return;
    var input = form.querySelector('input[type="search"]');
    var root = new URL(list.getAttribute("data-root") || "./", window.location.href);
    var engines = null;

    function loadEngines() {
      if (engines) return engines;
      engines = fetch(new URL("pagefind/languages.json", root)).then(function (response) {
        if (!response.ok) throw new Error("languages");
        return response.json();
      }).then(function (bundles) {
        // A bundle per language ("en"), or several shards for a large edition ("en", "en-1"…): the
        // engine is loaded from the language's first shard listed, and the others are merged into it.
        var shards = {};
        bundles.forEach(function (name) {
          var lang = name.split("-")[0];
          (shards[lang] = shards[lang] || []).push(new URL("pagefind/" + name + "/", root).pathname);
        });
        return Promise.all(Object.keys(shards).map(function (lang) {
          var first = shards[lang][0];
          return import(new URL(first + "pagefind.js", root).href).then(function (pagefind) {
            return pagefind.options({ basePath: first, excerptLength: 24 }).then(function () {
              return pagefind.init();
            }).then(function () {
              return Promise.all(shards[lang].slice(1).map(function (path) {
                return pagefind.mergeIndex(path, { excerptLength: 24 });
              }));
            }).then(function () { return { lang: lang, pagefind: pagefind }; });
          });
        }));
      });
      engines.catch(function () { engines = null; });
      return engines;
    }

    function excerptNode(excerpt) {
      // Pagefind marks the words found with <mark>; keep only text and those marks.
      var parsed = new DOMParser().parseFromString("<p>" + excerpt + "</p>", "text/html");
      var out = document.createElement("p");
      out.className = "search-excerpt";
      Array.prototype.forEach.call(parsed.body.firstChild.childNodes, function (node) {
        if (node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          out.appendChild(mark);
        } else {
          out.appendChild(document.createTextNode(node.textContent));
        }
      });
      return out;
    }

    function where(meta, lang) {
      var name = (strings.languageNames && strings.languageNames[lang]) || lang;
      if (meta.part === "abstract") return t("abstract") + " (" + name + ")";
      if (meta.part === "title") return t("title") + " (" + name + ")";
      if (meta.paragraph) return t("paragraph", { n: meta.paragraph }) + (meta.section ? " · " + meta.section : "");
      return meta.section || "";
    }

    // One indexed page per document and language; each paragraph is a sub-result under its anchor,
    // described (part, section, ¶ number) in the page's "units" metadata.
    function paragraphs(lang, result, data) {
      // {"s": [section headings], "u": {anchor: [part's initial, section's place, ¶ number]}}
      var described = {}, sections = [], parts = { p: "paragraph", h: "heading", a: "abstract" };
      try {
        var units = JSON.parse(data.meta.units || "{}");
        described = units.u || {};
        sections = units.s || [];
      } catch (error) { described = {}; }
      return (data.sub_results || []).map(function (sub) {
        var anchor = sub.anchor && sub.anchor.id;
        var unit = anchor && described[anchor];
        var info = unit ? [parts[unit[0]] || "", sections[unit[1]] || "", unit.length > 2 ? unit[2] : null]
                        : ["title", "", null];
        var score = 0;
        (sub.weighted_locations || []).forEach(function (location) { score += location.balanced_score || 0; });
        return {
          lang: lang, score: score || result.score, target: sub.url.replace(/^\//, ""),
          title: data.meta.title, part: info[0], section: info[1], paragraph: info[2], excerpt: sub.excerpt
        };
      });
    }

    function show(query, found) {
      list.textContent = "";
      found.forEach(function (item) {
        var li = document.createElement("li");
        var heading = document.createElement("a");
        heading.href = new URL(item.target, root).href;
        heading.className = "search-result-link";
        var title = document.createElement("span");
        title.className = "search-result-title";
        title.textContent = item.title;
        heading.appendChild(title);
        var place = where(item, item.lang);
        if (place) {
          var detail = document.createElement("span");
          detail.className = "search-result-where";
          detail.textContent = place;
          heading.appendChild(document.createTextNode(" "));
          heading.appendChild(detail);
        }
        li.appendChild(heading);
        var excerpt = excerptNode(item.excerpt);
        excerpt.setAttribute("lang", item.lang);
        li.appendChild(excerpt);
        list.appendChild(li);
      });
      status.textContent = found.length ? t("resultCount", { n: found.length }) : t("noResults", { q: query });
    }

    var counter = 0;
    function run(query) {
      query = query.trim();
      var mine = ++counter;
      if (!query) { list.textContent = ""; status.textContent = ""; return; }
      status.textContent = t("searching");
      loadEngines().then(function (loaded) {
        return Promise.all(loaded.map(function (engine) {
          return engine.pagefind.search(query).then(function (search) {
            return Promise.all(search.results.slice(0, 20).map(function (result) {
              return result.data().then(function (data) { return paragraphs(engine.lang, result, data); });
            }));
          });
        }));
      }).then(function (perLanguage) {
        if (mine !== counter) return;
        var best = {};
        perLanguage.forEach(function (perDocument) {
          perDocument.forEach(function (items) {
            items.forEach(function (item) {
              if (!best[item.target] || best[item.target].score < item.score) best[item.target] = item;
            });
          });
        });
        var found = Object.keys(best).map(function (key) { return best[key]; });
        found.sort(function (a, b) { return b.score - a.score; });
        show(query, found.slice(0, 30));
      }).catch(function () {
        if (mine === counter) status.textContent = t("searchFailed");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = input.value;
      var url = new URL(window.location.href);
      url.searchParams.set("q", query);
      window.history.replaceState(null, "", url.href);
      run(query);
    });
    var initial = new URL(window.location.href).searchParams.get("q");
    if (initial) {
      input.value = initial;
      run(initial);
    }
  }

  function start() {
    setUpCopying();
    setUpTabs();
    revealTarget(true);
    window.addEventListener("hashchange", function () { revealTarget(true); });
    setUpSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
