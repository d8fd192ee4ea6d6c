"""Identity-policy helpers: each grant synthesizes to exactly the statements AWS authorizes
the calls against, in the stack's partition, region and account; bad literals fail early."""

from __future__ import annotations

import json

import pytest

from eksguard import ValidationError
from eksguard._framework import aws
from eksguard.constructs import iam_policies as module
from eksguard.constructs.iam_policies import (
    dynamodb_table_read,
    policy_document,
    s3_bucket_access,
    secrets_manager_secret_read,
    ssm_parameter_path_read,
)

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
REGION = "${data.aws_region.eksguard-region.name}"
ACCOUNT = "${data.aws_caller_identity.eksguard-account.account_id}"
PARAMETER = f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
TABLE = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table"
READ_ITEMS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"]


def _document(synth_one, grant):
    """The synthesized policy of an ``aws_iam_role_policy`` holding ``grant(stack)``'s statements."""
    def add(stack):
        role = aws.iam_role.IamRole(stack, "role", name="workload", assume_role_policy="{}")
        aws.iam_role_policy.IamRolePolicy(stack, "grant", role=role.id,
                                          policy=json.dumps(policy_document(*grant(stack))))

    out = synth_one(add)
    return json.loads(out.resource("test/grant")["policy"]), out


def _allow(actions, resources, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def test_ssm_path_read_grants_the_path_its_sub_paths_and_the_parameters_below(synth_one):
    # GIVEN a recursive read of /orders with SecureStrings under a customer managed key
    # WHEN it is synthesized
    document, out = _document(synth_one, lambda s: ssm_parameter_path_read(s, path="/orders", kms_key_arn=KEY))
    # THEN GetParametersByPath is allowed on the path itself (what SSM authorizes) and below
    assert document == {"Version": "2012-10-17", "Statement": [
        _allow(["ssm:GetParametersByPath"], [f"{PARAMETER}/orders", f"{PARAMETER}/orders/*"]),
        _allow(["ssm:GetParameter", "ssm:GetParameters"], [f"{PARAMETER}/orders/*"]),
        _allow(["kms:Decrypt"], [KEY])]}
    # AND the partition, region and account come from one data source each
    assert {kind: list(items) for kind, items in out.document["data"].items()} == {
        "aws_partition": ["eksguard-partition"], "aws_region": ["eksguard-region"],
        "aws_caller_identity": ["eksguard-account"]}


def test_ssm_path_read_not_recursive_grants_only_the_path_for_get_by_path(synth_one):
    document, _ = _document(synth_one, lambda s: ssm_parameter_path_read(s, path="/orders/prod", recursive=False))
    assert document["Statement"] == [
        _allow(["ssm:GetParametersByPath"], [f"{PARAMETER}/orders/prod"]),
        _allow(["ssm:GetParameter", "ssm:GetParameters"], [f"{PARAMETER}/orders/prod/*"])]


def test_secret_read_by_name_matches_the_six_character_suffix(synth_one):
    document, _ = _document(synth_one, lambda s: secrets_manager_secret_read(s, secret_name="prod/orders/db"))
    assert document == {"Version": "2012-10-17", "Statement": [
        _allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
               [f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/orders/db-??????"])]}


def test_secret_read_by_arn_with_its_key(synth_one):
    document, _ = _document(synth_one, lambda s: secrets_manager_secret_read(s, secret_arn=SECRET, kms_key_arn=KEY))
    assert document["Statement"] == [
        _allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], [SECRET]),
        _allow(["kms:Decrypt"], [KEY])]


def test_s3_read_of_a_whole_bucket(synth_one):
    document, _ = _document(synth_one, lambda s: s3_bucket_access(s, bucket="orders-reports"))
    assert document == {"Version": "2012-10-17", "Statement": [
        _allow(["s3:ListBucket"], [f"arn:{PARTITION}:s3:::orders-reports"]),
        _allow(["s3:GetObject"], [f"arn:{PARTITION}:s3:::orders-reports/*"])]}


def test_s3_write_under_a_prefix_lists_only_that_prefix(synth_one):
    document, _ = _document(synth_one, lambda s: s3_bucket_access(
        s, bucket="orders-reports", prefix="daily/eu", write=True, kms_key_arn=KEY))
    assert document["Statement"] == [
        _allow(["s3:ListBucket"], [f"arn:{PARTITION}:s3:::orders-reports"],
               Condition={"StringLike": {"s3:prefix": ["daily/eu/*"]}}),
        _allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
               [f"arn:{PARTITION}:s3:::orders-reports/daily/eu/*"]),
        _allow(["kms:Decrypt", "kms:GenerateDataKey"], [KEY])]


def test_dynamodb_read_covers_the_table_and_queries_on_its_indexes(synth_one):
    document, _ = _document(synth_one, lambda s: dynamodb_table_read(s, table="orders"))
    assert document == {"Version": "2012-10-17", "Statement": [
        _allow(READ_ITEMS, [f"{TABLE}/orders"]),
        _allow(["dynamodb:Query", "dynamodb:Scan"], [f"{TABLE}/orders/index/*"])]}


def test_dynamodb_write_adds_item_writes_on_the_table_only(synth_one):
    document, _ = _document(synth_one, lambda s: dynamodb_table_read(s, table="orders", write=True))
    assert document["Statement"] == [
        _allow([*READ_ITEMS, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem"], [f"{TABLE}/orders"]),
        _allow(["dynamodb:Query", "dynamodb:Scan"], [f"{TABLE}/orders/index/*"])]


def test_terraform_references_pass_through_unvalidated(synth_one):
    # GIVEN names that are references to resources of the same stack
    def grant(s):
        bucket = aws.s3_bucket.S3Bucket(s, "reports")
        table = aws.dynamodb_table.DynamodbTable(s, "orders", name="orders", hash_key="id",
                                                 attribute=[{"name": "id", "type": "S"}])
        secret = aws.secretsmanager_secret.SecretsmanagerSecret(s, "db", name="db")
        return [*s3_bucket_access(s, bucket=bucket.bucket), *dynamodb_table_read(s, table=table.name),
                *secrets_manager_secret_read(s, secret_arn=secret.arn)]

    # WHEN synthesized THEN they appear as Terraform references in the ARNs
    document, out = _document(synth_one, grant)
    resources = [r for statement in document["Statement"] for r in statement["Resource"]]
    bucket, table = out.address("test/reports"), out.address("test/orders")
    assert resources == [
        f"arn:{PARTITION}:s3:::${{{bucket}.bucket}}", f"arn:{PARTITION}:s3:::${{{bucket}.bucket}}/*",
        f"{TABLE}/${{{table}.name}}", f"{TABLE}/${{{table}.name}}/index/*",
        "${" + out.address("test/db") + ".arn}"]


def test_policy_document_combines_statements_and_lists_of_statements():
    one = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::a/*"]}
    two = {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::a"]}
    assert policy_document(one, [two]) == {"Version": "2012-10-17", "Statement": [one, two]}


def test_empty_policy_document_is_refused():
    with pytest.raises(ValidationError) as caught:
        policy_document()
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "policy_document", "statements", [], "at least one item")


@pytest.mark.parametrize(("grant", "kwargs", "field", "value", "allowed"), [
    (ssm_parameter_path_read, {"path": "orders"}, "path", "orders", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/orders/"}, "path", "/orders/", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/"}, "path", "/", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/orders/*"}, "path", "/orders/*", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/orders//prod"}, "path", "/orders//prod", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/aws/service/eks"}, "path", "/aws/service/eks", module.ALLOWED_SSM_PATH),
    (ssm_parameter_path_read, {"path": "/orders", "kms_key_arn": "alias/aws/ssm"}, "kms_key_arn",
     "alias/aws/ssm", module.ALLOWED_KMS_KEY_ARN),
    (secrets_manager_secret_read, {}, "secret_arn", None, module.ALLOWED_ONE_SECRET),
    (secrets_manager_secret_read, {"secret_arn": SECRET, "secret_name": "prod/db"}, "secret_arn", SECRET,
     module.ALLOWED_ONE_SECRET),
    (secrets_manager_secret_read, {"secret_arn": SECRET[:-7]}, "secret_arn", SECRET[:-7], module.ALLOWED_SECRET_ARN),
    (secrets_manager_secret_read, {"secret_name": "prod/*"}, "secret_name", "prod/*", module.ALLOWED_SECRET_NAME),
    (secrets_manager_secret_read, {"secret_name": "db", "kms_key_arn": KEY.replace("key/", "alias/")},
     "kms_key_arn", KEY.replace("key/", "alias/"), module.ALLOWED_KMS_KEY_ARN),
    (s3_bucket_access, {"bucket": "Orders_Reports"}, "bucket", "Orders_Reports", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "ab"}, "bucket", "ab", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "orders..reports"}, "bucket", "orders..reports", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "192.168.5.4"}, "bucket", "192.168.5.4", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "xn--orders"}, "bucket", "xn--orders", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "orders--x-s3"}, "bucket", "orders--x-s3", module.ALLOWED_BUCKET),
    (s3_bucket_access, {"bucket": "orders", "prefix": "/daily"}, "prefix", "/daily", module.ALLOWED_S3_PREFIX),
    (s3_bucket_access, {"bucket": "orders", "prefix": "daily/"}, "prefix", "daily/", module.ALLOWED_S3_PREFIX),
    (s3_bucket_access, {"bucket": "orders", "prefix": "daily/*"}, "prefix", "daily/*", module.ALLOWED_S3_PREFIX),
    (s3_bucket_access, {"bucket": "orders", "kms_key_arn": "1234abcd"}, "kms_key_arn", "1234abcd",
     module.ALLOWED_KMS_KEY_ARN),
    (dynamodb_table_read, {"table": "ab"}, "table", "ab", module.ALLOWED_TABLE),
    (dynamodb_table_read, {"table": "orders*"}, "table", "orders*", module.ALLOWED_TABLE),
])
def test_bad_literals_fail_with_path_field_value_and_allowed(stack, grant, kwargs, field, value, allowed):
    # WHEN a helper gets a literal AWS would reject or that would grant too much
    with pytest.raises(ValidationError) as caught:
        grant(stack, **kwargs)
    # THEN the error names the construct path, the field, the value and what is allowed
    error = caught.value
    assert (error.path, error.field, error.value, error.allowed) == ("test", field, value, allowed)
