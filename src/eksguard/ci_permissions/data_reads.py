"""The data reads a plan role must not make, though ``ReadOnlyAccess`` allows them.

``ReadOnlyAccess`` (AWS Managed Policy Reference) reads configuration *and* data: S3
objects, DynamoDB items, SSM parameter values (SecureString ones too when they use the
``aws/ssm`` key, whose key policy lets every principal of the account decrypt through SSM),
log events, queue messages, function code, images. The IAM User Guide's "AWS managed
policies for job functions" draws the same line with ``ViewOnlyAccess``, which leaves them
out. Speculative plans run for any pull request, so a plan role denies them explicitly.

A plan needs to read what its own resources hold (an ``aws_ssm_parameter``'s value, an
``aws_s3_object``'s body, a ``data.aws_secretsmanager_secret_version``): an action that a
type of the stack refreshes through is left out of the deny, per ``NEEDED_BY``; so is one
that the role's own inline policies allow by name (a state bucket's ``s3:GetObject``): an
explicit deny would override that allow. ``"*"`` is not taken as such an allow.

Example::

    data_read_deny_document(resource_types={"aws_vpc"}, data_types=set(), partition="aws")
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from eksguard.ci_permissions.deploy import read_actions

POLICY_VERSION = "2012-10-17"

DENY_POLICY_NAME = "eksguard-deny-data-reads"
"""The inline policy of a plan role that holds the denies."""

DATA_READ_ACTIONS: Mapping[str, str] = {
    "s3:GetObject": "object bodies (GetObject, HeadObject, SelectObjectContent)",
    "s3:GetObjectVersion": "earlier versions' bodies",
    "dynamodb:GetItem": "items", "dynamodb:BatchGetItem": "items", "dynamodb:Query": "items",
    "dynamodb:Scan": "items", "dynamodb:PartiQLSelect": "items", "dynamodb:GetRecords": "stream records",
    "secretsmanager:GetSecretValue": "secret values", "secretsmanager:BatchGetSecretValue": "secret values",
    "logs:GetLogEvents": "log events", "logs:FilterLogEvents": "log events", "logs:StartQuery": "log events",
    "logs:GetQueryResults": "log events", "logs:GetLogRecord": "log events", "logs:StartLiveTail": "log events",
    "logs:Unmask": "masked log data",
    "kinesis:GetRecords": "stream records", "kinesis:SubscribeToShard": "stream records",
    "sqs:ReceiveMessage": "queue messages (and hides them from their consumers)",
    "lambda:GetFunction": "a presigned URL to the function's code",
    "ec2:GetConsoleOutput": "instance console output", "ec2:GetConsoleScreenshot": "instance screens",
    "ec2:GetPasswordData": "encrypted Windows passwords",
    "ecr:GetDownloadUrlForLayer": "image layers", "ecr:BatchGetImage": "image manifests",
    "codecommit:GetBlob": "repository content", "codecommit:GetFile": "repository content",
    "codecommit:GitPull": "repository content",
    "athena:GetQueryResults": "query results",
    "ec2:DescribeInstanceAttribute": "instance user data", "ec2:DescribeLaunchTemplateVersions":
        "launch template user data", "lambda:GetFunctionConfiguration": "function environment variables",
    "ecs:DescribeTaskDefinition": "task definition environment variables",
    "glue:GetConnection": "connection passwords", "glue:GetConnections": "connection passwords",
    "ssm:GetCommandInvocation": "command output", "es:ESHttpGet": "search domain documents",
    "rds:DownloadDBLogFilePortion": "database logs", "rds:DownloadCompleteDBLogFile": "database logs",
    "lambda:ListFunctions": "function environment variables", "lambda:ListVersionsByFunction":
        "function environment variables", "lambda:GetLayerVersion": "a presigned URL to the layer's code",
    "autoscaling:DescribeLaunchConfigurations": "launch configuration user data",
    "ec2:DescribeSpotInstanceRequests": "launch specification user data",
    "ec2:DescribeSpotFleetRequests": "launch specification user data",
    "apigateway:GET": "API key values, stage variables, exported APIs",
    "cognito-idp:DescribeUserPoolClient": "app client secrets",
    "states:DescribeExecution": "execution input and output", "states:GetExecutionHistory":
        "execution input and output",
    "ssm:ListCommandInvocations": "command output", "ecs:DescribeTasks": "task override environment variables",
    "dax:GetItem": "items", "dax:BatchGetItem": "items", "dax:Query": "items", "dax:Scan": "items",
    "codebuild:BatchGetProjects": "project environment variables",
    "elasticbeanstalk:DescribeConfigurationSettings": "environment properties",
    "amplify:GetApp": "environment variables and basic-auth credentials",
    "glue:GetJob": "job default arguments", "glue:GetJobs": "job default arguments",
}
"""Data reads ``ReadOnlyAccess`` allows, with what each returns."""

PARAMETER_VALUE_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                           "ssm:GetParameterHistory")
"""Parameter values: denied except AWS's public parameters (``/aws/service/...``, the
AMI and add-on lookups a stack may make), whose ARNs carry no account."""
PUBLIC_PARAMETERS = "arn:{partition}:ssm:*::parameter/aws/service/*"

NEEDED_BY: Mapping[str, tuple[str, ...]] = {
    "s3:GetObject": ("aws_s3_object", "aws_s3_bucket_object", "data.aws_s3_object", "data.aws_s3_bucket_object"),
    "ssm:GetParameter": ("aws_ssm_parameter", "data.aws_ssm_parameter"),
    "ssm:GetParameters": ("aws_ssm_parameter", "data.aws_ssm_parameter"),
    "ssm:GetParametersByPath": ("data.aws_ssm_parameters_by_path",),
    "secretsmanager:GetSecretValue": ("aws_secretsmanager_secret_version", "data.aws_secretsmanager_secret_version",
                                      "data.aws_secretsmanager_secret_versions"),
    "lambda:GetFunction": ("aws_lambda_function", "data.aws_lambda_function"),
    "dynamodb:GetItem": ("aws_dynamodb_table_item", "data.aws_dynamodb_table_item"),
    "ec2:DescribeInstanceAttribute": ("aws_instance", "data.aws_instance"),
    "ec2:DescribeLaunchTemplateVersions": ("aws_launch_template", "data.aws_launch_template", "aws_instance",
                                           "aws_autoscaling_group", "aws_eks_node_group"),
    "lambda:GetFunctionConfiguration": ("aws_lambda_function", "data.aws_lambda_function"),
    "ecs:DescribeTaskDefinition": ("aws_ecs_task_definition", "data.aws_ecs_task_definition", "aws_ecs_service"),
    "glue:GetConnection": ("aws_glue_connection", "data.aws_glue_connection"),
    "lambda:ListFunctions": ("data.aws_lambda_functions",),
    "lambda:ListVersionsByFunction": ("aws_lambda_function", "data.aws_lambda_function"),
    "lambda:GetLayerVersion": ("aws_lambda_layer_version", "data.aws_lambda_layer_version"),
    "autoscaling:DescribeLaunchConfigurations": ("aws_launch_configuration", "data.aws_launch_configuration",
                                                 "aws_autoscaling_group"),
    "ec2:DescribeSpotInstanceRequests": ("aws_spot_instance_request",),
    "ec2:DescribeSpotFleetRequests": ("aws_spot_fleet_request",),
    "apigateway:GET": ("aws_api_gateway_*", "aws_apigatewayv2_*", "data.aws_api_gateway_*",
                       "data.aws_apigatewayv2_*"),
    "cognito-idp:DescribeUserPoolClient": ("aws_cognito_user_pool_client", "data.aws_cognito_user_pool_client",
                                           "data.aws_cognito_user_pool_clients"),
    "codebuild:BatchGetProjects": ("aws_codebuild_project", "aws_codebuild_webhook"),
    "elasticbeanstalk:DescribeConfigurationSettings": ("aws_elastic_beanstalk_environment",
                                                       "aws_elastic_beanstalk_configuration_template"),
    "amplify:GetApp": ("aws_amplify_app", "aws_amplify_branch"),
    "glue:GetJob": ("aws_glue_job",),
}
"""Types whose refresh calls a denied action (hashicorp/terraform-provider-aws read
functions; ``*`` matches a family of types), so a stack holding one keeps that action; so
does any read in the type's row of ``deploy.RESOURCE_PERMISSIONS``."""


