// Paths the Go server answers itself, not the app: the service worker must not answer a
// navigation to them with the app shell, and the router must let the browser load them.
// pwa/test/server-paths.test.js keeps this in step with backend/internal/web/routes.go.
const SERVER_PATH = /^\/(?:api|auth|agency|dev-idp|calendar|files|open311)(?:\/|$)|^\/(?:healthz|readyz|metrics)$/;

/** isServerPath is true for a pathname the server, not the app, answers. */
export function isServerPath(pathname) {
  return SERVER_PATH.test(pathname);
}

/** SERVER_PATHS is the same test as a Workbox NavigationRoute denylist. */
export const SERVER_PATHS = [SERVER_PATH];
