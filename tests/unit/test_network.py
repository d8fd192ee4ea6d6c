"""ClusterNetwork: exact synthesized facts and every validation branch."""

from __future__ import annotations

import dataclasses
import json

import pytest

from eksguard import ValidationError
from eksguard._docs import field_docs
from eksguard._framework import TerraformOutput, core
from eksguard.constructs import cluster as cluster_module
from eksguard.constructs import network as network_module
from eksguard.constructs.network import (
    DEFAULT_INTERFACE_ENDPOINTS,
    ClusterNetwork,
    ClusterNetworkProps,
)

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
ACCOUNT = "${data.aws_caller_identity.eksguard-account.account_id}"
REGION = "${data.aws_region.eksguard-region.name}"
ZONES = "data.aws_availability_zones.network_zones_2241F3F0"
DEFAULT_ENDPOINTS = ["ec2", "ecr.api", "ecr.dkr", "sts", "logs", "eks", "eks-auth",
                     "elasticloadbalancing", "autoscaling"]


def _network(**overrides):
    return lambda stack: ClusterNetwork(stack, "network", props=ClusterNetworkProps(
        **{"cluster_name": "prod", **overrides}))


def _ref(out, path, attribute="id"):
    return "${" + out.address(path) + "." + attribute + "}"


def _canonical(body):
    return json.dumps(body, sort_keys=True)


def _private_subnets(out, count):
    return [_ref(out, f"test/network/private-{index}") for index in range(count)]


def _private_route_tables(out, count):
    return [_ref(out, f"test/network/private-{index}-routes") for index in range(count)]


def test_vpc_has_dns_on_and_a_default_security_group_without_rules(synth_one):
    # GIVEN default props / WHEN synthesized
    out = synth_one(_network())
    # THEN the VPC resolves private DNS names, and nothing can use the default security group
    assert out.resource("test/network/vpc") == {
        "cidr_block": "10.0.0.0/16", "enable_dns_support": True, "enable_dns_hostnames": True,
        "tags": {"Name": "prod"}}
    assert out.resource("test/network/default-security-group") == {
        "vpc_id": _ref(out, "test/network/vpc"), "tags": {}}


