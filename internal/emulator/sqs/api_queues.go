package sqs

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

type queueURLInput struct {
	QueueURL string `json:"QueueUrl"`
}

type queueURLOutput struct {
	QueueURL string `json:"QueueUrl"`
}

// ---------------------------------------------------------- CreateQueue

type createQueueInput struct {
	QueueName  *string           `json:"QueueName"`
	Attributes map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
	Tags       map[string]string `json:"tags" query:"Tag,flat,key=Key,value=Value"`
}

func validateQueueName(name string, fifo bool) *core.APIError {
	isFifoName := strings.HasSuffix(name, ".fifo")
	base := strings.TrimSuffix(name, ".fifo")
	if fifo || isFifoName {
		if !fifo || !isFifoName || len(name) > 80 || !queueNameRE.MatchString(base) {
			return errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil
	}
	if !queueNameRE.MatchString(name) {
		return errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

func validateTags(tags map[string]string, existing int) *core.APIError {
	if existing+len(tags) > maxTags {
		return errInvalidParameterValue("Too many tags added for queue. A queue can have at most %d tags.", maxTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return errInvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")
		}
		if len(v) > 256 {
			return errInvalidParameterValue("Tag values must be at most 256 characters in length.")
		}
	}
	return nil
}

func (s *Service) createQueue(req *core.Request) (any, *core.APIError) {
	var in createQueueInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.QueueName == nil || *in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	name := *in.QueueName
	fifo := false
	if v, ok := in.Attributes["FifoQueue"]; ok {
		b, err := parseBoolAttr("FifoQueue", v)
		if err != nil {
			return nil, err
		}
		fifo = b
	}
	if err := validateQueueName(name, fifo); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	arn := core.ARN("sqs", req.Region, req.AccountID, name)

	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[arn]; q != nil {
		diff, err := s.sameAttrs(q, in.Attributes)
		if err != nil {
			return nil, err
		}
		if diff != "" {
			return nil, &core.APIError{Code: "QueueNameExists", QueryCode: "QueueAlreadyExists",
				Message: "A queue already exists with the same name and a different value for attribute " + diff}
		}
		return queueURLOutput{QueueURL: q.url}, nil
	}
	for a, t := range s.deletedAt {
		if now.Sub(t) >= queueDeletionBarrier {
			delete(s.deletedAt, a)
		}
	}
	if _, recent := s.deletedAt[arn]; recent {
		return nil, &core.APIError{Code: "QueueDeletedRecently", QueryCode: "AWS.SimpleQueueService.QueueDeletedRecently",
			Message: "You must wait 60 seconds after deleting a queue before you can create another with the same name."}
	}
	attrs, err := s.applyAttrs(defaultAttrs(fifo), in.Attributes, fifo, req.Region, req.AccountID, arn, true)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags, 0); err != nil {
		return nil, err
	}
	q := newQueue(req.Region, req.AccountID, name, fifo, now)
	q.attrs = attrs
	for k, v := range in.Tags {
		q.tags[k] = v
	}
	s.queues[arn] = q
	return queueURLOutput{QueueURL: q.url}, nil
}

// ---------------------------------------------------------- GetQueueUrl

func (s *Service) getQueueURL(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueName              string `json:"QueueName"`
		QueueOwnerAWSAccountID string `json:"QueueOwnerAWSAccountId"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	account := req.AccountID
	if in.QueueOwnerAWSAccountID != "" {
		account = in.QueueOwnerAWSAccountID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[core.ARN("sqs", req.Region, account, in.QueueName)]
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return queueURLOutput{QueueURL: q.url}, nil
}

// ---------------------------------------------------------- DeleteQueue

func (s *Service) deleteQueue(req *core.Request) (any, *core.APIError) {
	var in queueURLInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	s.removeQueue(q)
	return nil, nil
}

// removeQueue deletes q and wakes its long polls. Callers hold s.mu.
func (s *Service) removeQueue(q *queue) {
	delete(s.queues, q.arn)
	// Its move tasks go with it (a running one fails at its next step).
	for _, t := range s.tasksBySource[q.arn] {
		delete(s.tasks, t.handle)
	}
	delete(s.tasksBySource, q.arn)
	s.deletedAt[q.arn] = s.env.Clock.Now()
	q.deleted = true
	q.purge()
	q.signal()
}

// ----------------------------------------------------------- ListQueues

type listInput struct {
	QueueURL        string  `json:"QueueUrl"`
	QueueNamePrefix string  `json:"QueueNamePrefix"`
	NextToken       *string `json:"NextToken"`
	MaxResults      *int64  `json:"MaxResults"`
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty" query:"QueueUrl,flat"`
	NextToken string   `json:"NextToken,omitempty"`
}

type deadLetterSourcesOutput struct {
	QueueUrls []string `json:"queueUrls" query:"QueueUrl,flat"`
	NextToken string   `json:"NextToken,omitempty"`
}

// paginate returns the page of sorted names after the token.
func paginate(names []string, in listInput) ([]string, string, *core.APIError) {
	sort.Strings(names)
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, "", errParam(*in.MaxResults, "MaxResults", "MaxResults must be an integer between 1 and 1000.")
		}
		limit = int(*in.MaxResults)
	}
	start := 0
	if in.NextToken != nil && *in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		var tok struct {
			After string `json:"after"`
		}
		if err != nil || json.Unmarshal(raw, &tok) != nil || tok.After == "" {
			return nil, "", errInvalidParameterValue("Invalid NextToken value.")
		}
		start = sort.SearchStrings(names, tok.After)
		if start < len(names) && names[start] == tok.After {
			start++
		}
	}
	end := min(start+limit, len(names))
	page := names[start:end]
	next := ""
	if in.MaxResults != nil && end < len(names) && len(page) > 0 {
		raw, _ := json.Marshal(map[string]string{"after": page[len(page)-1]})
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	return page, next, nil
}

