package iam_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	emuiam "github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

func TestManagedPolicies(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	mustCreateRole(t, c, "fn")

	created, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("consume"), Path: aws.String("/regis/"),
		PolicyDocument: aws.String(sqsPolicy), Description: aws.String("read the queue")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.Policy.Arn)
	if arn != "arn:aws:iam::"+emu.AccountID()+":policy/regis/consume" || aws.ToString(created.Policy.DefaultVersionId) != "v1" ||
		!strings.HasPrefix(aws.ToString(created.Policy.PolicyId), "ANPA") {
		t.Fatalf("CreatePolicy = %+v", created.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("consume"), PolicyDocument: aws.String(sqsPolicy)})
	var exists *types.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate policy: %v", err)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[]`)})
	var mpd *types.MalformedPolicyDocumentException
	if !errors.As(err, &mpd) {
		t.Fatalf("malformed managed policy: %v", err)
	}

	// Versions.
	v2doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	v2, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v2doc), SetAsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.PolicyVersion.VersionId) != "v2" || !v2.PolicyVersion.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion = %+v", v2.PolicyVersion)
	}
	gv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, gv.PolicyVersion.Document) != sqsPolicy || gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion v1 = %+v", gv.PolicyVersion)
	}
	gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gp.Policy.DefaultVersionId) != "v2" || aws.ToString(gp.Policy.Description) != "read the queue" {
		t.Fatalf("GetPolicy = %+v", gp.Policy)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	var dc *types.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Fatalf("deleting the default version: %v", err)
	}
	for i := 3; i <= 5; i++ {
		if _, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v2doc)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(v2doc)})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Fatalf("sixth version: %v", err)
	}
	versions, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range versions.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	if strings.Join(ids, ",") != "v5,v4,v3,v2,v1" {
		t.Fatalf("ListPolicyVersions = %v", ids)
	}
	_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("missing version: %v", err)
	}

	// Attachments.
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(emuiam.LambdaBasicExecutionRoleARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::" + emu.AccountID() + ":policy/missing")})
	if !errors.As(err, &nse) {
		t.Fatalf("attach missing policy: %v", err)
	}
	att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	if len(att.AttachedPolicies) != 2 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" ||
		aws.ToString(att.AttachedPolicies[1].PolicyArn) != arn {
		t.Fatalf("ListAttachedRolePolicies = %+v", att.AttachedPolicies)
	}
	gp, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
		t.Fatalf("AttachmentCount = %d", aws.ToInt32(gp.Policy.AttachmentCount))
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "fn" {
		t.Fatalf("ListEntitiesForPolicy = %+v", ents.PolicyRoles)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	if !errors.As(err, &dc) || !strings.Contains(dc.ErrorMessage(), "attached") {
		t.Fatalf("DeletePolicy while attached: %v", err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	if !errors.As(err, &dc) || !strings.Contains(dc.ErrorMessage(), "detach") {
		t.Fatalf("DeleteRole with attached policies: %v", err)
	}

	// Scopes.
	scoped := func(scope types.PolicyScopeType, onlyAttached bool) []string {
		out, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: scope, OnlyAttached: onlyAttached})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range out.Policies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		return names
	}
	if got := scoped(types.PolicyScopeTypeLocal, false); strings.Join(got, ",") != "consume" {
		t.Fatalf("Local policies = %v", got)
	}
	if got := scoped(types.PolicyScopeTypeAws, false); strings.Join(got, ",") != "AWSLambdaBasicExecutionRole,AWSLambdaSQSQueueExecutionRole,AWSLambdaVPCAccessExecutionRole" {
		t.Fatalf("AWS policies = %v", got)
	}
	if got := scoped(types.PolicyScopeTypeAll, true); len(got) != 2 {
		t.Fatalf("attached policies = %v", got)
	}

	// Detach, then the policy can go once its other versions are gone.
	for _, a := range []string{arn, emuiam.LambdaBasicExecutionRoleARN} {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}); !errors.As(err, &nse) {
		t.Fatalf("detach twice: %v", err)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	if !errors.As(err, &dc) || !strings.Contains(dc.ErrorMessage(), "more than one version") {
		t.Fatalf("DeletePolicy with versions: %v", err)
	}
	for _, v := range []string{"v1", "v3", "v4", "v5"} {
		if _, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	if inv := emu.Inventory(); len(inv) != 0 {
		t.Fatalf("inventory after cleanup = %+v", inv)
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	_, c := newClient(t)
	ctx := context.Background()
	for arn, want := range map[string]string{
		emuiam.LambdaBasicExecutionRoleARN:     "logs:PutLogEvents",
		emuiam.LambdaSQSQueueExecutionRoleARN:  "sqs:ReceiveMessage",
		emuiam.LambdaVPCAccessExecutionRoleARN: "ec2:CreateNetworkInterface",
	} {
		gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		if aws.ToString(gp.Policy.Path) != "/service-role/" {
			t.Errorf("%s: path %q", arn, aws.ToString(gp.Policy.Path))
		}
		gv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: gp.Policy.DefaultVersionId})
		if err != nil {
			t.Fatal(err)
		}
		doc := decode(t, gv.PolicyVersion.Document)
		if !strings.Contains(doc, want) {
			t.Errorf("%s: document %s lacks %s", arn, doc, want)
		}
		if _, err := iampolicy.Parse(doc, iampolicy.IdentityPolicy); err != nil {
			t.Errorf("%s: seeded document does not parse: %v", arn, err)
		}
	}
	_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(emuiam.LambdaBasicExecutionRoleARN)})
	if apiCode(err) != "AccessDenied" || httpStatus(err) != 403 {
		t.Fatalf("deleting an AWS managed policy: %v", err)
	}
}

