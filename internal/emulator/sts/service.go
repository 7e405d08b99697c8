// Package sts emulates the AWS Security Token Service: GetCallerIdentity,
// AssumeRole (checked against the role's trust policy held by the IAM
// service), GetSessionToken and GetAccessKeyInfo.
//
// Identities: a request signed with an access key that STS did not issue is
// made by the IAM user arn:aws:iam::<account>:user/emulator-<access key id>
// (user id "AIDA" + 17 characters derived from the key), an administrator of
// the emulated account. A request signed with temporary credentials issued by
// AssumeRole is made by arn:aws:sts::<account>:assumed-role/<role>/<session>;
// once the credentials expire (by the emulator clock) they are answered with
// ExpiredToken, and a session token that does not match the access key is
// answered with InvalidClientTokenId.
//
// STS holds no resources: Inventory is empty. Other services can resolve the
// caller of a request, and refuse expired credentials, with the methods
// Caller, CallerARN and CheckCredentials (reach them through a small
// interface on env.Lookup("sts")).
package sts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// Namespace is the xmlns of STS responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Identity is the principal that signed a request.
type Identity struct {
	Account string
	// ARN is the user ARN, or the assumed-role session ARN
	// (arn:aws:sts::<account>:assumed-role/<role name>/<session name>).
	ARN string
	// UserID is "AIDA…" for users and "<role id>:<session name>" for role sessions.
	UserID string
	// RoleARN and SessionName are set for assumed-role sessions.
	RoleARN     string
	SessionName string
	// Temporary is true for credentials issued by STS; Expiration is then set.
	Temporary  bool
	Expiration time.Time
}

// AssumedRole reports whether the identity is a role session.
func (id Identity) AssumedRole() bool { return id.RoleARN != "" }

type session struct {
	token   string
	expires time.Time
	id      Identity
}

// Service is the emulated STS.
type Service struct {
	env *core.Env
	api *core.API

	mu       sync.Mutex
	sessions map[string]*session // by access key id
}

