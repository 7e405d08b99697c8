package iam

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type policyVersion struct {
	id       string
	number   int
	document string
	created  time.Time
}

type managedPolicy struct {
	name, path, id, arn string
	description         string
	created, updated    time.Time
	versions            []*policyVersion // ascending by number
	nextVersion         int
	defaultID           string
	boundaryUses        int
	tags                []tag
	awsManaged          bool
}

func (p *managedPolicy) version(id string) *policyVersion {
	for _, v := range p.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (p *managedPolicy) defaultVersion() *policyVersion { return p.version(p.defaultID) }

type xmlPolicy struct {
	PolicyName                    string   `xml:"PolicyName"`
	PolicyID                      string   `xml:"PolicyId"`
	Arn                           string   `xml:"Arn"`
	Path                          string   `xml:"Path"`
	DefaultVersionID              string   `xml:"DefaultVersionId"`
	AttachmentCount               int      `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int      `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool     `xml:"IsAttachable"`
	Description                   string   `xml:"Description,omitempty"`
	CreateDate                    string   `xml:"CreateDate"`
	UpdateDate                    string   `xml:"UpdateDate"`
	Tags                          *xmlTags `xml:"Tags,omitempty"`
}

type xmlPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

func (p *managedPolicy) versionView(v *policyVersion, withDoc bool) xmlPolicyVersion {
	x := xmlPolicyVersion{VersionID: v.id, IsDefaultVersion: v.id == p.defaultID, CreateDate: isoTime(v.created)}
	if withDoc {
		x.Document = encodeDocument(v.document)
	}
	return x
}

// attachmentsLocked counts the roles the policy is attached to.
func (s *Service) attachmentsLocked(arn string) int {
	n := 0
	for _, r := range s.roles {
		for _, a := range r.attached {
			if a == arn {
				n++
			}
		}
	}
	return n
}

// view renders a policy; full (GetPolicy, CreatePolicy) adds the
// description and tags, which ListPolicies leaves out.
func (s *Service) policyViewLocked(p *managedPolicy, full bool) xmlPolicy {
	x := xmlPolicy{
		PolicyName: p.name, PolicyID: p.id, Arn: p.arn, Path: p.path, DefaultVersionID: p.defaultID,
		AttachmentCount: s.attachmentsLocked(p.arn), PermissionsBoundaryUsageCount: p.boundaryUses,
		IsAttachable: true, CreateDate: isoTime(p.created), UpdateDate: isoTime(p.updated),
	}
	if full {
		x.Description = p.description
		x.Tags = tagList(p.tags)
	}
	return x
}

func policyARN(p params) (string, *core.APIError) { return requiredARN(p, "PolicyArn", "policyArn") }

func (s *Service) policyLocked(arn string) (*managedPolicy, *core.APIError) {
	p := s.policies[arn]
	if p == nil {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return p, nil
}

// unmodifiable answers changes to AWS managed policies: they belong to the
// "aws" account, so the caller is not authorized.
func (s *Service) unmodifiable(req *core.Request, p params, action string, mp *managedPolicy) *core.APIError {
	return core.StatusErrorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: iam:%s on resource: policy %s", s.callerARN(req, p), action, mp.arn)
}

func validateManagedDocument(doc string) *core.APIError {
	if err := validateIdentityPolicy(doc); err != nil {
		return err
	}
	if nonSpaceLen(doc) > maxManagedPolicySize {
		return limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

func (s *Service) createPolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := requiredName(p, "PolicyName", "policyName", 128)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	desc, err := description(p)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	if err := validateManagedDocument(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.policies {
		if !other.awsManaged && lower(other.name) == lower(name) {
			return nil, alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	now := s.env.Clock.Now()
	mp := &managedPolicy{
		name: name, path: path, id: "ANPA" + core.RandomID(17),
		arn:         "arn:aws:iam::" + s.env.AccountID + ":policy" + path + name,
		description: desc, created: now, updated: now, tags: tags,
		versions:    []*policyVersion{{id: "v1", number: 1, document: doc, created: now}},
		nextVersion: 2, defaultID: "v1",
	}
	s.policies[mp.arn] = mp
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyViewLocked(mp, true)}, nil
}

func (s *Service) getPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyViewLocked(mp, true)}, nil
}

func (s *Service) deletePolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "DeletePolicy", mp)
	}
	if s.attachmentsLocked(arn) > 0 || mp.boundaryUses > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(mp.versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.policies, arn)
	return nil, nil
}

