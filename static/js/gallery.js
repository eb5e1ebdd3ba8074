// Comfort for the tune page and the gallery: presets fill the prompt text in place, a
// click on a thumbnail opens the image large over the page, and a favourite mark is set
// in place. Without this script the presets are links that reload the page with the
// text filled in, thumbnails open the image page, and the mark is a form that reloads.
(function () {
  "use strict";

  // Presets
  document.addEventListener("click", function (event) {
    var chip = event.target.closest("a[data-preset]");
    if (!chip) return;
    var text = document.querySelector("#new-prompt textarea[name=text]");
    if (!text) return;
    event.preventDefault();
    text.value = chip.dataset.preset;
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  });

  // Favourites: send the mark's form in the background and show the new state on every
  // mark of that image (card, gallery, lightbox). If that fails, send it the plain way.
  function favouriteForms(code) {
    return Array.prototype.slice.call(document.querySelectorAll("form.fav-form")).filter(
      function (form) { return form.dataset.code === code; });
  }

  function showFavourite(code, on) {
    favouriteForms(code).forEach(function (form) {
      form.elements.favourite.value = on ? "0" : "1";
      var button = form.querySelector("button");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.title = on ? "A favourite: click to unmark" : "Mark as a favourite";
    });
    document.dispatchEvent(new CustomEvent("favourite-change", { detail: { code: code } }));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.fav-form");
    if (!form || !window.fetch || !window.FormData) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      showFavourite(data.image, data.favourite);
    }).catch(function () {
      form.submit();
    });
  });

  // Lightbox
  if (typeof HTMLDialogElement !== "function") return;

  var dialog, picture, caption, meta, download, page, favourite, prev, next, current, opener;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    dialog = el("dialog", "lightbox");
    dialog.setAttribute("aria-label", "Image viewer");
    var close = el("button", "lightbox-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    prev = el("button", "lightbox-step lightbox-prev", "‹");
    prev.type = "button";
    prev.setAttribute("aria-label", "Previous image");
    next = el("button", "lightbox-step lightbox-next", "›");
    next.type = "button";
    next.setAttribute("aria-label", "Next image");
    var figure = el("figure", "lightbox-figure");
    picture = el("img");
    var info = el("figcaption", "lightbox-info");
    caption = el("p", "lightbox-caption");
    meta = el("p", "lightbox-meta");
    var actions = el("p", "lightbox-actions");
    download = el("a", "btn", "Download");
    page = el("a", "btn btn-ghost", "Image page");
    favourite = el("button", "fav-button");
    favourite.type = "button";
    favourite.append(el("span", "fav-label", "Favourite"));
    actions.append(download, page, favourite);
    info.append(caption, meta, actions);
    figure.append(picture, info);
    dialog.append(close, prev, figure, next);
    document.body.appendChild(dialog);

    close.addEventListener("click", function () { dialog.close(); });
    prev.addEventListener("click", function () { step(-1); });
    next.addEventListener("click", function () { step(1); });
    favourite.addEventListener("click", function () {
      var form = favouriteForms(current)[0];
      if (form) form.requestSubmit();
    });
    document.addEventListener("favourite-change", function (event) {
      if (event.detail.code === current) showMark();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  // a click on the backdrop
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { step(-1); event.preventDefault(); }
      if (event.key === "ArrowRight") { step(1); event.preventDefault(); }
    });
    dialog.addEventListener("close", function () {
      picture.removeAttribute("src");
      // The card may have been refreshed meanwhile: find the thumbnail again by its code.
      var back = thumbnail(current) || opener;
      if (back && document.contains(back)) back.focus();
    });
  }

  function thumbnails() {
    return Array.prototype.slice.call(document.querySelectorAll("a.thumb[data-full]"));
  }

  function thumbnail(code) {
    return thumbnails().filter(function (link) { return link.dataset.code === code; })[0];
  }

  function show(link) {
    current = link.dataset.code;
    picture.src = link.dataset.full;
    picture.alt = link.querySelector("img").alt;
    caption.textContent = link.dataset.caption;
    var all = thumbnails();
    var index = all.indexOf(link);
    meta.textContent = (index + 1) + " of " + all.length + " · " + link.dataset.meta;
    download.href = link.dataset.download;
    page.href = link.href;
    prev.disabled = index <= 0;
    next.disabled = index === all.length - 1;
    showMark();
  }

  function showMark() {
    var form = favouriteForms(current)[0];
    favourite.hidden = !form;
    if (form) {
      var on = form.elements.favourite.value === "0";
      favourite.setAttribute("aria-pressed", on ? "true" : "false");
      favourite.title = on ? "A favourite: click to unmark" : "Mark as a favourite";
    }
  }

  function step(delta) {
    var all = thumbnails();
    var index = all.indexOf(thumbnail(current));
    var target = all[index + delta];
    if (target) show(target);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.thumb[data-full]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (!dialog) build();
    opener = link;
    show(link);
    dialog.showModal();
    dialog.querySelector(".lightbox-close").focus();
  });
})();