// New returns the STS service.
func New(env *core.Env) *Service {
	s := &Service{env: env, sessions: map[string]*session{}}
	s.api = s.newAPI()
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "sts" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

// Inventory implements core.Service: STS holds no resources.
func (s *Service) Inventory() []core.Resource { return nil }

// newAPI serves STS's operations in the query protocol; each is told who
// signed the request (ExpiredToken and InvalidClientTokenId come first).
func (s *Service) newAPI() *core.API {
	ops := map[string]func(req *core.Request, caller Identity, p params) (any, *core.APIError){
		"GetCallerIdentity": func(_ *core.Request, caller Identity, _ params) (any, *core.APIError) {
			return getCallerIdentityResult{Arn: caller.ARN, UserID: caller.UserID, Account: caller.Account}, nil
		},
		"AssumeRole": s.assumeRole,
		"GetSessionToken": func(_ *core.Request, caller Identity, p params) (any, *core.APIError) {
			return s.getSessionToken(caller, p)
		},
		"GetAccessKeyInfo": func(req *core.Request, _ Identity, p params) (any, *core.APIError) { return s.getAccessKeyInfo(req, p) },
	}
	api := &core.API{
		Wires:    []core.Wire{core.QueryWire{QueryProtocol: core.QueryProtocol{Namespace: Namespace}, XMLTags: true, Version: "2011-06-15"}},
		Handlers: make(map[string]core.Handler, len(ops)),
	}
	for op, h := range ops {
		api.Handlers[op] = func(req *core.Request) (any, *core.APIError) {
			caller, err := s.Caller(req)
			if err != nil {
				return nil, err
			}
			return h(req, caller, req.Params())
		}
	}
	return api
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// ------------------------------------------------------------ identities

// ExpiredToken is what AWS answers to requests signed with expired
// temporary credentials.
func ExpiredToken() *core.APIError {
	return core.StatusErrorf(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
}

// Caller resolves the identity that signed req. It fails with ExpiredToken
// for expired temporary credentials and InvalidClientTokenId when the
// session token does not belong to the access key.
func (s *Service) Caller(req *core.Request) (Identity, *core.APIError) {
	akid := req.AccessKey
	s.mu.Lock()
	sess := s.sessions[akid]
	s.mu.Unlock()
	if sess == nil {
		return s.userIdentity(akid), nil
	}
	token := ""
	if req.HTTP != nil {
		token = req.HTTP.Header.Get("X-Amz-Security-Token")
		if token == "" {
			token = req.HTTP.URL.Query().Get("X-Amz-Security-Token")
		}
	}
	if token != sess.token {
		return Identity{}, core.InvalidClientTokenID()
	}
	if !s.env.Clock.Now().Before(sess.expires) {
		return Identity{}, ExpiredToken()
	}
	return sess.id, nil
}

// CallerARN is Caller reduced to the caller's ARN.
func (s *Service) CallerARN(req *core.Request) (string, *core.APIError) {
	id, err := s.Caller(req)
	return id.ARN, err
}

// CheckCredentials returns the error AWS would answer for the request's
// credentials (expired or mismatched temporary credentials), or nil.
func (s *Service) CheckCredentials(req *core.Request) *core.APIError {
	_, err := s.Caller(req)
	return err
}

var userNameUnsafe = regexp.MustCompile(`[^\w+=,.@-]`)

// userIdentity is the IAM user behind a long-term access key: a stable name
// and id derived from the key.
func (s *Service) userIdentity(akid string) Identity {
	name := "emulator-" + userNameUnsafe.ReplaceAllString(akid, "-")
	if len(name) > 64 {
		name = name[:64]
	}
	return Identity{
		Account: s.env.AccountID,
		ARN:     "arn:aws:iam::" + s.env.AccountID + ":user/" + name,
		UserID:  "AIDA" + stableID(akid, 17),
	}
}

// ------------------------------------------------------------ XML shapes

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResult struct {
	Credentials     xmlCredentials `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
	PackedPolicySize *int   `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string `xml:"SourceIdentity,omitempty"`
}

// ------------------------------------------------------------ parameters

type params = core.Params

func validationError(field string, value any, constraint string) *core.APIError {
	return core.Errorf("ValidationError", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func missing(field string) *core.APIError {
	return core.Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

var (
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDRE  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	accessKeyRE   = regexp.MustCompile(`^\w*$`)
)

func stringParam(p params, param, field string, minLen, maxLen int, re *regexp.Regexp, pattern string) (string, *core.APIError) {
	v := p.Get(param)
	if len(v) < minLen {
		return "", validationError(field, v, "Member must have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if len(v) > maxLen {
		return "", validationError(field, v, "Member must have length less than or equal to "+strconv.Itoa(maxLen))
	}
	if re != nil && !re.MatchString(v) {
		return "", validationError(field, v, "Member must satisfy regular expression pattern: "+pattern)
	}
	return v, nil
}

func durationParam(p params, minSec, maxSec, def int) (int, *core.APIError) {
	if !p.Has("DurationSeconds") {
		return def, nil
	}
	v := p.Get("DurationSeconds")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validationError("durationSeconds", v, "Member must be an integer")
	}
	if n < minSec {
		return 0, validationError("durationSeconds", n, "Member must have value greater than or equal to "+strconv.Itoa(minSec))
	}
	if n > maxSec {
		return 0, validationError("durationSeconds", n, "Member must have value less than or equal to "+strconv.Itoa(maxSec))
	}
	return n, nil
}

// ------------------------------------------------------------ AssumeRole

// roleDetails is implemented by the IAM service alongside core.RoleDirectory.
type roleDetails interface {
	RoleSessionLimits(arn string) (roleID string, maxSession time.Duration, ok bool)
}

// roleUse is implemented by the IAM service to track RoleLastUsed.
type roleUse interface {
	NoteRoleUsed(arn, region string)
}

type assumeRequest struct {
	roleARN, sessionName, externalID, sourceIdentity, policy string
	duration                                                 int
	durationGiven                                            bool
	tags                                                     map[string]string
	packedSize                                               int
}

func parseAssumeRole(p params) (assumeRequest, *core.APIError) {
	var a assumeRequest
	var err *core.APIError
	if !p.Has("RoleArn") {
		return a, missing("roleArn")
	}
	if a.roleARN, err = stringParam(p, "RoleArn", "roleArn", 20, 2048, nil, ""); err != nil {
		return a, err
	}
	if !p.Has("RoleSessionName") {
		return a, missing("roleSessionName")
	}
	if a.sessionName, err = stringParam(p, "RoleSessionName", "roleSessionName", 2, 64, sessionNameRE, `[\w+=,.@-]*`); err != nil {
		return a, err
	}
	a.durationGiven = p.Has("DurationSeconds")
	if a.duration, err = durationParam(p, 900, 43200, 3600); err != nil {
		return a, err
	}
	if p.Has("ExternalId") {
		if a.externalID, err = stringParam(p, "ExternalId", "externalId", 2, 1224, externalIDRE, `[\w+=,.@:\/-]*`); err != nil {
			return a, err
		}
	}
	if p.Has("SourceIdentity") {
		if a.sourceIdentity, err = stringParam(p, "SourceIdentity", "sourceIdentity", 2, 64, sessionNameRE, `[\w+=,.@-]*`); err != nil {
			return a, err
		}
	}
	if p.Has("Policy") {
		if a.policy, err = stringParam(p, "Policy", "policy", 1, 2048, nil, ""); err != nil {
			return a, err
		}
		if _, perr := iampolicy.Parse(a.policy, iampolicy.IdentityPolicy); perr != nil {
			return a, core.Errorf("MalformedPolicyDocument", "%v", perr)
		}
		a.packedSize += len(a.policy)
	}
	arns := core.QueryList(p, "PolicyArns.member")
	if len(arns) > 10 {
		return a, validationError("policyArns", len(arns), "Member must have length less than or equal to 10")
	}
	for _, m := range arns {
		if arn := m["arn"]; len(arn) < 20 || len(arn) > 2048 {
			return a, validationError("policyArns.member.arn", arn, "Member must have length between 20 and 2048")
		}
		a.packedSize += len(m["arn"])
	}
	tags := core.QueryList(p, "Tags.member")
	if len(tags) > 50 {
		return a, validationError("tags", len(tags), "Member must have length less than or equal to 50")
	}
	if len(tags) > 0 {
		a.tags = map[string]string{}
	}
	for _, m := range tags {
		k, v := m["Key"], m["Value"]
		if len(k) < 1 || len(k) > 128 {
			return a, validationError("tags.member.key", k, "Member must have length between 1 and 128")
		}
		if len(v) > 256 {
			return a, validationError("tags.member.value", v, "Member must have length less than or equal to 256")
		}
		for have := range a.tags {
			if strings.EqualFold(have, k) {
				return a, core.Errorf("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		a.tags[k] = v
		a.packedSize += len(k) + len(v)
	}
	return a, nil
}

func accessDenied(caller Identity, action, resource string) *core.APIError {
	return core.StatusErrorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", caller.ARN, action, resource)
}

func (s *Service) assumeRole(req *core.Request, caller Identity, p params) (any, *core.APIError) {
	a, err := parseAssumeRole(p)
	if err != nil {
		return nil, err
	}
	dir, _ := s.env.Lookup("iam").(core.RoleDirectory)
	if dir == nil {
		return nil, accessDenied(caller, "sts:AssumeRole", a.roleARN)
	}
	info, ok := dir.RoleByARN(a.roleARN)
	if !ok {
		return nil, accessDenied(caller, "sts:AssumeRole", a.roleARN)
	}
	keys := map[string]string{
		"sts:RoleSessionName":  a.sessionName,
		"aws:PrincipalAccount": caller.Account,
		"aws:RequestedRegion":  req.Region,
		"aws:userid":           caller.UserID,
	}
	if caller.AssumedRole() {
		keys["aws:PrincipalArn"] = caller.RoleARN
		keys["aws:PrincipalType"] = "AssumedRole"
	} else {
		keys["aws:PrincipalArn"] = caller.ARN
		keys["aws:PrincipalType"] = "User"
		keys["aws:username"] = caller.ARN[strings.LastIndex(caller.ARN, "/")+1:]
	}
	if p.Has("ExternalId") {
		keys["sts:ExternalId"] = a.externalID
	}
	if a.sourceIdentity != "" {
		keys["sts:SourceIdentity"] = a.sourceIdentity
	}
	for k, v := range a.tags {
		keys["aws:RequestTag/"+k] = v
	}
	actions := []string{"sts:AssumeRole"}
	if len(a.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if a.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		if !s.trusted(dir, caller, info, action, keys) {
			return nil, accessDenied(caller, action, a.roleARN)
		}
	}

	roleID, maxSession := "AROA"+stableID(info.ARN, 17), time.Hour
	if rd, ok := dir.(roleDetails); ok {
		if id, maxDur, ok := rd.RoleSessionLimits(info.ARN); ok {
			roleID, maxSession = id, maxDur
		}
	}
	if caller.AssumedRole() && a.durationGiven && a.duration > 3600 {
		return nil, core.Errorf("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if time.Duration(a.duration)*time.Second > maxSession {
		return nil, core.Errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	var packed *int
	if a.packedSize > 0 {
		pct := (a.packedSize*100 + 2047) / 2048
		if pct > 100 {
			return nil, core.Errorf("PackedPolicyTooLarge", "Serialized token too large for session")
		}
		packed = &pct
	}

	id := Identity{
		Account:     s.env.AccountID,
		ARN:         "arn:aws:sts::" + s.env.AccountID + ":assumed-role/" + info.Name + "/" + a.sessionName,
		UserID:      roleID + ":" + a.sessionName,
		RoleARN:     info.ARN,
		SessionName: a.sessionName,
	}
	creds := s.issue(id, time.Duration(a.duration)*time.Second)
	if ru, ok := dir.(roleUse); ok {
		ru.NoteRoleUsed(info.ARN, req.Region)
	}
	out := assumeRoleResult{Credentials: creds, PackedPolicySize: packed, SourceIdentity: a.sourceIdentity}
	out.AssumedRoleUser.AssumedRoleID = id.UserID
	out.AssumedRoleUser.Arn = id.ARN
	return out, nil
}

// trusted decides whether caller may perform action (sts:AssumeRole,
// sts:TagSession, sts:SetSourceIdentity) on the role. The trust policy must
// allow it and not deny it. When it allows the caller only through its
// account (the account id or its root), the caller's own permissions must
// allow it too: emulator users are administrators, and a role session needs
// its role's policies to allow the action on the target role (role chaining).
func (s *Service) trusted(dir core.RoleDirectory, caller Identity, target core.RoleInfo, action string, keys map[string]string) bool {
	trust, err := iampolicy.Parse(target.AssumeRolePolicy, iampolicy.ResourcePolicy)
	if err != nil {
		return false
	}
	principals := []string{caller.ARN}
	if caller.AssumedRole() {
		// A trust policy may name the role or the session.
		principals = []string{caller.RoleARN, caller.ARN}
	}
	named, viaAccount := false, false
	for _, pa := range principals {
		c := iampolicy.Context{Action: action, Resource: target.ARN, PrincipalARN: pa, PrincipalAccount: caller.Account, Keys: keys}
		switch trust.Evaluate(c, iampolicy.ResourcePolicy) {
		case iampolicy.ExplicitDeny:
			return false
		case iampolicy.Allow:
			viaAccount = true
		}
		c.PrincipalAccount = "" // only principals naming the caller itself (or "*") match now
		if trust.Evaluate(c, iampolicy.ResourcePolicy) == iampolicy.Allow {
			named = true
		}
	}
	if named {
		return true
	}
	if !viaAccount {
		return false
	}
	if !caller.AssumedRole() {
		return true
	}
	own, ok := dir.RoleByARN(caller.RoleARN)
	if !ok {
		return false
	}
	docs := make([]*iampolicy.Document, 0, len(own.Policies))
	for _, p := range own.Policies {
		if d, err := iampolicy.Parse(p, iampolicy.IdentityPolicy); err == nil {
			docs = append(docs, d)
		}
	}
	return iampolicy.EvaluateAll(docs, iampolicy.Context{Action: action, Resource: target.ARN, Keys: keys}, iampolicy.IdentityPolicy) == iampolicy.Allow
}

// issue creates temporary credentials for id, valid for d.
func (s *Service) issue(id Identity, d time.Duration) xmlCredentials {
	now := s.env.Clock.Now()
	expires := now.Add(d).UTC().Truncate(time.Second)
	id.Temporary = true
	id.Expiration = expires
	akid := "ASIA" + core.RandomID(16)
	creds := xmlCredentials{
		AccessKeyID:     akid,
		SecretAccessKey: randomSecret(30),
		SessionToken:    randomSecret(240),
		Expiration:      expires.Format("2006-01-02T15:04:05Z"),
	}
	s.mu.Lock()
	s.sessions[akid] = &session{token: creds.SessionToken, expires: expires, id: id}
	s.mu.Unlock()
	return creds
}

// ------------------------------------------------------------ other actions

func (s *Service) getSessionToken(caller Identity, p params) (any, *core.APIError) {
	d, err := durationParam(p, 900, 129600, 43200)
	if err != nil {
		return nil, err
	}
	if caller.Temporary {
		return nil, core.StatusErrorf(http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	return struct {
		Credentials xmlCredentials `xml:"Credentials"`
	}{s.issue(caller, time.Duration(d)*time.Second)}, nil
}

func (s *Service) getAccessKeyInfo(req *core.Request, p params) (any, *core.APIError) {
	if !p.Has("AccessKeyId") {
		return nil, missing("accessKeyId")
	}
	if _, err := stringParam(p, "AccessKeyId", "accessKeyId", 16, 128, accessKeyRE, `[\w]*`); err != nil {
		return nil, err
	}
	return struct {
		Account string `xml:"Account"`
	}{req.AccountID}, nil
}

// ------------------------------------------------------------ ids

func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// stableID derives an upper-case alphanumeric id of length n from s.
func stableID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:n]
}
