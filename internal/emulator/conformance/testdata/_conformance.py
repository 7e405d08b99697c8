"""Shared helpers for the boto3 conformance scripts (see conformance_test.go).

Each script defines cases with @case and ends with run(). A case fails on
the first check that does not hold; run() prints one PASS/FAIL line per
case and a closing "N passed, N failed" line, and exits non-zero on any
failure.
"""

import json
import os
import sys
import traceback
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["EMULATOR_URL"]
ACCOUNT = os.environ["EMULATOR_ACCOUNT"]
REGIONS = os.environ["REGIONS"].split(",")

_CASES = []


def case(fn):
    _CASES.append(fn)
    return fn


def client(service, region):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def session_client(service, region, creds):
    """A client signing with temporary credentials (an AssumeRole result)."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


class CheckFailed(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def eq(got, want, what):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


def expect_error(code, fn, *args, status=None, **kwargs):
    """Calls fn and checks that it fails with the error code (and HTTP status)."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"{fn.__name__}: error {got!r} ({e}), want {code!r}")
        if status is not None:
            eq(e.response["ResponseMetadata"]["HTTPStatusCode"], status, f"{fn.__name__} {code} HTTP status")
        return e
    raise CheckFailed(f"{fn.__name__} succeeded, want error {code}")


def advance_clock(seconds):
    """Moves the emulator's clock forward (test hook under /_emulator/)."""
    req = urllib.request.Request(
        ENDPOINT + "/_emulator/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(req).read()


def run():
    passed = failed = 0
    for fn in _CASES:
        try:
            fn()
        except Exception:  # noqa: BLE001 - every failure is reported
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"PASS {fn.__name__}")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