func (s *Service) listQueues(req *core.Request) (any, *core.APIError) {
	var in listInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var names []string
	for _, q := range s.queues {
		if q.region == req.Region && q.account == req.AccountID && strings.HasPrefix(q.name, in.QueueNamePrefix) {
			names = append(names, q.name)
		}
	}
	s.mu.Unlock()
	page, next, err := paginate(names, in)
	if err != nil {
		return nil, err
	}
	out := listQueuesOutput{NextToken: next}
	for _, n := range page {
		out.QueueUrls = append(out.QueueUrls, queueURL(req.Region, req.AccountID, n))
	}
	return out, nil
}

func (s *Service) listDeadLetterSourceQueues(req *core.Request) (any, *core.APIError) {
	var in listInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	dlq, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var names []string
	for _, q := range s.queues {
		if rp := q.attrs.redrive; rp != nil && rp.DeadLetterTargetArn == dlq.arn {
			names = append(names, q.name)
		}
	}
	s.mu.Unlock()
	page, next, err := paginate(names, in)
	if err != nil {
		return nil, err
	}
	out := deadLetterSourcesOutput{QueueUrls: []string{}, NextToken: next}
	for _, n := range page {
		out.QueueUrls = append(out.QueueUrls, queueURL(req.Region, req.AccountID, n))
	}
	return out, nil
}

// ---------------------------------------------------- queue attributes

