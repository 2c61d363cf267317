// Print buttons on the table cards and the check-in list. Without JavaScript they stay hidden
// and the browser's own Print command does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