def test_zones_are_available_need_no_opt_in_and_exclude_what_eks_does_not_serve(synth_one):
    # GIVEN no pinned zones / WHEN synthesized
    out = synth_one(_network(az_count=3))
    # THEN the data source keeps regional AZs EKS serves, and plan fails with too few
    assert out.resource("test/network/zones") == {
        "state": "available",
        "filter": [{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
        "exclude_zone_ids": ["use1-az3", "usw1-az2", "cac1-az3"],
        "lifecycle": {"postcondition": [{
            "condition": "${length(self.zone_ids) >= 3}",
            "error_message": "The region has fewer than 3 available availability zones that EKS "
                             "supports; lower az_count or pin availability_zone_ids.",
        }]},
    }


@pytest.mark.parametrize(("overrides", "cidrs"), [
    ({}, ["10.0.0.0/19", "10.0.32.0/19"]),
    ({"az_count": 3}, ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]),
    ({"cidr_block": "172.16.8.0/24", "az_count": 3},
     ["172.16.8.0/27", "172.16.8.32/27", "172.16.8.64/27"]),
])
def test_one_tagged_private_subnet_and_route_table_per_az_pinned_by_zone_id(synth_one, overrides, cidrs):
    # GIVEN an AZ count and VPC CIDR / WHEN synthesized
    out = synth_one(_network(**overrides))
    # THEN subnet i takes the i-th eighth of the CIDR, in the i-th eligible AZ by ID
    subnets = out.of_type("aws_subnet")
    assert sorted(subnets) == [f"test/network/private-{index}" for index in range(len(cidrs))]
    for index, cidr in enumerate(cidrs):
        assert subnets[f"test/network/private-{index}"] == {
            "vpc_id": _ref(out, "test/network/vpc"),
            "cidr_block": cidr,
            "availability_zone_id": f"${{element({ZONES}.zone_ids, {index})}}",
            "tags": {"Name": f"prod-private-{index}", "kubernetes.io/role/internal-elb": "1",
                     "kubernetes.io/cluster/prod": "shared"},
        }
        # AND it has a route table of its own
        assert out.resource(f"test/network/private-{index}-routes-association") == {
            "subnet_id": _ref(out, f"test/network/private-{index}"),
            "route_table_id": _ref(out, f"test/network/private-{index}-routes"),
        }
    assert sorted(out.of_type("aws_route_table")) == [
        f"test/network/private-{index}-routes" for index in range(len(cidrs))]


def test_pinned_zone_ids_are_used_as_given_without_a_zones_data_source(synth_one):
    # GIVEN explicit AZ IDs / WHEN synthesized
    out = synth_one(_network(availability_zone_ids=["use1-az6", "use1-az1", "use1-az4"]))
    # THEN the subnets sit in them, in order, and no AZ lookup happens
    assert [out.resource(f"test/network/private-{index}")["availability_zone_id"]
            for index in range(3)] == ["use1-az6", "use1-az1", "use1-az4"]
    assert "aws_availability_zones" not in out.document["data"]


def test_zone_ids_known_only_at_apply_are_picked_by_index(synth_one):
    # GIVEN the AZ IDs as a Terraform list variable and an AZ count / WHEN synthesized
    def build(stack):
        zones = core.TerraformVariable(stack, "zones", type="list(string)")
        _network(availability_zone_ids=zones.list_value, az_count=3)(stack)

    out = synth_one(build)
    # THEN subnet i takes element i of the list, and no AZ lookup happens
    assert [out.resource(f"test/network/private-{index}")["availability_zone_id"]
            for index in range(3)] == [f"${{element(var.zones, {index})}}" for index in range(3)]
    assert "aws_availability_zones" not in out.document["data"]


def test_a_cidr_known_only_at_apply_is_carved_with_cidrsubnet(synth_one):
    # GIVEN the VPC CIDR as a Terraform variable / WHEN synthesized with NAT
    def build(stack):
        cidr = core.TerraformVariable(stack, "cidr", type="string")
        _network(cidr_block=cidr.string_value, nat_gateways=True)(stack)

    out = synth_one(build)
    # THEN Terraform carves the subnets, and the endpoint security group allows the variable
    assert [out.resource(f"test/network/{kind}-{index}")["cidr_block"]
            for kind in ("private", "public") for index in range(2)] == [
        "${cidrsubnet(var.cidr, 3, 0)}", "${cidrsubnet(var.cidr, 3, 1)}",
        "${cidrsubnet(var.cidr, 4, 8)}", "${cidrsubnet(var.cidr, 4, 9)}"]
    assert out.resource("test/network/endpoint-security-group")["ingress"][0]["cidr_blocks"] == [
        "${var.cidr}"]


@pytest.mark.parametrize(("overrides", "services"), [
    ({}, DEFAULT_ENDPOINTS),
    ({"interface_endpoints": (*DEFAULT_INTERFACE_ENDPOINTS, "ssm", "bedrock-runtime")},
     [*DEFAULT_ENDPOINTS, "ssm", "bedrock-runtime"]),
    ({"interface_endpoints": ["ecr.api", "ecr.dkr"], "az_count": 3}, ["ecr.api", "ecr.dkr"]),
])
def test_interface_endpoints_have_private_dns_in_every_private_subnet(synth_one, overrides, services):
    # GIVEN a list of interface endpoints / WHEN synthesized
    out = synth_one(_network(**overrides))
    count = overrides.get("az_count", 2)
    # THEN exactly those exist (plus the S3 gateway), each private-DNS'd in every private subnet
    endpoints = out.of_type("aws_vpc_endpoint")
    assert sorted(endpoints) == sorted(
        [f"test/network/endpoint-{service}" for service in services] + ["test/network/endpoint-s3"])
    for service in services:
        assert endpoints[f"test/network/endpoint-{service}"] == {
            "vpc_id": _ref(out, "test/network/vpc"),
            "service_name": f"com.amazonaws.{REGION}.{service}",
            "vpc_endpoint_type": "Interface",
            "private_dns_enabled": True,
            "subnet_ids": _private_subnets(out, count),
            "security_group_ids": [_ref(out, "test/network/endpoint-security-group")],
            **({} if service == "eks-auth" else {"policy": _interface_policy(service)}),
            "tags": {"Name": f"prod-{service}"},
        }


THIS_ACCOUNT = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT, "aws:ResourceAccount": ACCOUNT}}


