// Start-up without inline script, so the Content-Security-Policy can forbid it.
import { initAll as govukInitAll } from "./govuk-frontend.min.js";
import { initAll as mojInitAll } from "./moj-frontend.min.js";
import { initTimeoutWarning } from "./timeout-warning.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
govukInitAll();
mojInitAll();
initTimeoutWarning();
