"""Secrets Manager through boto3 1.26 (JSON 1.1), in two regions.

Pages cited: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_<Op>.html
"""

import sys
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, case, check, client, eq, expect_error, run  # noqa: E402

R1, R2 = REGIONS
sm1, sm2 = client("secretsmanager", R1), client("secretsmanager", R2)


@case
def secrets_live_in_their_region():
    # API_CreateSecret: the ARN ends with the name, a hyphen and 6 random characters.
    s1 = sm1.create_secret(Name="redis/auth", SecretString="one", Tags=[{"Key": "team", "Value": "data"}])
    check(s1["ARN"].startswith(f"arn:aws:secretsmanager:{R1}:{ACCOUNT}:secret:redis/auth-"), f"ARN {s1['ARN']}")
    eq(len(s1["ARN"].rsplit("-", 1)[1]), 6, "ARN suffix length")
    s2 = sm2.create_secret(Name="redis/auth", SecretString="two")
    eq(sm1.get_secret_value(SecretId="redis/auth")["SecretString"], "one", "R1 value")
    eq(sm2.get_secret_value(SecretId=s2["ARN"])["SecretString"], "two", "R2 value by ARN")
    # ResourceExistsException for a second secret of the same name.
    expect_error("ResourceExistsException", sm1.create_secret, Name="redis/auth", SecretString="x")
    expect_error("ResourceNotFoundException", sm1.get_secret_value, SecretId="absent")
    eq([s["Name"] for s in sm2.list_secrets()["SecretList"]], ["redis/auth"], "ListSecrets R2")


@case
def versions_and_stages():
    # API_PutSecretValue: the new version takes AWSCURRENT, the old AWSPREVIOUS.
    sm1.create_secret(Name="rotating", SecretString="v1")
    v2 = sm1.put_secret_value(SecretId="rotating", SecretString="v2")
    eq(v2["VersionStages"], ["AWSCURRENT"], "new version stages")
    eq(sm1.get_secret_value(SecretId="rotating")["SecretString"], "v2", "current")
    eq(sm1.get_secret_value(SecretId="rotating", VersionStage="AWSPREVIOUS")["SecretString"], "v1", "previous")
    eq(sm1.get_secret_value(SecretId="rotating", VersionId=v2["VersionId"])["SecretString"], "v2", "by version id")
    # API_UpdateSecret and API_DescribeSecret.
    sm1.update_secret(SecretId="rotating", Description="rotated by hand")
    d = sm1.describe_secret(SecretId="rotating")
    eq(d["Description"], "rotated by hand", "Description")
    eq(sorted(s for stages in d["VersionIdsToStages"].values() for s in stages), ["AWSCURRENT", "AWSPREVIOUS"], "stages")
    # Binary secrets.
    sm1.create_secret(Name="bin", SecretBinary=b"\x00\xff")
    eq(sm1.get_secret_value(SecretId="bin")["SecretBinary"], b"\x00\xff", "SecretBinary")
    # API_TagResource / API_UntagResource.
    sm1.tag_resource(SecretId="rotating", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    sm1.untag_resource(SecretId="rotating", TagKeys=["a"])
    eq(sm1.describe_secret(SecretId="rotating")["Tags"], [{"Key": "b", "Value": "2"}], "tags")


@case
def delete_and_restore():
    # API_DeleteSecret: a recovery window (7-30 days) during which the secret
    # cannot be read (InvalidRequestException) but can be restored.
    sm2.create_secret(Name="doomed", SecretString="x")
    out = sm2.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    check("DeletionDate" in out, "DeleteSecret has no DeletionDate")
    expect_error("InvalidRequestException", sm2.get_secret_value, SecretId="doomed")
    expect_error("InvalidParameterException", sm2.delete_secret, SecretId="doomed", RecoveryWindowInDays=3)
    sm2.restore_secret(SecretId="doomed")
    eq(sm2.get_secret_value(SecretId="doomed")["SecretString"], "x", "restored")
    sm2.delete_secret(SecretId="doomed", ForceDeleteWithoutRecovery=True)
    expect_error("ResourceNotFoundException", sm2.describe_secret, SecretId="doomed")


run()
