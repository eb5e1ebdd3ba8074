// Keep a status box fresh without reloading: poll its fragment until it is final.
(function () {
  "use strict";
  var INTERVAL = 3000;

  function poll(box) {
    if (box.dataset.final === "true") return;
    setTimeout(function () {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          // Deleted meanwhile, or logged out (sent to the login page): nothing more to show.
          if (response.status === 404 || response.redirected) return null;
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          if (html === null) return;
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          box.replaceWith(fresh);
          document.dispatchEvent(new CustomEvent("status:updated", { detail: fresh }));
          poll(fresh);
        })
        .catch(function () { poll(box); });
    }, INTERVAL);
  }

  document.querySelectorAll("[data-url][data-final]").forEach(poll);
})();
