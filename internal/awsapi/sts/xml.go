package sts

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/tipgate/tipgate/internal/reqid"
)

// Namespace is the XML namespace of every STS response.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

type response struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	Result    any
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

type assumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type credentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type webIdentityResult struct {
	XMLName                     xml.Name        `xml:"AssumeRoleWithWebIdentityResult"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	Audience                    string          `xml:"Audience"`
	AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
	Credentials                 credentials     `xml:"Credentials"`
	Provider                    string          `xml:"Provider"`
}

type assumeRoleResult struct {
	XMLName         xml.Name        `xml:"AssumeRoleResult"`
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
	Credentials     credentials     `xml:"Credentials"`
}

type callerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
	Arn     string   `xml:"Arn"`
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// write is the binding's one encoder: a result in its action's envelope,
// or an *stsError in ErrorResponse.
func write(w http.ResponseWriter, action string, result any, e *stsError, requestID string) {
	var v any
	status := http.StatusOK
	if e != nil {
		typ := "Sender"
		if e.Status >= 500 {
			typ = "Receiver"
		}
		status = e.Status
		v = errorResponse{Xmlns: Namespace, Type: typ, Code: e.Code, Message: e.Message, RequestID: requestID}
	} else {
		v = response{XMLName: xml.Name{Local: action + "Response"}, Xmlns: Namespace, Result: result, RequestID: requestID}
	}
	b, err := xml.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = xml.Marshal(errorResponse{Xmlns: Namespace, Type: "Receiver", Code: "InternalFailure", Message: "the response could not be encoded", RequestID: requestID})
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set(reqid.AmznHeader, requestID)
	w.WriteHeader(status)
	w.Write(b)
}
