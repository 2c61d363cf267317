// After htmx swaps in a fragment, move focus to its status message (marked data-focus), so
// keyboard and screen-reader users hear what happened and carry on from there. Focus that
// has already moved elsewhere (the user is typing in another field) is left alone.
document.addEventListener("htmx:afterSettle", function (event) {
  var swapped = event.target;
  if (!swapped || !swapped.isConnected || !swapped.querySelector) {
    return;
  }
  var active = document.activeElement;
  if (active && active !== document.body && !swapped.contains(active)) {
    return;
  }
  var message = swapped.matches("[data-focus]") ? swapped : swapped.querySelector("[data-focus]");
  if (message) {
    message.focus();
  }
});
