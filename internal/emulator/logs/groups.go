package logs

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Log group limits.
const (
	maxGroupName  = 512
	maxListLimit  = 50
	groupsPerAcct = 1_000_000
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = map[int]bool{
	1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true, 120: true, 150: true, 180: true,
	365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true, 2557: true, 2922: true, 3288: true, 3653: true,
}

var (
	groupNameRE    = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	groupPatternRE = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]*$`)
	groupClasses   = map[string]bool{"STANDARD": true, "INFREQUENT_ACCESS": true, "DELIVERY": true, "ESSENTIALS": true}
)

// group is a log group.
type group struct {
	region, name string
	arn          string // without the trailing ":*"
	created      time.Time
	retention    int // days; 0 for never expire
	kmsKeyID     string
	class        string
	tags         map[string]string
	streams      map[string]*stream
}

func groupKey(region, name string) string { return region + "\x00" + name }

func (s *Service) groupARN(region, name string) string {
	return core.ARN("logs", region, s.env.AccountID, "log-group:"+name)
}

// validGroupName checks a logGroupName member.
func validGroupName(name, field string) *core.APIError {
	if name == "" {
		return errMissing(field)
	}
	if utf8.RuneCountInString(name) > maxGroupName {
		return errConstraint(name, field, "Member must have length less than or equal to 512")
	}
	if !groupNameRE.MatchString(name) {
		return errConstraint(name, field, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

// newGroupLocked adds an empty log group. Callers hold s.mu and have
// checked that it does not exist.
func (s *Service) newGroupLocked(region, name string) *group {
	g := &group{
		region: region, name: name, arn: s.groupARN(region, name), created: s.env.Clock.Now(),
		class: "STANDARD", tags: map[string]string{}, streams: map[string]*stream{},
	}
	s.groups[groupKey(region, name)] = g
	return g
}

// groupLocked finds the log group of a request by name. Callers hold s.mu.
func (s *Service) groupLocked(region, name string) (*group, *core.APIError) {
	g := s.groups[groupKey(region, name)]
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

// identifiedGroupLocked finds the group named by logGroupName or
// logGroupIdentifier (a name or an ARN, with or without ":*"): exactly one
// of them must be given. Callers hold s.mu.
func (s *Service) identifiedGroupLocked(req *core.Request, name, identifier string) (*group, *core.APIError) {
	switch {
	case name != "" && identifier != "":
		return nil, errInvalidParameter("LogGroup name and LogGroup identifier are mutually exclusive parameters.")
	case name == "" && identifier == "":
		return nil, errInvalidParameter("Should provide either name or identifier.")
	case identifier != "":
		n, err := s.nameFromIdentifier(req, identifier)
		if err != nil {
			return nil, err
		}
		name = n
	}
	if err := validGroupName(name, "logGroupName"); err != nil {
		return nil, err
	}
	return s.groupLocked(req.Region, name)
}

// nameFromIdentifier reads a log group name from a name or a log group ARN
// of the request's region and account.
func (s *Service) nameFromIdentifier(req *core.Request, id string) (string, *core.APIError) {
	if !strings.HasPrefix(id, "arn:") {
		return id, nil
	}
	p, ok := core.ParseARN(id)
	if !ok || p.Service != "logs" || !strings.HasPrefix(p.Resource, "log-group:") {
		return "", errInvalidParameter("Invalid log group identifier %s.", id)
	}
	if p.Region != req.Region || p.Account != req.AccountID {
		return "", errGroupNotFound()
	}
	return strings.TrimSuffix(strings.TrimPrefix(p.Resource, "log-group:"), ":*"), nil
}

// ------------------------------------------------------------ operations

type createLogGroupInput struct {
	LogGroupName              string            `json:"logGroupName"`
	KmsKeyID                  string            `json:"kmsKeyId"`
	Tags                      map[string]string `json:"tags"`
	LogGroupClass             string            `json:"logGroupClass"`
	DeletionProtectionEnabled *bool             `json:"deletionProtectionEnabled"`
}

func (s *Service) createLogGroup(req *core.Request) (any, *core.APIError) {
	var in createLogGroupInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.LogGroupName, "aws/") {
		return nil, errInvalidParameter("Log group names can't start with the string aws/.")
	}
	if in.LogGroupClass != "" && !groupClasses[in.LogGroupClass] {
		return nil, errConstraint(in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY, ESSENTIALS]")
	}
	if in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled {
		return nil, errInvalidParameter("The emulator does not implement deletion protection for log groups.")
	}
	if len(in.KmsKeyID) > 256 {
		return nil, errConstraint(in.KmsKeyID, "kmsKeyId", "Member must have length less than or equal to 256")
	}
	if err := validateTags(in.Tags, "tags", false); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[groupKey(req.Region, in.LogGroupName)] != nil {
		return nil, core.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	if s.groupCountLocked(req.Region) >= groupsPerAcct {
		return nil, core.Errorf("LimitExceededException", "Resource limit exceeded.")
	}
	g := s.newGroupLocked(req.Region, in.LogGroupName)
	g.kmsKeyID = in.KmsKeyID
	if in.LogGroupClass != "" {
		g.class = in.LogGroupClass
	}
	for k, v := range in.Tags {
		g.tags[k] = v
	}
	return nil, nil
}

func (s *Service) groupCountLocked(region string) int {
	n := 0
	for _, g := range s.groups {
		if g.region == region {
			n++
		}
	}
	return n
}

func (s *Service) deleteLogGroup(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.groupLocked(req.Region, in.LogGroupName); err != nil {
		return nil, err
	}
	delete(s.groups, groupKey(req.Region, in.LogGroupName))
	return nil, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix    string   `json:"logGroupNamePrefix"`
	LogGroupNamePattern   string   `json:"logGroupNamePattern"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogGroupClass         string   `json:"logGroupClass"`
	NextToken             string   `json:"nextToken"`
	Limit                 *int     `json:"limit"`
	IncludeLinkedAccounts *bool    `json:"includeLinkedAccounts"`
	AccountIdentifiers    []string `json:"accountIdentifiers"`
}

