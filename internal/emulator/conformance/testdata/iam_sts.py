"""IAM and STS through boto3 1.26 (query protocol), and IAM's authorization
of role sessions on SQS in two regions.

Pages cited: https://docs.aws.amazon.com/IAM/latest/APIReference/API_<Op>.html
and https://docs.aws.amazon.com/STS/latest/APIReference/API_<Op>.html
"""

import json
import sys
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, advance_clock, case, check, client, eq, expect_error, run, session_client  # noqa: E402

R1, R2 = REGIONS
iam1, iam2 = client("iam", R1), client("iam", R2)
sts1 = client("sts", R1)

LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ACCOUNT_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
SQS_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


@case
def roles_are_global():
    # API_CreateRole / API_GetRole: IAM is global; a role made through one
    # region's endpoint is the same role through another's.
    role = iam1.create_role(RoleName="consumer", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST),
                            Description="reads the bus", Tags=[{"Key": "team", "Value": "data"}])["Role"]
    eq(role["Arn"], f"arn:aws:iam::{ACCOUNT}:role/consumer", "role ARN")
    check(role["RoleId"].startswith("AROA"), f"RoleId {role['RoleId']} does not start with AROA")
    got = iam2.get_role(RoleName="consumer")["Role"]
    eq(got["Arn"], role["Arn"], "GetRole through the other region")
    # The document comes back URL-encoded in XML; botocore decodes it.
    eq(got["AssumeRolePolicyDocument"], LAMBDA_TRUST, "AssumeRolePolicyDocument")
    eq(got["Description"], "reads the bus", "Description")
    expect_error("EntityAlreadyExists", iam1.create_role, RoleName="consumer",
                 AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), status=409)
    expect_error("NoSuchEntity", iam1.get_role, RoleName="absent", status=404)
    expect_error("MalformedPolicyDocument", iam1.create_role, RoleName="bad", AssumeRolePolicyDocument="{not json")
    # API_UpdateAssumeRolePolicy.
    iam1.update_assume_role_policy(RoleName="consumer", PolicyDocument=json.dumps(ACCOUNT_TRUST))
    eq(iam1.get_role(RoleName="consumer")["Role"]["AssumeRolePolicyDocument"], ACCOUNT_TRUST, "updated trust policy")
    # API_TagRole / API_UntagRole / API_ListRoleTags.
    iam1.tag_role(RoleName="consumer", Tags=[{"Key": "env", "Value": "test"}])
    iam1.untag_role(RoleName="consumer", TagKeys=["team"])
    eq(iam1.list_role_tags(RoleName="consumer")["Tags"], [{"Key": "env", "Value": "test"}], "role tags")


