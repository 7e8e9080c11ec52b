// "Copy link" buttons: copy the named field's text and say so in the button.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  var done = function () {
    button.dataset.label = button.dataset.label || button.textContent;
    button.textContent = "✓ " + button.dataset.label;
  };
  if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done); }
  else { document.execCommand("copy"); done(); }
});