// logGroupOutput is AWS's LogGroup shape.
type logGroupOutput struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount *int   `json:"metricFilterCount,omitempty"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn,omitempty"`
	StoredBytes       *int64 `json:"storedBytes,omitempty"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass,omitempty"`
}

func (s *Service) describeLogGroups(req *core.Request) (any, *core.APIError) {
	var in describeLogGroupsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, errInvalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupNamePrefix != "" {
		if err := validGroupName(in.LogGroupNamePrefix, "logGroupNamePrefix"); err != nil {
			return nil, err
		}
	}
	if !groupPatternRE.MatchString(in.LogGroupNamePattern) || len(in.LogGroupNamePattern) > maxGroupName {
		return nil, errConstraint(in.LogGroupNamePattern, "logGroupNamePattern", `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]*`)
	}
	if len(in.LogGroupIdentifiers) > 0 && (in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != "" || in.LogGroupClass != "") {
		return nil, errInvalidParameter("logGroupIdentifiers can be combined only with includeLinkedAccounts.")
	}
	if len(in.LogGroupIdentifiers) > 50 {
		return nil, errConstraint(len(in.LogGroupIdentifiers), "logGroupIdentifiers", "Member must have length less than or equal to 50")
	}
	if in.LogGroupClass != "" && !groupClasses[in.LogGroupClass] {
		return nil, errConstraint(in.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY, ESSENTIALS]")
	}
	limit, err := listLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		name, err := s.nameFromIdentifier(req, id)
		if err != nil {
			if err.Code == "ResourceNotFoundException" {
				continue
			}
			return nil, err
		}
		wanted[name] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, g := range s.groups {
		switch {
		case g.region != req.Region:
		case in.LogGroupNamePrefix != "" && !strings.HasPrefix(g.name, in.LogGroupNamePrefix):
		case in.LogGroupNamePattern != "" && !strings.Contains(g.name, in.LogGroupNamePattern):
		case len(in.LogGroupIdentifiers) > 0 && !wanted[g.name]:
		case in.LogGroupClass == "STANDARD" && g.class != "STANDARD",
			in.LogGroupClass == "DELIVERY" && g.class != "DELIVERY",
			(in.LogGroupClass == "INFREQUENT_ACCESS" || in.LogGroupClass == "ESSENTIALS") && g.class != "INFREQUENT_ACCESS" && g.class != "ESSENTIALS":
		case g.name <= after:
		default:
			names = append(names, g.name)
		}
	}
	sort.Strings(names) // ASCII order, as AWS sorts them
	out := struct {
		LogGroups []logGroupOutput `json:"logGroups"`
		NextToken string           `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOutput{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = encodeNameToken(names[i-1])
			break
		}
		g := s.groups[groupKey(req.Region, name)]
		if in.LogGroupNamePattern != "" {
			// Only arn, creationTime and logGroupName are returned for a pattern.
			out.LogGroups = append(out.LogGroups, logGroupOutput{LogGroupName: g.name, CreationTime: core.Millis(g.created), Arn: g.arn + ":*"})
			continue
		}
		out.LogGroups = append(out.LogGroups, s.groupOutputLocked(g))
	}
	return out, nil
}

func (s *Service) groupOutputLocked(g *group) logGroupOutput {
	zero := 0
	var stored int64
	for _, st := range g.streams {
		stored += st.storedBytes
	}
	o := logGroupOutput{
		LogGroupName: g.name, CreationTime: core.Millis(g.created), MetricFilterCount: &zero,
		Arn: g.arn + ":*", LogGroupArn: g.arn, StoredBytes: &stored, KmsKeyID: g.kmsKeyID, LogGroupClass: g.class,
	}
	if g.retention > 0 {
		r := g.retention
		o.RetentionInDays = &r
	}
	return o
}

// listLimit reads the limit member of the Describe operations (1 to 50, 50 by default).
func listLimit(p *int) (int, *core.APIError) {
	if p == nil {
		return maxListLimit, nil
	}
	if *p < 1 {
		return 0, errConstraint(*p, "limit", "Member must have value greater than or equal to 1")
	}
	if *p > maxListLimit {
		return 0, errConstraint(*p, "limit", "Member must have value less than or equal to 50")
	}
	return *p, nil
}

func encodeNameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n:" + name))
}

func decodeNameToken(tok string) (string, *core.APIError) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), "n:") {
		return "", errInvalidParameter("The specified nextToken is invalid.")
	}
	return strings.TrimPrefix(string(raw), "n:"), nil
}

func (s *Service) putRetentionPolicy(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays *int   `json:"retentionInDays"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, errMissing("retentionInDays")
	}
	if !retentionDays[*in.RetentionInDays] {
		return nil, errConstraint(*in.RetentionInDays, "retentionInDays", "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.retention = *in.RetentionInDays
	s.expireLocked(g)
	return nil, nil
}

func (s *Service) deleteRetentionPolicy(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.retention = 0
	return nil, nil
}

// expireLocked drops the events of g older than its retention period.
func (s *Service) expireLocked(g *group) {
	if g.retention == 0 {
		return
	}
	cutoff := core.Millis(s.env.Clock.Now().Add(-time.Duration(g.retention) * 24 * time.Hour))
	for _, st := range g.streams {
		st.dropBefore(cutoff)
	}
}
