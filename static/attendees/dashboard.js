// After htmx swaps in a fragment, move focus to its status message (marked data-focus), so
// keyboard and screen-reader users hear what happened and carry on from there.
document.addEventListener("htmx:afterSettle", function (event) {
  var swapped = event.target;
  if (!swapped || !swapped.isConnected || !swapped.querySelector) {
    return;
  }
  var message = swapped.matches("[data-focus]") ? swapped : swapped.querySelector("[data-focus]");
  if (message) {
    message.focus();
  }
});
