package conns

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeSTS answers GetCallerIdentity and AssumeRole in the STS query
// protocol and records who called. The emulator is the project's real test
// double; this one lets conns be tested on its own, with exact control over
// answers (throttling, rejected keys) and a record of where requests went.
type fakeSTS struct {
	*httptest.Server
	name string

	mu       sync.Mutex
	calls    []fakeCall
	rejected map[string]bool
	// throttle answers this many calls with Throttling first.
	throttle int
	account  string
}

type fakeCall struct {
	Action    string
	AccessKey string
	Region    string
	Service   string
	Params    map[string]string
}

var scopeRE = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request`)

func newFakeSTS(t *testing.T, name string) *fakeSTS {
	t.Helper()
	f := &fakeSTS{name: name, rejected: map[string]bool{}, account: "111122223333"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call := fakeCall{Action: r.Form.Get("Action"), Params: map[string]string{}}
	for k, v := range r.Form {
		call.Params[k] = v[0]
	}
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		call.AccessKey, call.Region, call.Service = m[1], m[2], m[3]
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	throttled := f.throttle > 0
	if throttled {
		f.throttle--
	}
	rejected := f.rejected[call.AccessKey]
	f.mu.Unlock()

	switch {
	case throttled:
		writeSTSError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
	case rejected:
		writeSTSError(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case call.Action == "GetCallerIdentity":
		arn := "arn:aws:iam::" + f.account + ":user/tester"
		if strings.HasPrefix(call.AccessKey, "ASIA") {
			arn = "arn:aws:sts::" + f.account + ":assumed-role/deployer/session"
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDAFAKE</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, arn, f.account)
	case call.Action == "AssumeRole":
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAFAKE%s</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/deployer/%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			f.name, f.account, call.Params["RoleSessionName"], call.Params["RoleSessionName"])
	default:
		writeSTSError(w, http.StatusBadRequest, "InvalidAction", "unknown action "+call.Action)
	}
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>3</RequestId></ErrorResponse>`, code, msg)
}

func (f *fakeSTS) Calls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeSTS) Reject(akid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected[akid] = true
}
