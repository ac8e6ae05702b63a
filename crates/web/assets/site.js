// Banyan's one script: small enhancements of pages that work without it.
// - type-ahead: search boxes marked data-suggest get titles from /api/v1/suggest in their datalist;
// - selects marked data-autosubmit submit their form when changed (the button stays for keyboards
//   and for pages without this script, hidden only when the script runs).
"use strict";
(function () {
  function debounce(fn, ms) {
    var t;
    return function () {
      var args = arguments, self = this;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = input.list;
    if (!list || !window.fetch) return;
    var last = "";
    input.addEventListener("input", debounce(function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      fetch("/api/v1/suggest?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() !== q) return;
          list.textContent = "";
          (data.suggestions || []).forEach(function (s) {
            var o = document.createElement("option");
            o.value = s.title;
            list.appendChild(o);
          });
        })
        .catch(function () {});
    }, 150));
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form && select.form.querySelector(".js-hide");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