@case
def inline_and_managed_policies():
    iam1.create_role(RoleName="pol", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    # API_PutRolePolicy / API_GetRolePolicy / API_ListRolePolicies.
    iam1.put_role_policy(RoleName="pol", PolicyName="send", PolicyDocument=json.dumps(doc))
    eq(iam1.get_role_policy(RoleName="pol", PolicyName="send")["PolicyDocument"], doc, "inline policy")
    eq(iam1.list_role_policies(RoleName="pol")["PolicyNames"], ["send"], "inline policy names")
    expect_error("NoSuchEntity", iam1.get_role_policy, RoleName="pol", PolicyName="absent")
    expect_error("MalformedPolicyDocument", iam1.put_role_policy, RoleName="pol", PolicyName="bad", PolicyDocument='{"Statement": 1}')
    # API_AttachRolePolicy with an AWS managed policy, and a customer one (API_CreatePolicy).
    iam1.attach_role_policy(RoleName="pol", PolicyArn=SQS_EXEC)
    mine = iam1.create_policy(PolicyName="mine", PolicyDocument=json.dumps(doc))["Policy"]
    eq(mine["Arn"], f"arn:aws:iam::{ACCOUNT}:policy/mine", "policy ARN")
    iam1.attach_role_policy(RoleName="pol", PolicyArn=mine["Arn"])
    attached = iam1.list_attached_role_policies(RoleName="pol")["AttachedPolicies"]
    eq(sorted(p["PolicyArn"] for p in attached), sorted([SQS_EXEC, mine["Arn"]]), "attached policies")
    expect_error("NoSuchEntity", iam1.attach_role_policy, RoleName="pol", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/absent")
    # API_DeleteRole: "You must first remove" its policies: DeleteConflict (409).
    expect_error("DeleteConflict", iam1.delete_role, RoleName="pol", status=409)
    iam1.detach_role_policy(RoleName="pol", PolicyArn=SQS_EXEC)
    iam1.detach_role_policy(RoleName="pol", PolicyArn=mine["Arn"])
    iam1.delete_role_policy(RoleName="pol", PolicyName="send")
    iam1.delete_role(RoleName="pol")
    expect_error("NoSuchEntity", iam1.get_role, RoleName="pol")


@case
def caller_identity_and_assume_role():
    # API_GetCallerIdentity.
    me = sts1.get_caller_identity()
    eq(me["Account"], ACCOUNT, "account")
    role = iam1.create_role(RoleName="operator", AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST))["Role"]
    # API_AssumeRole: temporary credentials; the session's ARN is
    # arn:aws:sts::<account>:assumed-role/<role>/<session>.
    out = sts1.assume_role(RoleArn=role["Arn"], RoleSessionName="conf", DurationSeconds=900)
    creds = out["Credentials"]
    check(creds["AccessKeyId"].startswith("ASIA"), f"temporary key {creds['AccessKeyId']} does not start with ASIA")
    eq(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/operator/conf", "AssumedRoleUser")
    who = session_client("sts", R2, creds).get_caller_identity()
    eq(who["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/operator/conf", "caller as the role session")
    # A role whose trust policy does not name the caller: AccessDenied.
    lam = iam1.create_role(RoleName="lambda-only", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]
    expect_error("AccessDenied", sts1.assume_role, RoleArn=lam["Arn"], RoleSessionName="xx", status=403)
    # DurationSeconds is 900 to the role's maximum (3600 by default).
    expect_error("ValidationError", sts1.assume_role, RoleArn=role["Arn"], RoleSessionName="xx", DurationSeconds=3601)
    # Expired credentials are refused: ExpiredToken.
    advance_clock(901)
    expect_error("ExpiredToken", session_client("sts", R1, creds).get_caller_identity)


@case
def role_sessions_are_authorized_on_sqs():
    # A role session may call SQS only as its policies allow
    # (IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    role = iam1.create_role(RoleName="sender", AssumeRolePolicyDocument=json.dumps(ACCOUNT_TRUST))["Role"]
    urls = {}
    for r in (R1, R2):
        urls[r] = client("sqs", r).create_queue(QueueName="authz")["QueueUrl"]
    creds = sts1.assume_role(RoleArn=role["Arn"], RoleSessionName="sender-session")["Credentials"]
    for r in (R1, R2):
        expect_error("AccessDenied", session_client("sqs", r, creds).send_message, QueueUrl=urls[r], MessageBody="x", status=403)
    # Allow SendMessage on R2's queue only.
    iam1.put_role_policy(RoleName="sender", PolicyName="send", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                "Resource": f"arn:aws:sqs:{R2}:{ACCOUNT}:authz"}]}))
    session_client("sqs", R2, creds).send_message(QueueUrl=urls[R2], MessageBody="allowed")
    expect_error("AccessDenied", session_client("sqs", R1, creds).send_message, QueueUrl=urls[R1], MessageBody="x")
    expect_error("AccessDenied", session_client("sqs", R2, creds).receive_message, QueueUrl=urls[R2])
    got = client("sqs", R2).receive_message(QueueUrl=urls[R2])["Messages"]
    eq([m["Body"] for m in got], ["allowed"], "message sent by the role session")


run()
