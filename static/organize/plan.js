// The plan page's move dialog. Without JavaScript a Move link reloads the page with
// ?move=<person> and the dialog shows in the page, its table search a GET form. With it, the
// link opens the dialog over the page for that person and the search filters the tables as
// you type. Event delegation, so links in results swapped in by htmx work too.
(() => {
  const dialog = document.querySelector("[data-move-dialog]");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const personInput = dialog.querySelector("[data-move-person]");
  const nameOut = dialog.querySelector("[data-move-name]");
  const whereOut = dialog.querySelector("[data-move-where]");
  const search = dialog.querySelector("[data-move-search]");
  const none = dialog.querySelector("[data-move-none]");
  const items = Array.from(dialog.querySelectorAll("[data-move-targets] li[data-search]"));

  const filter = () => {
    const needle = search.value.trim().toLowerCase();
    let shown = 0;
    items.forEach((item) => {
      const match = !needle || item.dataset.search.includes(needle);
      item.hidden = !match;
      if (match) shown += 1;
    });
    none.hidden = shown > 0 || items.length === 0;
  };

  const open = (link) => {
    personInput.value = link.dataset.movePersonId;
    nameOut.textContent = link.dataset.movePersonName;
    whereOut.textContent = `Now at ${link.dataset.movePersonWhere}. `;
    dialog.querySelectorAll("input[type=radio]").forEach((radio) => {
      radio.checked = false;
    });
    search.value = "";
    filter();
    if (dialog.open) dialog.close();
    dialog.showModal();
    search.focus();
  };

  search.addEventListener("input", filter);
  search.form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter();
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-move-person-id]");
    if (link) {
      event.preventDefault();
      open(link);
      return;
    }
    if (event.target.closest("[data-move-close]") && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });
  // Opened by ?move= (a bookmarked or shared link): show it over the page as well.
  if (dialog.open) {
    dialog.close();
    dialog.showModal();
  }
})();