def kept_for_stack(resource_types: Collection[str], data_types: Collection[str]) -> list[str]:
    """The denied actions this stack's own types need to refresh."""
    present = {*resource_types, *(f"data.{t}" for t in data_types)}
    return sorted(action for action, types in NEEDED_BY.items()
                  if any(fnmatch.fnmatchcase(t, pattern) for t in present for pattern in types))


def allowed_by(documents: Iterable[Mapping[str, Any] | str]) -> list[str]:
    """The denied actions that a role's own policies allow by name or pattern (such as
    ``s3:GetObject`` on a state bucket): an explicit deny would override them."""
    patterns = []
    for document in documents:
        loaded = json.loads(document) if isinstance(document, str) else document
        for statement in as_statements(loaded):
            if statement.get("Effect") == "Allow":
                action = statement.get("Action", [])
                patterns += [a for a in (action if isinstance(action, list) else [action]) if isinstance(a, str)]
    candidates = [*DATA_READ_ACTIONS, *PARAMETER_VALUE_ACTIONS]
    return sorted(a for a in candidates if any(fnmatch.fnmatchcase(a.lower(), p.lower()) for p in patterns
                                               if p not in ("*", "*:*")))


def as_statements(document: Any) -> list[dict[str, Any]]:
    found = document.get("Statement", []) if isinstance(document, dict) else []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def data_read_deny_document(*, resource_types: Collection[str], data_types: Collection[str],
                            partition: str, allowed: Collection[str] = ()) -> dict[str, Any]:
    """Deny every data read a plan of this stack does not need, and that the role's own
    policies do not allow by name (``allowed``, from ``allowed_by``)."""
    kept = set(kept_for_stack(resource_types, data_types)) | set(allowed) | set(
        read_actions(resource_types, data_types))
    statements: list[dict[str, Any]] = [{
        "Sid": "DenyDataReads", "Effect": "Deny",
        "Action": sorted(a for a in DATA_READ_ACTIONS if a not in kept), "Resource": "*"}]
    parameters = [a for a in PARAMETER_VALUE_ACTIONS if a not in kept]
    if parameters:
        statements.append({"Sid": "DenyParameterValues", "Effect": "Deny", "Action": parameters,
                           "NotResource": PUBLIC_PARAMETERS.format(partition=partition)})
    return {"Version": POLICY_VERSION, "Statement": statements}
