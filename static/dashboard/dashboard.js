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

// "Copy" buttons: data-copy names the input whose text goes to the clipboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) {
    return;
  }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = document.querySelector("[data-copy-status]");
  if (!source) {
    return;
  }
  source.select();
  var done = function () {
    if (status) {
      status.textContent = "Copied.";
    }
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(source.value).then(done, function () {
      if (status) {
        status.textContent = "Select the link and copy it.";
      }
    });
  } else if (document.execCommand && document.execCommand("copy")) {
    done();
  }
});
