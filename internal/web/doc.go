// Package web is the dashboard's backend-for-frontend: it signs people in
// with the configured OpenID provider (authorization code with PKCE),
// keeps their tokens server-side behind one HttpOnly cookie, and answers
// the dashboard's panels by running fixed, parameterized statements
// through the Data API service with the person's principal, so the
// dashboard gets exactly the enforcement, limits and audit of every other
// client. It also serves the embedded frontend build (see docs/dashboard.md).
package web
