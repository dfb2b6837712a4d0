package restapi

import _ "embed"

// openAPI is the contract of /v1, served at /v1/openapi.json and checked
// against every response in the tests.
//
//go:embed openapi.json
var openAPI []byte
