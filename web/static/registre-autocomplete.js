/* Registre: suggestions under the search box, as progressive enhancement. Without this script the
   search forms work as they are. With it, each search input becomes a WAI-ARIA 1.2 combobox with a
   listbox popup (list autocomplete): the arrow keys move through the suggestions from
   /api/v1/suggest, Enter opens the chosen record, Escape closes the list, and a polite live region
   says how many suggestions there are, in the page's language. The list is laid over the page
   (absolute position), so showing it moves nothing. */
(function () {
  "use strict";

  var english = document.documentElement.lang === "en";
  var words = english
    ? { none: "No suggestion.", one: "1 suggestion: use the up and down arrows to choose.",
        many: " suggestions: use the up and down arrows to choose.", list: "Suggestions",
        supplier: "Supplier", offer: "Offer" }
    : { none: "Aucune suggestion.", one: "1 suggestion : utilisez les flèches haut et bas pour choisir.",
        many: " suggestions : utilisez les flèches haut et bas pour choisir.", list: "Suggestions",
        supplier: "Fournisseur", offer: "Offre" };
  var prefix = english ? "/en" : "";
  var DELAY = 200;
  var LIMIT = 8;

  function enhance(input, index) {
    var bar = input.parentNode;
    var listId = "suggestions-" + index;
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var asked = "";

    list.id = listId;
    list.className = "registre-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", words.list);
    list.hidden = true;
    status.className = "fr-sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    bar.classList.add("registre-combobox");
    bar.appendChild(list);
    bar.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    function url(item) {
      var path = item.kind === "offer" ? "/offres/" : "/fournisseurs/";
      return prefix + path + encodeURIComponent(item.key);
    }

    function setActive(next) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = next;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      if (items.length > 0) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function choose(i) {
      if (items[i]) {
        input.value = items[i].text;
        close();
        window.location.assign(url(items[i]));
      }
    }

    function show(suggestions) {
      items = suggestions;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        var kind = document.createElement("span");
        option.id = listId + "-" + i;
        option.className = "registre-suggestion";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(document.createTextNode(item.text + " "));
        kind.className = "fr-hint-text registre-suggestion__kind";
        kind.textContent = item.kind === "offer" ? words.offer : words.supplier;
        option.appendChild(kind);
        // mousedown, not click: the input keeps the focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      status.textContent = items.length === 0 ? words.none
        : items.length === 1 ? words.one : items.length + words.many;
      if (items.length > 0) {
        open();
      } else {
        close();
      }
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) {
        return;
      }
      asked = text;
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (text.length < 2) {
        show([]);
        status.textContent = "";
        return;
      }
      pending = new AbortController();
      fetch("/api/v1/suggest?limit=" + LIMIT + "&q=" + encodeURIComponent(text),
            { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) {
          if (input.value.trim() === text) {
            show(body.suggestions || []);
          }
        })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var count = items.length;
      if (event.key === "ArrowDown") {
        if (count === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
          setActive(event.altKey ? -1 : 0);
        } else if (!event.altKey) {
          setActive((active + 1) % count);
        }
      } else if (event.key === "ArrowUp") {
        if (count === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
        }
        setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value !== "") {
          event.preventDefault();
          input.value = "";
          asked = "";
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", close);
  }

  function start() {
    var inputs = document.querySelectorAll("form[role=search] input[name=q]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (window.fetch && window.AbortController) {
        enhance(inputs[i], i);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