func TestListRolesPagination(t *testing.T) {
	_, c := newClient(t)
	ctx := context.Background()
	var want []string
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("role-%02d", i)
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	var got []string
	pages := 0
	pg := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(3)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Roles) > 3 {
			t.Fatalf("page of %d roles", len(out.Roles))
		}
		if out.IsTruncated != (out.Marker != nil) {
			t.Fatalf("IsTruncated %v with marker %v", out.IsTruncated, out.Marker)
		}
		for _, r := range out.Roles {
			got = append(got, aws.ToString(r.RoleName))
			if r.Tags != nil || r.RoleLastUsed != nil {
				t.Fatalf("ListRoles returned tags/last used: %+v", r)
			}
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages, roles %v", pages, got)
	}

	b, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/b/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Roles) != 3 || b.IsTruncated {
		t.Fatalf("PathPrefix /b/: %d roles", len(b.Roles))
	}
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("!!not-a-marker")})
	if apiCode(err) == "" {
		t.Fatalf("bad marker accepted")
	}
}

func TestRoleByARN(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), Path: aws.String("/svc/"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("sqs"), PolicyDocument: aws.String(sqsPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(emuiam.LambdaBasicExecutionRoleARN)}); err != nil {
		t.Fatal(err)
	}
	dir, ok := emu.Service("iam").(core.RoleDirectory)
	if !ok {
		t.Fatal("the iam service does not implement core.RoleDirectory")
	}
	arn := "arn:aws:iam::" + emu.AccountID() + ":role/svc/exec"
	info, ok := dir.RoleByARN(arn)
	if !ok {
		t.Fatal("role not found by ARN")
	}
	if info.Name != "exec" || info.ARN != arn || info.AssumeRolePolicy != lambdaTrust || len(info.Policies) != 2 || info.Policies[0] != sqsPolicy ||
		!strings.Contains(info.Policies[1], "logs:CreateLogStream") {
		t.Fatalf("RoleInfo = %+v", info)
	}
	if !emuiam.TrustsService(info, "lambda.amazonaws.com", nil) || emuiam.TrustsService(info, "ec2.amazonaws.com", nil) {
		t.Fatal("TrustsService disagrees with the trust policy")
	}
	if d := emuiam.Allowed(info, "sqs:ReceiveMessage", "arn:aws:sqs:ap-south-1:123456789012:orders", nil); d != iampolicy.Allow {
		t.Fatalf("ReceiveMessage on orders: %v", d)
	}
	if d := emuiam.Allowed(info, "sqs:SendMessage", "arn:aws:sqs:ap-south-1:123456789012:orders", nil); d != iampolicy.ImplicitDeny {
		t.Fatalf("SendMessage on orders: %v", d)
	}
	if d := emuiam.Allowed(info, "logs:PutLogEvents", "arn:aws:logs:ap-south-1:123456789012:log-group:x", nil); d != iampolicy.Allow {
		t.Fatalf("PutLogEvents via the attached AWS managed policy: %v", d)
	}
	for _, bad := range []string{
		"arn:aws:iam::" + emu.AccountID() + ":role/exec",        // path missing
		"arn:aws:iam::999999999999:role/svc/exec",               // other account
		"arn:aws:iam::" + emu.AccountID() + ":role/svc/missing", // no such role
		"not-an-arn",
	} {
		if _, ok := dir.RoleByARN(bad); ok {
			t.Errorf("RoleByARN(%q) found a role", bad)
		}
	}
}