def _interface_policy(service, *extra):
    own = service in ("logs", "sqs", "kms", "secretsmanager")  # and only this account's resources
    statements = [{"Sid": "ThisAccountsPrincipals", "Effect": "Allow", "Principal": "*", "Action": "*",
                   "Resource": "*", "Condition": THIS_ACCOUNT if own else {
                       "StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}]
    if service == "sts":
        statements.append({"Sid": "WebIdentityIntoThisAccountsRoles", "Effect": "Allow", "Principal": "*",
                           "Action": "sts:AssumeRoleWithWebIdentity", "Resource": f"arn:{PARTITION}:iam::{ACCOUNT}:role/*"})
    return json.dumps({"Version": "2012-10-17", "Statement": [*statements, *extra]}, separators=(",", ":"))


def _s3_policy(*extra):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ImageLayersAndPackages", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": [f"arn:{PARTITION}:s3:::prod-{REGION}-starport-layer-bucket/*",
                      f"arn:{PARTITION}:s3:::al2023-repos-{REGION}-de612dc2/*",
                      f"arn:{PARTITION}:s3:::amazonlinux-2-repos-{REGION}/*"]},
        {"Sid": "ThisAccountsBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": THIS_ACCOUNT}, *extra]}, separators=(",", ":"))


PARTNER_BUCKET = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::partner-data/*"}


def test_endpoints_let_through_only_this_accounts_principals_and_the_buckets_nodes_need(synth_one):
    # GIVEN a DynamoDB gateway, and a partner's bucket added to the S3 endpoint's policy
    out = synth_one(_network(dynamodb_gateway_endpoint=True,
                             endpoint_policy_statements={"s3": [PARTNER_BUCKET]}))
    # THEN S3 serves ECR's layers, the Amazon Linux repositories, this account's buckets, and the partner's
    assert out.resource("test/network/endpoint-s3")["policy"] == _s3_policy(PARTNER_BUCKET)
    # AND DynamoDB this account's tables, for this account's principals
    assert json.loads(out.resource("test/network/endpoint-dynamodb")["policy"])["Statement"] == [
        {"Sid": "ThisAccountsTables", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
         "Resource": "*", "Condition": THIS_ACCOUNT}]
    # AND STS also takes IRSA's unsigned web-identity calls, into this account's roles only
    assert out.resource("test/network/endpoint-sts")["policy"] == _interface_policy("sts")
    assert "policy" not in out.resource("test/network/endpoint-eks-auth")


@pytest.mark.parametrize(("statements", "field", "allowed"), [
    ({"sqs": [PARTNER_BUCKET]}, "endpoint_policy_statements['sqs']", "an endpoint of this network"),
    ({"eks-auth": [PARTNER_BUCKET]}, "endpoint_policy_statements['eks-auth']", "an endpoint of this network"),
    ({"dynamodb": [PARTNER_BUCKET]}, "endpoint_policy_statements['dynamodb']", "an endpoint of this network"),
    ({"s3": PARTNER_BUCKET}, "endpoint_policy_statements['s3']", "a set, mapping or generator"),
    ({"s3": [{"Action": "s3:*"}]}, "endpoint_policy_statements['s3']", "'Effect' of 'Allow' or 'Deny'"),
])
def test_endpoint_policy_statements_not_for_an_endpoint_of_the_network_or_not_statements_are_refused(
        synth_one, statements, field, allowed):
    with pytest.raises(ValidationError) as raised:
        synth_one(_network(endpoint_policy_statements=statements))
    assert str(raised.value).startswith(f"test/network: field '{field}' got ")
    assert allowed in str(raised.value)


def test_every_default_interface_endpoint_says_why_it_is_there():
    # GIVEN the defaults / THEN each has a reason, and they are the documented list
    assert list(DEFAULT_INTERFACE_ENDPOINTS) == DEFAULT_ENDPOINTS
    assert all(network_module.INTERFACE_ENDPOINT_REASONS[s] for s in DEFAULT_ENDPOINTS)


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "192.168.4.0/22"])
def test_endpoint_security_group_allows_only_https_from_the_vpc(synth_one, cidr):
    # GIVEN a VPC CIDR / WHEN synthesized
    out = synth_one(_network(cidr_block=cidr))
    # THEN one ingress rule, TCP 443 from that CIDR, and no egress rule at all
    assert out.resource("test/network/endpoint-security-group") == {
        "vpc_id": _ref(out, "test/network/vpc"),
        "name_prefix": "network-endpoints-",
        "description": "HTTPS from the VPC to its interface endpoints",
        "ingress": [{"description": "HTTPS from the VPC", "protocol": "tcp", "from_port": 443,
                     "to_port": 443, "cidr_blocks": [cidr], "ipv6_cidr_blocks": None,
                     "prefix_list_ids": None, "security_groups": None, "self": None}],
        "egress": [],
        "tags": {"Name": "prod-endpoints"},
    }


@pytest.mark.parametrize("az_count", [2, 3])
def test_s3_gateway_endpoint_serves_every_private_route_table(synth_one, az_count):
    # GIVEN an AZ count / WHEN synthesized
    out = synth_one(_network(az_count=az_count))
    # THEN the S3 gateway endpoint is in every private route table
    assert out.resource("test/network/endpoint-s3") == {
        "vpc_id": _ref(out, "test/network/vpc"),
        "service_name": f"com.amazonaws.{REGION}.s3",
        "vpc_endpoint_type": "Gateway",
        "route_table_ids": _private_route_tables(out, az_count),
        "policy": _s3_policy(),
        "tags": {"Name": "prod-s3"},
    }


def test_default_network_has_no_route_to_the_internet(synth_one):
    # GIVEN default props / WHEN synthesized
    out = synth_one(_network())
    # THEN there is no gateway, NAT, route or address that could reach the internet
    types = set(out.document["resource"])
    assert types.isdisjoint({"aws_route", "aws_nat_gateway", "aws_internet_gateway", "aws_eip",
                             "aws_egress_only_internet_gateway"})
    assert all("route" not in table for table in out.of_type("aws_route_table").values())
    assert "0.0.0.0/0" not in json.dumps(out.document["resource"])


@pytest.mark.parametrize("az_count", [2, 3])
def test_nat_gateways_give_each_az_its_own_nat_and_default_route(synth_one, az_count):
    # GIVEN NAT egress asked for / WHEN synthesized
    out = synth_one(_network(az_count=az_count, nat_gateways=True))
    # THEN exactly one NAT per AZ, each in that AZ's public subnet with its own address
    nats = out.of_type("aws_nat_gateway")
    assert sorted(nats) == [f"test/network/nat-{index}" for index in range(az_count)]
    gateway = out.address("test/network/internet-gateway")
    for index in range(az_count):
        assert nats[f"test/network/nat-{index}"] == {
            "allocation_id": _ref(out, f"test/network/nat-{index}-address"),
            "subnet_id": _ref(out, f"test/network/public-{index}"),
            "depends_on": [gateway],
            "tags": {"Name": f"prod-nat-{index}"},
        }
        assert out.resource(f"test/network/nat-{index}-address") == {
            "domain": "vpc", "depends_on": [gateway], "tags": {"Name": f"prod-nat-{index}"}}
        assert out.resource(f"test/network/public-{index}") == {
            "vpc_id": _ref(out, "test/network/vpc"),
            "cidr_block": f"10.0.{128 + 16 * index}.0/20",
            "availability_zone_id": f"${{element({ZONES}.zone_ids, {index})}}",
            "map_public_ip_on_launch": False,
            "tags": {"Name": f"prod-public-{index}"},
        }
        assert out.resource(f"test/network/public-{index}-routes-association") == {
            "subnet_id": _ref(out, f"test/network/public-{index}"),
            "route_table_id": _ref(out, "test/network/public-routes"),
        }
    # AND each private route table sends 0.0.0.0/0 to its own AZ's NAT, the public one to the IGW
    assert sorted(out.of_type("aws_route").values(), key=_canonical) == sorted([
        *({"route_table_id": _ref(out, f"test/network/private-{index}-routes"),
           "destination_cidr_block": "0.0.0.0/0",
           "nat_gateway_id": _ref(out, f"test/network/nat-{index}")} for index in range(az_count)),
        {"route_table_id": _ref(out, "test/network/public-routes"),
         "destination_cidr_block": "0.0.0.0/0",
         "gateway_id": _ref(out, "test/network/internet-gateway")},
    ], key=_canonical)
    assert out.resource("test/network/internet-gateway") == {
        "vpc_id": _ref(out, "test/network/vpc"), "tags": {"Name": "prod"}}


def test_flow_logs_role_trusts_only_this_accounts_flow_logs_and_writes_one_log_group(synth_one):
    # GIVEN default props / WHEN synthesized
    out = synth_one(_network())
    group = out.address("test/network/flow-logs/log-group")
    # THEN the trust pins the source account and flow-log ARN (confused deputy)
    role = out.resource("test/network/flow-logs/role")
    assert role["name_prefix"] == "network-flow-logs-"
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
            },
        }],
    }
    # AND the role can only write to the log group
    policy = out.resource("test/network/flow-logs/inline-write-flow-logs")
    assert policy["role"] == _ref(out, "test/network/flow-logs/role")
    assert json.loads(policy["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                       "Resource": "${" + group + ".arn}:*"},
                      # and list log groups, as AWS's role policy for flow logs does
                      {"Effect": "Allow", "Action": "logs:DescribeLogGroups",
                       "Resource": "arn:${data.aws_partition.eksguard-partition.partition}:logs:"
                                   "${data.aws_region.eksguard-region.name}:"
                                   "${data.aws_caller_identity.eksguard-account.account_id}:log-group:*"}],
    }
    # AND all traffic goes to a year-long log group encrypted with a rotating key
    assert out.resource("test/network/flow-logs/flow-log") == {
        "vpc_id": _ref(out, "test/network/vpc"), "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs", "log_destination": "${" + group + ".arn}",
        "iam_role_arn": _ref(out, "test/network/flow-logs/role", "arn"),
        "depends_on": [out.address("test/network/flow-logs/inline-write-flow-logs")], "tags": {}}
    assert out.resource("test/network/flow-logs/log-group") == {
        "name": "/aws/vpc/prod/flow-logs", "retention_in_days": 365,
        "kms_key_id": _ref(out, "test/network/flow-logs/key", "arn"), "tags": {}}
    key = out.resource("test/network/flow-logs/key")
    assert key["enable_key_rotation"] is True
    assert json.loads(key["policy"])["Statement"][1]["Condition"] == {"ArnEquals": {
        "kms:EncryptionContext:aws:logs:arn":
            f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:/aws/vpc/prod/flow-logs"}}


def test_shared_data_sources_are_reused_not_duplicated(synth_one):
    # GIVEN a network / WHEN synthesized / THEN one partition, account and region lookup each
    data = synth_one(_network()).document["data"]
    assert {kind: sorted(items) for kind, items in data.items() if kind != "aws_availability_zones"} == {
        "aws_partition": ["eksguard-partition"], "aws_caller_identity": ["eksguard-account"],
        "aws_region": ["eksguard-region"]}


def test_tags_reach_every_taggable_resource(synth_one):
    # GIVEN tags / WHEN synthesized with NAT
    out = synth_one(_network(tags={"team": "platform"}, nat_gateways=True))
    # THEN every resource that takes tags carries them
    untagged = {"aws_route", "aws_route_table_association", "aws_iam_role_policy"}
    missing = [path for rtype in out.document["resource"] if rtype not in untagged
               for path, body in out.of_type(rtype).items() if body["tags"].get("team") != "platform"]
    assert missing == []


def test_attributes_point_at_the_resources(synth_one):
    # GIVEN outputs of every public attribute / WHEN synthesized
    def build(stack):
        network = _network(az_count=3)(stack)
        assert list(network.interface_endpoints) == DEFAULT_ENDPOINTS
        assert network.public_subnet_ids == [] and network.nat_gateways == []
        for name in ("vpc_id", "vpc_cidr_block", "private_subnet_ids", "private_route_table_ids",
                     "endpoint_security_group_id"):
            TerraformOutput(stack, name, value=getattr(network, name))
        TerraformOutput(stack, "ec2_endpoint", value=network.interface_endpoints["ec2"].id)
        TerraformOutput(stack, "s3_endpoint", value=network.s3_gateway_endpoint.id)
        TerraformOutput(stack, "flow_log", value=network.flow_log.id)

    out = synth_one(build)
    # THEN each resolves to the resource it names
    assert {name: body["value"] for name, body in out.document["output"].items()} == {
        "vpc_id": _ref(out, "test/network/vpc"),
        "vpc_cidr_block": "10.0.0.0/16",
        "private_subnet_ids": _private_subnets(out, 3),
        "private_route_table_ids": _private_route_tables(out, 3),
        "endpoint_security_group_id": _ref(out, "test/network/endpoint-security-group"),
        "ec2_endpoint": _ref(out, "test/network/endpoint-ec2"),
        "s3_endpoint": _ref(out, "test/network/endpoint-s3"),
        "flow_log": _ref(out, "test/network/flow-logs/flow-log"),
    }


def test_props_document_their_defaults():
    # GIVEN the props class / THEN every optional field's docstring ends with its default
    docs = field_docs(ClusterNetworkProps)
    optional = [f.name for f in dataclasses.fields(ClusterNetworkProps)
                if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING]
    assert optional and [name for name in optional if "Default:" not in docs.get(name, "")] == []


UNSUPPORTED = network_module.ALLOWED_ZONE_ID
ZONE_IDS = network_module.ALLOWED_ZONE_IDS
CIDR = network_module.ALLOWED_VPC_CIDR
ENDPOINT = network_module.ALLOWED_INTERFACE_ENDPOINT


@pytest.mark.parametrize(("overrides", "field", "value", "allowed"), [
    ({"cluster_name": "-prod"}, "cluster_name", "-prod", cluster_module.ALLOWED_CLUSTER_NAME),
    ({"cidr_block": "10.0.0.0/8"}, "cidr_block", "10.0.0.0/8", CIDR),
    ({"cidr_block": "10.0.0.0/25"}, "cidr_block", "10.0.0.0/25", CIDR),
    ({"cidr_block": "10.0.0.1/16"}, "cidr_block", "10.0.0.1/16", CIDR),
    ({"cidr_block": "10.0.0.0"}, "cidr_block", "10.0.0.0", CIDR),
    ({"cidr_block": "vpc"}, "cidr_block", "vpc", CIDR),
    ({"cidr_block": "fd00:10::/56"}, "cidr_block", "fd00:10::/56", CIDR),
    ({"az_count": 1}, "az_count", 1, network_module.ALLOWED_AZ_COUNT),
    ({"az_count": 4}, "az_count", 4, network_module.ALLOWED_AZ_COUNT),
    ({"az_count": True}, "az_count", True, network_module.ALLOWED_AZ_COUNT),
    ({"az_count": "2"}, "az_count", "2", network_module.ALLOWED_AZ_COUNT),
    ({"availability_zone_ids": ["use1-az1", "use1-az3"]}, "availability_zone_ids", "use1-az3", UNSUPPORTED),
    ({"availability_zone_ids": ["usw1-az1", "usw1-az2"]}, "availability_zone_ids", "usw1-az2", UNSUPPORTED),
    ({"availability_zone_ids": ["cac1-az3", "cac1-az1"]}, "availability_zone_ids", "cac1-az3", UNSUPPORTED),
    ({"availability_zone_ids": ["us-east-1a", "us-east-1b"]}, "availability_zone_ids", "us-east-1a",
     UNSUPPORTED),
    ({"availability_zone_ids": ["use1-az1", "use1-bos1-az1"]}, "availability_zone_ids", "use1-bos1-az1",
     UNSUPPORTED),
    ({"availability_zone_ids": ["use1-az1"]}, "availability_zone_ids", ["use1-az1"], ZONE_IDS),
    ({"availability_zone_ids": ["use1-az1", "use1-az1"]}, "availability_zone_ids",
     ["use1-az1", "use1-az1"], ZONE_IDS),
    ({"availability_zone_ids": ["use1-az1", "use1-az2", "use1-az4", "use1-az5"]},
     "availability_zone_ids", ["use1-az1", "use1-az2", "use1-az4", "use1-az5"], ZONE_IDS),
    ({"availability_zone_ids": ["use1-az1", "usw2-az1"]}, "availability_zone_ids",
     ["use1-az1", "usw2-az1"], ZONE_IDS),
    ({"availability_zone_ids": ["use1-az1", "use1-az2"], "az_count": 3}, "az_count", 3,
     "the number of availability_zone_ids (2), or None"),
    ({"interface_endpoints": ["ec2", "s3"]}, "interface_endpoints", "s3", ENDPOINT),
    ({"interface_endpoints": ["com.amazonaws.us-east-1.ssm"]}, "interface_endpoints",
     "com.amazonaws.us-east-1.ssm", ENDPOINT),
    ({"interface_endpoints": ["ECR.API"]}, "interface_endpoints", "ECR.API", ENDPOINT),
    ({"interface_endpoints": ["ecr api"]}, "interface_endpoints", "ecr api", ENDPOINT),
    ({"interface_endpoints": [""]}, "interface_endpoints", "", ENDPOINT),
    ({"interface_endpoints": ["ec2", "sts", "ec2"]}, "interface_endpoints", ["ec2", "sts", "ec2"],
     network_module.ALLOWED_UNIQUE_ENDPOINTS),
])
def test_bad_network_props_name_path_field_value_and_allowed(stack, overrides, field, value, allowed):
    # GIVEN bad input / WHEN the construct is built / THEN a ValidationError says it all
    with pytest.raises(ValidationError) as caught:
        _network(**overrides)(stack)
    error = caught.value
    assert (error.path, error.field, error.value, error.allowed) == ("test/network", field, value, allowed)
    assert str(error) == f"test/network: field '{field}' got {value!r}: {allowed}"
    # AND nothing was built (the `stack` fixture checks nothing was written)
    assert [child.node.id for child in stack.node.children] == ["network"]
    assert stack.node.find_child("network").node.children == []