func (s *Service) getQueueAttributes(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL       string   `json:"QueueUrl"`
		AttributeNames []string `json:"AttributeNames" query:"AttributeName,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	all := q.attributeMap(s.env.Clock.Now())
	out := map[string]string{}
	for _, n := range in.AttributeNames {
		switch {
		case n == "All":
			for k, v := range all {
				out[k] = v
			}
		case settableAttrs[n] || readOnlyAttrs[n]:
			if v, ok := all[n]; ok {
				out[n] = v
			}
		default:
			return nil, errInvalidAttributeName(n)
		}
	}
	if len(out) == 0 {
		return struct{}{}, nil
	}
	return struct {
		Attributes map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
	}{out}, nil
}

func (s *Service) setQueueAttributes(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL   string            `json:"QueueUrl"`
		Attributes map[string]string `json:"Attributes" query:"Attribute,flat,key=Name,value=Value"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.Attributes == nil {
		return nil, errMissingParameter("Attributes")
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	attrs, err := s.applyAttrs(q.attrs, in.Attributes, q.fifo, q.region, q.account, q.arn, false)
	if err != nil {
		return nil, err
	}
	q.tick(now)
	q.attrs = attrs
	q.modified = now
	q.tick(now) // a shorter retention applies at once
	return nil, nil
}

// ---------------------------------------------------------------- tags

func (s *Service) tagQueue(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string            `json:"QueueUrl"`
		Tags     map[string]string `json:"Tags" query:"Tag,flat,key=Key,value=Value"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	added := 0
	for k := range in.Tags {
		if _, ok := q.tags[k]; !ok {
			added++
		}
	}
	if err := validateTags(in.Tags, len(q.tags)+added-len(in.Tags)); err != nil {
		return nil, err
	}
	for k, v := range in.Tags {
		q.tags[k] = v
	}
	return nil, nil
}

func (s *Service) untagQueue(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string   `json:"QueueUrl"`
		TagKeys  []string `json:"TagKeys" query:"TagKey,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	return nil, nil
}

func (s *Service) listQueueTags(req *core.Request) (any, *core.APIError) {
	var in queueURLInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	out := struct {
		Tags map[string]string `json:"Tags,omitempty" query:"Tag,flat,key=Key,value=Value"`
	}{}
	if len(q.tags) > 0 {
		out.Tags = make(map[string]string, len(q.tags))
		for k, v := range q.tags {
			out.Tags[k] = v
		}
	}
	return out, nil
}

// ------------------------------------------------ AddPermission & co

// policyStatements reads the statements of a policy as raw JSON objects.
func policyStatements(policy string) (map[string]any, []map[string]any) {
	doc := map[string]any{}
	if policy == "" {
		return doc, nil
	}
	_ = json.Unmarshal([]byte(policy), &doc)
	var stmts []map[string]any
	switch st := doc["Statement"].(type) {
	case map[string]any:
		stmts = append(stmts, st)
	case []any:
		for _, x := range st {
			if m, ok := x.(map[string]any); ok {
				stmts = append(stmts, m)
			}
		}
	}
	return doc, stmts
}

func (s *Service) setPolicy(q *queue, doc map[string]any, stmts []map[string]any) *core.APIError {
	if len(stmts) == 0 {
		q.attrs.Policy, q.attrs.policy = "", nil
		return nil
	}
	if _, ok := doc["Version"]; !ok {
		doc["Version"] = "2012-10-17"
	}
	if _, ok := doc["Id"]; !ok {
		doc["Id"] = q.arn + "/SQSDefaultPolicy"
	}
	doc["Statement"] = stmts
	raw, _ := json.Marshal(doc)
	parsed, err := iampolicy.Parse(string(raw), iampolicy.ResourcePolicy)
	if err != nil {
		return errInvalidParameterValue("The resulting policy is invalid: %v", err)
	}
	q.attrs.Policy, q.attrs.policy = string(raw), parsed
	return nil
}

func (s *Service) addPermission(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL      string   `json:"QueueUrl"`
		Label         string   `json:"Label"`
		AWSAccountIds []string `json:"AWSAccountIds" query:"AWSAccountId,flat"`
		Actions       []string `json:"Actions" query:"ActionName,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	switch {
	case in.Label == "":
		return nil, errMissingParameter("Label")
	case len(in.AWSAccountIds) == 0:
		return nil, errMissingParameter("AWSAccountIds")
	case len(in.Actions) == 0:
		return nil, errMissingParameter("Actions")
	}
	if !queueNameRE.MatchString(in.Label) {
		return nil, errParam(in.Label, "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	doc, stmts := policyStatements(q.attrs.Policy)
	for _, st := range stmts {
		if st["Sid"] == in.Label {
			return nil, errParam(in.Label, "Label", "Already exists.")
		}
	}
	var principals, actions []any
	for _, a := range in.AWSAccountIds {
		principals = append(principals, "arn:aws:iam::"+a+":root")
	}
	for _, a := range in.Actions {
		actions = append(actions, "SQS:"+a)
	}
	stmts = append(stmts, map[string]any{
		"Sid": in.Label, "Effect": "Allow", "Principal": map[string]any{"AWS": principals},
		"Action": actions, "Resource": q.arn,
	})
	if err := s.setPolicy(q, doc, stmts); err != nil {
		return nil, err
	}
	q.modified = s.env.Clock.Now()
	return nil, nil
}

func (s *Service) removePermission(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Label    string `json:"Label"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.Label == "" {
		return nil, errMissingParameter("Label")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	doc, stmts := policyStatements(q.attrs.Policy)
	kept := stmts[:0]
	found := false
	for _, st := range stmts {
		if st["Sid"] == in.Label {
			found = true
			continue
		}
		kept = append(kept, st)
	}
	if !found {
		return nil, errParam(in.Label, "Label", "can't find label on existing policy.")
	}
	if err := s.setPolicy(q, doc, kept); err != nil {
		return nil, err
	}
	q.modified = s.env.Clock.Now()
	return nil, nil
}

// ----------------------------------------------------------- PurgeQueue

func (s *Service) purgeQueue(req *core.Request) (any, *core.APIError) {
	var in queueURLInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if !q.purged.IsZero() && now.Sub(q.purged) < purgeInterval {
		return nil, &core.APIError{Status: http.StatusForbidden, Code: "PurgeQueueInProgress",
			QueryCode: "AWS.SimpleQueueService.PurgeQueueInProgress",
			Message:   "Only one PurgeQueue operation on " + q.name + " is allowed every 60 seconds."}
	}
	q.purge()
	q.purged = now
	return nil, nil
}