func TestInventory(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	mustCreateRole(t, c, "fn")
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("sqs"), PolicyDocument: aws.String(sqsPolicy)}); err != nil {
		t.Fatal(err)
	}
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(sqsPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	acct := emu.AccountID()
	want := map[core.Resource]bool{
		{Service: "iam", Region: "global", Type: "role", ID: "arn:aws:iam::" + acct + ":role/fn"}:                          true,
		{Service: "iam", Region: "global", Type: "role-policy", ID: "fn:sqs"}:                                              true,
		{Service: "iam", Region: "global", Type: "role-policy-attachment", ID: "fn:arn:aws:iam::" + acct + ":policy/mine"}: true,
		{Service: "iam", Region: "global", Type: "policy", ID: "arn:aws:iam::" + acct + ":policy/mine"}:                    true,
	}
	inv := emu.Inventory()
	if len(inv) != len(want) {
		t.Fatalf("inventory = %+v", inv)
	}
	for _, r := range inv {
		if !want[r] {
			t.Errorf("unexpected inventory entry %+v", r)
		}
	}
}

func TestPermissionsBoundary(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"), PolicyDocument: aws.String(sqsPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	arn := p.Policy.Arn
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(lambdaTrust), PermissionsBoundary: arn}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Role.PermissionsBoundary == nil || aws.ToString(got.Role.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(arn) ||
		got.Role.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("PermissionsBoundary = %+v", got.Role.PermissionsBoundary)
	}
	gp, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(gp.Policy.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(gp.Policy.AttachmentCount) != 0 {
		t.Fatalf("usage counts = %d boundary, %d attachments", aws.ToInt32(gp.Policy.PermissionsBoundaryUsageCount), aws.ToInt32(gp.Policy.AttachmentCount))
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.PolicyRoles) != 1 {
		t.Fatalf("roles using the boundary = %+v", ents.PolicyRoles)
	}
	// The boundary is not a permission policy of the role.
	info, _ := emu.Service("iam").(core.RoleDirectory).RoleByARN(aws.ToString(got.Role.Arn))
	if len(info.Policies) != 0 {
		t.Fatalf("boundary listed among the role's policies: %v", info.Policies)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	var dc *types.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Fatalf("DeletePolicy of a boundary in use: %v", err)
	}
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"),
		PermissionsBoundary: aws.String("arn:aws:iam::" + emu.AccountID() + ":policy/missing")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("PutRolePermissionsBoundary with a missing policy: %v", err)
	}
	if _, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatalf("DeletePolicy after removing the boundary: %v", err)
	}
}
