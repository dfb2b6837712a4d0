// Package restapi is the /v1 REST binding of the Data API: the same
// operations and field names as the AWS binding, authenticated with
// Bearer tipgate session tokens, errors as a stable {code, message}, and
// its contract in openapi.json. It only translates; dataapi does the work.
package restapi