type xmlPolicyList struct {
	Members []xmlPolicy `xml:"member"`
}

func (s *Service) listPolicies(req *core.Request, p params) (any, *core.APIError) {
	scope := "All"
	if p.Has("Scope") {
		scope = p.Get("Scope")
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, validationError("scope", scope, "Member must satisfy enum value set: [All, AWS, Local]")
	}
	onlyAttached, err := optionalBool(p, "OnlyAttached")
	if err != nil {
		return nil, err
	}
	prefix, err := optionalPathPrefix(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*managedPolicy
	for _, mp := range s.policies {
		if (scope == "AWS" && !mp.awsManaged) || (scope == "Local" && mp.awsManaged) {
			continue
		}
		if !strings.HasPrefix(mp.path, prefix) {
			continue
		}
		if onlyAttached && s.attachmentsLocked(mp.arn) == 0 && mp.boundaryUses == 0 {
			continue
		}
		list = append(list, mp)
	}
	key := func(mp *managedPolicy) string { return lower(mp.name) + "\x00" + mp.arn }
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
	items, next := paginate(list, key, pg)
	out := struct {
		Policies    xmlPolicyList `xml:"Policies"`
		IsTruncated bool          `xml:"IsTruncated"`
		Marker      string        `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, mp := range items {
		out.Policies.Members = append(out.Policies.Members, s.policyViewLocked(mp, false))
	}
	return out, nil
}

func versionID(p params) (string, *core.APIError) {
	if !p.Has("VersionId") {
		return "", missing("versionId")
	}
	v := p.Get("VersionId")
	if !versionIDRE.MatchString(v) {
		return "", validationError("versionId", v, `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return v, nil
}

func (s *Service) getPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	v := mp.version(vid)
	if v == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{mp.versionView(v, true)}, nil
}

type xmlVersionList struct {
	Members []xmlPolicyVersion `xml:"member"`
}

func (s *Service) listPolicyVersions(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	// Newest first, as IAM lists them.
	versions := make([]*policyVersion, 0, len(mp.versions))
	for i := len(mp.versions) - 1; i >= 0; i-- {
		versions = append(versions, mp.versions[i])
	}
	key := func(v *policyVersion) string { return fmt.Sprintf("%010d", 1_000_000_000-v.number) }
	items, next := paginate(versions, key, pg)
	out := struct {
		Versions    xmlVersionList `xml:"Versions"`
		IsTruncated bool           `xml:"IsTruncated"`
		Marker      string         `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, v := range items {
		out.Versions.Members = append(out.Versions.Members, mp.versionView(v, false))
	}
	return out, nil
}

func (s *Service) createPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	setDefault, err := optionalBool(p, "SetAsDefault")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "CreatePolicyVersion", mp)
	}
	if err := validateManagedDocument(doc); err != nil {
		return nil, err
	}
	if len(mp.versions) >= maxPolicyVersions {
		return nil, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	now := s.env.Clock.Now()
	v := &policyVersion{id: "v" + strconv.Itoa(mp.nextVersion), number: mp.nextVersion, document: doc, created: now}
	mp.nextVersion++
	mp.versions = append(mp.versions, v)
	if setDefault {
		mp.defaultID = v.id
	}
	mp.updated = now
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{mp.versionView(v, false)}, nil
}

func (s *Service) deletePolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "DeletePolicyVersion", mp)
	}
	if mp.version(vid) == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	if vid == mp.defaultID {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	for i, v := range mp.versions {
		if v.id == vid {
			mp.versions = append(mp.versions[:i], mp.versions[i+1:]...)
			break
		}
	}
	return nil, nil
}

func (s *Service) setDefaultPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "SetDefaultPolicyVersion", mp)
	}
	if mp.version(vid) == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	mp.defaultID = vid
	mp.updated = s.env.Clock.Now()
	return nil, nil
}

func (s *Service) tagPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, missing("tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "TagPolicy", mp)
	}
	merged := mergeTags(mp.tags, tags)
	if len(merged) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	mp.tags = merged
	return nil, nil
}

func (s *Service) untagPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	keys, err := parseTagKeys(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "UntagPolicy", mp)
	}
	mp.tags = removeTags(mp.tags, keys)
	return nil, nil
}

func (s *Service) listPolicyTags(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	return listTags(mp.tags, pg), nil
}

type xmlPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

func (s *Service) listEntitiesForPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	filter := p.Get("EntityFilter")
	switch filter {
	case "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return nil, validationError("entityFilter", filter, "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
	}
	usage := p.Get("PolicyUsageFilter")
	if usage != "" && usage != "PermissionsPolicy" && usage != "PermissionsBoundary" {
		return nil, validationError("policyUsageFilter", usage, "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
	}
	prefix, err := optionalPathPrefix(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.policyLocked(arn); err != nil {
		return nil, err
	}
	var roles []*role
	if filter == "" || filter == "Role" {
		for _, r := range s.roles {
			if !strings.HasPrefix(r.path, prefix) {
				continue
			}
			attached := false
			for _, a := range r.attached {
				attached = attached || a == arn
			}
			asBoundary := r.boundary == arn
			if (usage == "" && (attached || asBoundary)) || (usage == "PermissionsPolicy" && attached) ||
				(usage == "PermissionsBoundary" && asBoundary) {
				roles = append(roles, r)
			}
		}
	}
	sort.Slice(roles, func(i, j int) bool { return lower(roles[i].name) < lower(roles[j].name) })
	items, next := paginate(roles, func(r *role) string { return lower(r.name) }, pg)
	out := struct {
		PolicyGroups struct{} `xml:"PolicyGroups"`
		PolicyUsers  struct{} `xml:"PolicyUsers"`
		PolicyRoles  struct {
			Members []xmlPolicyRole `xml:"member"`
		} `xml:"PolicyRoles"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, r := range items {
		out.PolicyRoles.Members = append(out.PolicyRoles.Members, xmlPolicyRole{RoleName: r.name, RoleID: r.id})
	}
	return out, nil
}

// ---------------------------------------------------------------- attachments

func (s *Service) attachRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if _, err := s.policyLocked(arn); err != nil {
		return nil, err
	}
	for _, a := range r.attached {
		if a == arn {
			return nil, nil // attaching again is a no-op, as in IAM
		}
	}
	if len(r.attached) >= maxManagedPerRole {
		return nil, limitExceeded("Cannot exceed quota for PoliciesPerRole: %d", maxManagedPerRole)
	}
	r.attached = append(r.attached, arn)
	return nil, nil
}

func (s *Service) detachRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	for i, a := range r.attached {
		if a == arn {
			r.attached = append(r.attached[:i], r.attached[i+1:]...)
			return nil, nil
		}
	}
	return nil, noSuchEntity("Policy %s was not found.", arn)
}

type xmlAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func (s *Service) listAttachedRolePolicies(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	prefix, err := optionalPathPrefix(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	var list []*managedPolicy
	for _, a := range r.attached {
		if mp := s.policies[a]; mp != nil && strings.HasPrefix(mp.path, prefix) {
			list = append(list, mp)
		}
	}
	key := func(mp *managedPolicy) string { return lower(mp.name) + "\x00" + mp.arn }
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
	items, next := paginate(list, key, pg)
	out := struct {
		AttachedPolicies struct {
			Members []xmlAttachedPolicy `xml:"member"`
		} `xml:"AttachedPolicies"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, mp := range items {
		out.AttachedPolicies.Members = append(out.AttachedPolicies.Members, xmlAttachedPolicy{PolicyName: mp.name, PolicyArn: mp.arn})
	}
	return out, nil
}

// ---------------------------------------------------------------- inline role policies

func inlinePolicyName(p params) (string, *core.APIError) {
	return requiredName(p, "PolicyName", "policyName", 128)
}

func (s *Service) putRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := validateIdentityPolicy(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	total := nonSpaceLen(doc)
	for n, d := range r.inline {
		if n != pname {
			total += nonSpaceLen(d)
		}
	}
	if total > maxRoleInlineSize {
		return nil, limitExceeded("Maximum policy size of %d bytes exceeded for role %s", maxRoleInlineSize, r.name)
	}
	r.inline[pname] = doc
	return nil, nil
}

func (s *Service) getRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	doc, ok := r.inline[pname]
	if !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", pname)
	}
	return struct {
		RoleName       string `xml:"RoleName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{r.name, pname, encodeDocument(doc)}, nil
}

func (s *Service) deleteRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if _, ok := r.inline[pname]; !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", pname)
	}
	delete(r.inline, pname)
	return nil, nil
}

func (s *Service) listRolePolicies(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	items, next := paginate(sortedKeys(r.inline), func(n string) string { return n }, pg)
	out := struct {
		PolicyNames struct {
			Members []string `xml:"member"`
		} `xml:"PolicyNames"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	out.PolicyNames.Members = items
	return out, nil
}
