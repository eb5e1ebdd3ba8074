// Keep a status box fresh without reloading: poll its fragment until it is final.
// When a tune's status changes, the parts of its page that depend on it (marked
// data-live, with a key saying which state they show) are fetched again and swapped
// in where their key changed: the prompt form opens as training ends, closes when
// the tune can no longer make images, without a reload and without losing what was
// typed where nothing had to change.
(function () {
  "use strict";
  var INTERVAL = 3000;

  function refreshParts() {
    fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin", headers: { "Accept": "text/html" },
    })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (part) {
          var next = fresh.getElementById(part.id);
          if (!next || next.dataset.live === part.dataset.live) return;
          var adopted = document.importNode(next, true);
          part.replaceWith(adopted);
          document.dispatchEvent(new CustomEvent("status:updated", { detail: adopted }));
          adopted.querySelectorAll("[data-url][data-final]").forEach(poll);
        });
      })
      .catch(function () { /* the next change tries again */ });
  }

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
          var changed = box.dataset.status && fresh.dataset.status !== box.dataset.status;
          box.replaceWith(fresh);
          document.dispatchEvent(new CustomEvent("status:updated", { detail: fresh }));
          if (changed) refreshParts();
          poll(fresh);
        })
        .catch(function () { poll(box); });
    }, INTERVAL);
  }

  document.querySelectorAll("[data-url][data-final]").forEach(poll);
})();
