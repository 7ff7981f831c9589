// Starts GOV.UK Frontend's components and sends Django's CSRF token with htmx requests.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.content;
  }
});
