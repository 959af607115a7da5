// Starts Swagger UI on /docs without inline script (the page runs under a strict CSP).
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    persistAuthorization: true, // the token survives a reload of the page
  });
});
