// "Print this page": shown only when JavaScript runs, as the Content Security Policy
// allows no inline handlers. Any element with a data-print attribute prints the page.
document.querySelectorAll("[data-print]").forEach((control) => {
  control.hidden = false;
  control.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
});
