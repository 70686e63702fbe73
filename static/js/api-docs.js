// Start Swagger UI on the API docs page without inline script (the Content-Security-Policy forbids it).
// Requests made from the page use the signed-in session, so they carry the CSRF token.
(function () {
  var root = document.getElementById("api-reference");
  var csrfToken = root.getAttribute("data-csrf-token");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    // Deep links put a link inside each operation's button, which screen readers cannot use (axe:
    // nested-interactive); without them the button alone opens the operation.
    deepLinking: false,
    // Its colours fall short of WCAG contrast on the dark code background (axe: color-contrast).
    syntaxHighlight: false,
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    },
  });
})();
