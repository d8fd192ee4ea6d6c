"""Readiness rules: each fires, naming the construct path and what is missing, on a stack
AWS accepts but that cannot work; each stays quiet on what works and on what the JSON
cannot show; a waiver silences a readiness finding like a security one.

Every case is a variant of READY, a hand-written synthesized stack that passes them all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eksguard import ValidationError
from eksguard.guardrails import READINESS_RULES, Guardrails, check_document, check_readiness
from eksguard.guardrails._document import Stack, reference
from eksguard.guardrails.readiness import auto_mode
from tests.unit.readiness_documents import DROP, VPC, Change, add, drop, endpoint, set_fields, variant

ACCOUNT = "${data.aws_caller_identity.current.account_id}"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
AUTO_SCALING_ROLE = (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
                     "AWSServiceRoleForAutoScaling")
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/X"
CLUSTER = "${aws_eks_cluster.c.name}"
PARAMETERS = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/orders"
SUBNETS = ["${aws_subnet.private-0.id}", "${aws_subnet.private-1.id}"]
AUTO_MODE_RULES = {rule.id for rule in auto_mode.RULES}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: Any, resources: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _irsa_trust(subject: str, operator: str = "StringEquals") -> str:
    condition: dict[str, dict[str, str]] = {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}}
    condition.setdefault(operator, {})[f"{ISSUER}:sub"] = subject
    return _policy({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": "${aws_iam_openid_connect_provider.oidc.arn}"}, "Condition": condition})


def _service_trust(service: str, condition: dict[str, Any] | None = None) -> str:
    return _policy({"Effect": "Allow", "Principal": {"Service": service},
                    "Action": ["sts:AssumeRole", "sts:TagSession"], **({"Condition": condition} if condition else {})})


POD_TRUST = {"ArnEquals": {"aws:RequestTag/eks-cluster-arn": "${aws_eks_cluster.c.arn}"},
             "StringEquals": {"aws:RequestTag/kubernetes-namespace": "shop",
                              "aws:RequestTag/kubernetes-service-account": "cart"}}
ROOT_ADMINISTERS = _allow("kms:*", Principal={"AWS": ROOT})
AUTO_SCALING_USES = _allow(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                           Principal={"AWS": [AUTO_SCALING_ROLE]})
AUTO_SCALING_GRANTS = _allow("kms:CreateGrant", Principal={"AWS": [AUTO_SCALING_ROLE]},
                             Condition={"Bool": {"kms:GrantIsForAWSResource": True}})
OWNED = {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned"}}
ZONE_FILTER = [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
NAT_ROUTE = [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "${aws_nat_gateway.nat.id}"}]

READY: dict[str, Any] = {
    "data": {
        "aws_caller_identity": {"current": {}},
        "aws_availability_zones": {"zones": {
            "state": "available", "exclude_zone_ids": ["use1-az3", "usw1-az2", "cac1-az3"], "filter": ZONE_FILTER}},
    },
    "resource": {
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}},
        "aws_subnet": {"private-0": {"vpc_id": VPC, "cidr_block": "10.0.0.0/19",
                                     "availability_zone": "${element(data.aws_availability_zones.zones.names, 0)}"},
                       # No route table association: its egress is the VPC's main table, not in view.
                       "private-1": {"vpc_id": VPC, "cidr_block": "10.0.32.0/19",
                                     "availability_zone": "${element(data.aws_availability_zones.zones.names, 1)}"}},
        "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.public-0.id}"}},
        "aws_route_table": {"private": {"vpc_id": VPC, "route": NAT_ROUTE}},
        "aws_route_table_association": {"private-0": {"subnet_id": "${aws_subnet.private-0.id}",
                                                      "route_table_id": "${aws_route_table.private.id}"}},
        "aws_security_group": {"endpoints": {"vpc_id": VPC, "ingress": [
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"]}]}},
        "aws_vpc_endpoint": {"sts": {"vpc_id": VPC, "service_name": "com.amazonaws.us-east-1.sts",
                                     "vpc_endpoint_type": "Interface", "private_dns_enabled": True,
                                     "security_group_ids": ["${aws_security_group.endpoints.id}"]}},
        "aws_kms_key": {"secrets": {"policy": _policy(ROOT_ADMINISTERS)},
                        "ebs": {"policy": _policy(ROOT_ADMINISTERS, AUTO_SCALING_USES, AUTO_SCALING_GRANTS)}},
        "aws_iam_role": {
            "cluster-role": {"assume_role_policy": _service_trust("eks.amazonaws.com")},
            "node-role": {"assume_role_policy": _service_trust("ec2.amazonaws.com")},
            "cni-role": {"assume_role_policy": _irsa_trust("system:serviceaccount:kube-system:aws-node")},
            "ca-role": {"assume_role_policy": _irsa_trust("system:serviceaccount:kube-system:cluster-autoscaler")},
            "cart-role": {"assume_role_policy": _service_trust("pods.eks.amazonaws.com", POD_TRUST)},
        },
        "aws_iam_role_policy_attachment": {
            "node-worker": {"role": "${aws_iam_role.node-role.name}",
                            "policy_arn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"},
            "cni": {"role": "${aws_iam_role.cni-role.name}",
                    "policy_arn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"},
        },
        "aws_iam_role_policy": {
            "ca-scaling": {"role": "${aws_iam_role.ca-role.id}", "name": "scaling",
                           "policy": _policy(_allow("autoscaling:SetDesiredCapacity", Condition=OWNED))},
            "cart-config": {"role": "${aws_iam_role.cart-role.id}", "name": "read-config",
                            "policy": _policy(_allow("ssm:GetParametersByPath", [PARAMETERS, f"{PARAMETERS}/*"]))},
        },
        "aws_eks_cluster": {"c": {
            "name": "prod", "version": "1.35", "role_arn": "${aws_iam_role.cluster-role.arn}",
            "bootstrap_self_managed_addons": False, "enabled_cluster_log_types": ["api", "audit", "authenticator"],
            "vpc_config": {"subnet_ids": SUBNETS, "endpoint_public_access": False},
            "encryption_config": {"resources": ["secrets"], "provider": {"key_arn": "${aws_kms_key.secrets.arn}"}}}},
        "aws_eks_addon": {
            "cni": {"cluster_name": CLUSTER, "addon_name": "vpc-cni",
                    "service_account_role_arn": "${aws_iam_role.cni-role.arn}"},
            "agent": {"cluster_name": CLUSTER, "addon_name": "eks-pod-identity-agent"},
        },
        "aws_eks_pod_identity_association": {"cart-association": {
            "cluster_name": CLUSTER, "namespace": "shop", "service_account": "cart",
            "role_arn": "${aws_iam_role.cart-role.arn}"}},
        "aws_launch_template": {"lt": {"metadata_options": {"http_tokens": "required"}, "block_device_mappings": [
            {"device_name": "/dev/xvda", "ebs": {"kms_key_id": "${aws_kms_key.ebs.arn}", "volume_size": 50}}]}},
        "aws_eks_node_group": {"ng": {
            "cluster_name": CLUSTER, "node_role_arn": "${aws_iam_role.node-role.arn}",
            "subnet_ids": SUBNETS, "ami_type": "AL2023_x86_64_STANDARD",
            "launch_template": {"id": "${aws_launch_template.lt.id}",
                                "version": "${aws_launch_template.lt.latest_version}"},
            "scaling_config": {"desired_size": 2, "max_size": 3, "min_size": 1},
            "depends_on": ["aws_eks_addon.cni"],
            "lifecycle": {"ignore_changes": ["scaling_config[0].desired_size"]}}},
    },
}


_set, _add, _drop, _endpoint = set_fields, add, drop, endpoint


def _variant(*changes: Change) -> dict[str, Any]:
    """READY with the changes, each block given its construct path ``s/<name>``."""
    return variant(READY, *changes)


ALL_ENDPOINTS = [_add("aws_vpc_endpoint", s, _endpoint(s)) for s in ("ec2", "ecr.api", "ecr.dkr")] + [
    _add("aws_vpc_endpoint", "s3", _endpoint("s3", "Gateway", route_table_ids=["${aws_route_table.private.id}"]))]
NO_ROUTE = _set("aws_route_table", "private", route=[])
EVERY_VERSION = "1.32, 1.33, 1.34, 1.35"
ASG_LACKS = "kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey"
GRANT = "kms:CreateGrant with kms:GrantIsForAWSResource = true"
CHILDREN_ONLY = f"policy 'read-config': ssm:GetParametersByPath on {PARAMETERS}/* but not {PARAMETERS}"
QUEUE = _add("aws_sqs_queue", "orders", {"name": "orders", "sqs_managed_sse_enabled": True})
ORDERS = "${aws_sqs_queue.orders.arn}"


def _cart_reads(*statements: dict[str, Any]) -> Change:
    """An inline policy of the Pod Identity role of shop/cart."""
    return _add("aws_iam_role_policy", "cart-queue", {"role": "${aws_iam_role.cart-role.id}", "name": "queue",
                                                      "policy": _policy(*statements)})


READS_ORDERS = _cart_reads(_allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], ORDERS))
UNREACHABLE = (
    "EKSR025", "s/cart-association", (
        "shop/cart (role s/cart-role) reads queue s/orders; cluster s/c subnet s/private-0: route table s/private "
        "has no 0.0.0.0/0 route through a NAT or internet gateway, and the VPC has no sqs interface endpoint"))


def _ci_trust(host: str, subject: str) -> str:
    return _policy({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"},
                    "Condition": {"StringEquals": {f"{host}:aud": "aws.workload.identity", f"{host}:sub": subject}}})


TFC_SUBJECT = "organization:acme:project:Default Project:workspace:eks:run_phase:"
APPLY_ROLE = _add("aws_iam_role", "deploy", {"assume_role_policy": _ci_trust("app.terraform.io", TFC_SUBJECT + "apply")})
DERIVED = _add("aws_iam_policy", "deploy-derived", {
    "name_prefix": "eksguard-stack-deploy-", "policy": _policy(_allow("ec2:DescribeVpcs"))})
BUCKET = _add("aws_s3_bucket", "state", {"bucket": "state"})


def _deploy_role_holds(policy_arn: str) -> Change:
    return _add("aws_iam_role_policy_attachment", "deploy-managed", {
        "role": "${aws_iam_role.deploy.name}", "policy_arn": policy_arn})


FAILING = [
    ([APPLY_ROLE], ("EKSR026", "s/deploy", f"it serves {TFC_SUBJECT}apply and holds no policy")),
    ([APPLY_ROLE, _deploy_role_holds("arn:aws:iam::aws:policy/ReadOnlyAccess")],
     ("EKSR026", "s/deploy", f"it serves {TFC_SUBJECT}apply and holds ReadOnlyAccess")),
    ([_add("aws_iam_role", "deploy", {"assume_role_policy": _ci_trust(
        "token.actions.githubusercontent.com", "repo:acme/infra:environment:prod")})],
     ("EKSR026", "s/deploy", "it serves repo:acme/infra:environment:prod and holds no policy")),
    ([APPLY_ROLE, DERIVED, BUCKET], ("EKSR027", "s/deploy-derived", "no actions for aws_s3_bucket")),
    ([NO_ROUTE], ("EKSR001", "s/ng", (
        "subnet s/private-0: route table s/private has no 0.0.0.0/0 route through a NAT or internet gateway, "
        "and the VPC lacks endpoints ec2 (Interface), ecr.api (Interface), ecr.dkr (Interface), "
        "s3 (Gateway, on this route table)"))),
    ([NO_ROUTE, *ALL_ENDPOINTS[:3], _add("aws_vpc_endpoint", "s3", _endpoint("s3", "Gateway", route_table_ids=[]))],
     ("EKSR001", "s/ng", (
         "subnet s/private-0: route table s/private has no 0.0.0.0/0 route through a NAT or internet gateway, "
         "and the VPC lacks endpoints s3 (Gateway, on this route table)"))),
    ([_set("aws_route_table", "private", route=[
        {"cidr_block": "0.0.0.0/0", "gateway_id": "${aws_vpn_gateway.vgw.id}"}]),
      _add("aws_vpn_gateway", "vgw", {"vpc_id": VPC})],
     ("EKSR001", "s/ng", (
         "subnet s/private-0: route table s/private has no 0.0.0.0/0 route through a NAT or internet gateway, "
         "and the VPC lacks endpoints ec2 (Interface), ecr.api (Interface), ecr.dkr (Interface), "
         "s3 (Gateway, on this route table)"))),
    ([_set("aws_vpc_endpoint", "sts", private_dns_enabled=DROP)],
     ("EKSR002", "s/sts", "com.amazonaws.us-east-1.sts: private_dns_enabled = None")),
    ([_set("aws_security_group", "endpoints", ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/24"]},
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["10.0.0.0/16"]}])],
     ("EKSR003", "s/sts",
      "com.amazonaws.us-east-1.sts: security groups s/endpoints admit no TCP 443 from 10.0.0.0/16")),
    ([_set("aws_eks_node_group", "ng", ami_type="AL2_ARM_64")],
     ("EKSR004", "s/ng", "ami_type 'AL2_ARM_64' on Kubernetes 1.35; EKS publishes no AL2 AMIs from 1.33")),
    ([_set("aws_eks_node_group", "ng", ami_type="AL2_x86_64", version="1.33"),
      _set("aws_eks_cluster", "c", version="1.33")],
     ("EKSR004", "s/ng", "ami_type 'AL2_x86_64' on Kubernetes 1.33; EKS publishes no AL2 AMIs from 1.33")),
    ([_set("aws_eks_cluster", "c", version="1.28")],
     ("EKSR005", "s/c", f"version '1.28'; EKS serves {EVERY_VERSION}")),
    ([_set("aws_iam_role", "cni-role",
           assume_role_policy=_irsa_trust("system:serviceaccount:kube-system:ebs-csi-controller-sa"))],
     ("EKSR006", "s/cni", (
         "vpc-cni runs as kube-system/aws-node; role s/cni-role trusts "
         "system:serviceaccount:kube-system:ebs-csi-controller-sa"))),
    ([_set("aws_eks_pod_identity_association", "cart-association", role_arn="${aws_iam_role.cni-role.arn}")],
     ("EKSR006", "s/cart-association",
      "shop/cart gets role s/cni-role of add-on vpc-cni, which runs as kube-system/aws-node")),
    ([_set("aws_eks_addon", "cni", pod_identity_association=[
        {"role_arn": "${aws_iam_role.cni-role.arn}", "service_account": "cni"}])],
     ("EKSR006", "s/cni", "pod_identity_association for service account 'cni'; vpc-cni runs as kube-system/aws-node")),
    ([_drop("aws_eks_addon", "agent")],
     ("EKSR007", "s/cart-association", "cluster s/c has no eks-pod-identity-agent add-on")),
    ([_set("aws_kms_key", "secrets", policy=_policy(
        _allow("kms:*", Principal={"AWS": "arn:aws:iam::111122223333:role/key-admins"}),
        _allow("kms:Decrypt", Principal={"AWS": "${aws_iam_role.cluster-role.arn}"})))],
     ("EKSR008", "s/c",
      "key s/secrets: no Allow of kms:Encrypt, kms:DescribeKey to cluster role s/cluster-role or the account root")),
    ([_set("aws_eks_addon", "cni", service_account_role_arn=DROP), _drop("aws_iam_role", "cni-role")],
     ("EKSR009", "s/ng",
      "node role s/node-role lacks AmazonEKS_CNI_Policy and cluster s/c binds no role to kube-system/aws-node")),
    ([_set("aws_eks_node_group", "ng", depends_on=[])],
     ("EKSR010", "s/ng", "depends_on lacks aws_eks_addon.cni")),
    ([_set("aws_eks_cluster", "c", bootstrap_self_managed_addons=DROP)],
     ("EKSR011", "s/c", "bootstrap_self_managed_addons = None (provider default true)")),
    ([_set("aws_eks_cluster", "c", bootstrap_self_managed_addons=True)],
     ("EKSR011", "s/c", "bootstrap_self_managed_addons = True")),
    ([_set("aws_eks_node_group", "ng", lifecycle=DROP)],
     ("EKSR012", "s/ng", (
         "lifecycle.ignore_changes lacks scaling_config[0].desired_size; "
         "role s/ca-role trusts system:serviceaccount:kube-system:cluster-autoscaler"))),
    ([_set("aws_eks_node_group", "ng", lifecycle=DROP), _drop("aws_iam_role", "ca-role")],
     ("EKSR012", "s/ng", (
         "lifecycle.ignore_changes lacks scaling_config[0].desired_size; "
         "s/ca-scaling policy 'scaling' allows autoscaling:SetDesiredCapacity"))),
    ([_set("data.aws_availability_zones", "zones", filter=DROP)],
     ("EKSR013", "s/zones", 'no filter opt-in-status = ["opt-in-not-required"]')),
    ([_set("data.aws_availability_zones", "zones", exclude_zone_ids=["use1-az3"], filter=DROP)],
     ("EKSR013", "s/zones",
      'exclude_zone_ids lacks usw1-az2, cac1-az3; no filter opt-in-status = ["opt-in-not-required"]')),
    ([_set("aws_iam_role_policy", "cart-config", policy=_policy(_allow("ssm:GetParametersByPath", f"{PARAMETERS}/*")))],
     ("EKSR014", "s/cart-config", CHILDREN_ONLY)),
    ([_set("aws_iam_role_policy", "cart-config", policy="${data.aws_iam_policy_document.read.json}"),
      _add("data.aws_iam_policy_document", "read", {"statement": [
          {"actions": ["ssm:GetParameter*"], "resources": [f"{PARAMETERS}/*"]}]})],
     ("EKSR014", "s/cart-config", CHILDREN_ONLY)),
    ([_set("aws_iam_role_policy", "cart-config", policy=_policy(
        _allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:*:table/cart")))],
     ("EKSR015", "s/cart-config", "policy 'read-config': arn:aws:dynamodb:us-east-1:*:table/cart")),
    ([_set("aws_iam_role", "cart-role", assume_role_policy=_service_trust(
        "pods.eks.amazonaws.com", {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "shop"}}))],
     ("EKSR016", "s/cart-role", (
         "trust of pods.eks.amazonaws.com without aws:RequestTag/eks-cluster-arn, "
         "aws:RequestTag/kubernetes-service-account"))),
    ([_set("aws_eks_node_group", "ng", ami_type="BOTTLEROCKET_ARM_64")],
     ("EKSR017", "s/ng", "launch template s/lt maps only /dev/xvda (the OS volume); the data volume is /dev/xvdb")),
    ([_set("aws_kms_key", "ebs", policy=_policy(ROOT_ADMINISTERS, AUTO_SCALING_USES,
                                                {**AUTO_SCALING_GRANTS, "Condition": {}}))],
     ("EKSR018", "s/lt", f"key s/ebs of /dev/xvda grants AWSServiceRoleForAutoScaling no {GRANT}")),
    ([_set("aws_kms_key", "ebs", policy=DROP)],
     ("EKSR018", "s/lt", f"key s/ebs of /dev/xvda grants AWSServiceRoleForAutoScaling no {ASG_LACKS}, {GRANT}")),
    ([_set("aws_eks_node_group", "ng", subnet_ids=["${aws_subnet.private-0.id}"])],
     ("EKSR019", "s/ng", "one subnet: s/private-0")),
    ([_set("aws_eks_node_group", "ng", subnet_ids=["subnet-0a1b2c3d", "subnet-0a1b2c3d"])],
     ("EKSR019", "s/ng", "one subnet: subnet-0a1b2c3d")),
    ([_set("aws_subnet", "private-0", availability_zone="us-east-1a"),
      _set("aws_subnet", "private-1", availability_zone="us-east-1a")],
     ("EKSR019", "s/ng", "subnets s/private-0, s/private-1 all have availability_zone 'us-east-1a'")),
    ([_set("aws_subnet", "private-0", availability_zone=DROP, availability_zone_id="use1-az1"),
      _set("aws_subnet", "private-1", availability_zone=DROP, availability_zone_id="use1-az1")],
     ("EKSR019", "s/ng", "subnets s/private-0, s/private-1 all have availability_zone_id 'use1-az1'")),
    ([NO_ROUTE, QUEUE, READS_ORDERS], UNREACHABLE),
    ([NO_ROUTE, *ALL_ENDPOINTS, QUEUE,
      _add("aws_iam_policy", "consume", {"name": "consume", "policy": "${data.aws_iam_policy_document.consume.json}"}),
      _add("data.aws_iam_policy_document", "consume", {"statement": [{"actions": ["sqs:*"], "resources": [ORDERS]}]}),
      _add("aws_iam_role_policy_attachment", "cart-consume", {"role": "${aws_iam_role.cart-role.name}",
                                                              "policy_arn": "${aws_iam_policy.consume.arn}"})],
     UNREACHABLE),
    ([NO_ROUTE, QUEUE, _cart_reads(_allow("sqs:Receive*", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"))], UNREACHABLE),
]

PASSING = [
    ("EKSR001", [NO_ROUTE, *ALL_ENDPOINTS]),
    ("EKSR001", [NO_ROUTE, _add("aws_route", "out", {
        "route_table_id": "${aws_route_table.private.id}", "destination_cidr_block": "0.0.0.0/0",
        "gateway_id": "${aws_internet_gateway.igw.id}"}), _add("aws_internet_gateway", "igw", {"vpc_id": VPC})]),
    ("EKSR001", [_set("aws_route_table", "private", route=[
        {"cidr_block": "0.0.0.0/0", "transit_gateway_id": "tgw-0123"}])]),  # egress decided in another VPC
    ("EKSR001", [NO_ROUTE, _set("aws_eks_node_group", "ng", subnet_ids=["subnet-0123"])]),  # not in the stack
    ("EKSR001", [NO_ROUTE, _set("aws_eks_node_group", "ng", subnet_ids="${var.subnet_ids}")]),
    ("EKSR002", [_set("aws_vpc_endpoint", "sts", private_dns_enabled="${var.private_dns}")]),
    ("EKSR003", [_set("aws_security_group", "endpoints", ingress=[]),
                 _add("aws_vpc_security_group_ingress_rule", "https", {
                     "security_group_id": "${aws_security_group.endpoints.id}", "ip_protocol": "tcp",
                     "from_port": 443, "to_port": 443, "cidr_ipv4": "${aws_vpc.vpc.cidr_block}"})]),
    ("EKSR003", [_set("aws_security_group", "endpoints", ingress=[]),
                 _add("aws_security_group_rule", "https", {
                     "type": "ingress", "security_group_id": "${aws_security_group.endpoints.id}",
                     "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["10.0.0.0/8"]})]),
    ("EKSR003", [_set("aws_vpc_endpoint", "sts", security_group_ids=["sg-0123"])]),  # not in the stack
    ("EKSR004", [_set("aws_eks_node_group", "ng", ami_type="AL2_x86_64", version="1.32")]),
    ("EKSR005", [_set("aws_eks_cluster", "c", version="${var.kubernetes_version}")]),
    ("EKSR006", [_set("aws_iam_role", "cni-role", assume_role_policy=_irsa_trust(
        "system:serviceaccount:kube-system:aws-*", operator="StringLike"))]),
    ("EKSR007", [_set("aws_eks_addon", "agent", cluster_name="prod")]),  # the literal name of s/c
    ("EKSR007", [_drop("aws_eks_addon", "agent"),
                 _set("aws_eks_pod_identity_association", "cart-association", cluster_name="other")]),
    ("EKSR008", [_set("aws_kms_key", "secrets", policy=DROP)]),  # the default key policy
    ("EKSR008", [_set("aws_kms_key", "secrets", policy=_policy(_allow(
        ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Principal={"AWS": "${aws_iam_role.cluster-role.arn}"})))]),
    ("EKSR009", [_set("aws_eks_addon", "cni", service_account_role_arn=DROP), _drop("aws_iam_role", "cni-role"),
                 _add("aws_iam_role_policy_attachment", "node-cni", {
                     "role": "${aws_iam_role.node-role.name}",
                     "policy_arn": "arn:${data.aws_partition.p.partition}:iam::aws:policy/AmazonEKS_CNI_Policy"})]),
    ("EKSR009", [_set("aws_eks_addon", "cni", service_account_role_arn=DROP), _drop("aws_iam_role", "cni-role"),
                 _add("aws_eks_pod_identity_association", "aws-node", {
                     "cluster_name": CLUSTER, "namespace": "kube-system", "service_account": "aws-node",
                     "role_arn": "${aws_iam_role.node-role.arn}"})]),
    ("EKSR010", [_drop("aws_eks_addon", "cni"), _set("aws_eks_node_group", "ng", depends_on=DROP)]),
    ("EKSR011", [_set("aws_eks_cluster", "c", bootstrap_self_managed_addons="${var.bootstrap}")]),
    ("EKSR012", [_set("aws_eks_node_group", "ng", lifecycle={"ignore_changes": ["scaling_config"]})]),
    ("EKSR012", [_set("aws_eks_node_group", "ng", lifecycle=DROP), _drop("aws_iam_role", "ca-role"),
                 _drop("aws_iam_role_policy", "ca-scaling")]),
    ("EKSR013", [_set("data.aws_availability_zones", "zones", filter=DROP),
                 _set("aws_subnet", "private-0", availability_zone="us-east-1a"),
                 _set("aws_subnet", "private-1", availability_zone="us-east-1b")]),  # zones not used by subnets
    ("EKSR014", [_set("aws_iam_role_policy", "cart-config", policy=_policy(
        _allow("ssm:GetParametersByPath", [f"{PARAMETERS}*"])))]),
    ("EKSR015", [_set("aws_iam_role_policy", "cart-config", policy=_policy(_allow(
        "ec2:CreateTags", ["arn:aws:ec2:*:*:security-group/*", "arn:aws:ec2:us-east-1:*:image/*"])))]),
    ("EKSR016", [_set("aws_iam_role", "cart-role", assume_role_policy=_service_trust("pods.eks.amazonaws.com", {
        "StringLike": {"aws:RequestTag/eks-cluster-arn": "arn:aws:eks:*:*:cluster/prod",
                       "aws:RequestTag/kubernetes-namespace": "shop",
                       "aws:RequestTag/kubernetes-service-account": "cart-*"}}))]),
    ("EKSR017", [_set("aws_eks_node_group", "ng", ami_type="BOTTLEROCKET_x86_64"),
                 _set("aws_launch_template", "lt", block_device_mappings=[
                     {"device_name": "/dev/xvdb", "ebs": {"kms_key_id": "${aws_kms_key.ebs.arn}"}}])]),
    ("EKSR018", [_set("aws_kms_key", "ebs", policy=DROP),
                 _set("aws_launch_template", "lt", block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {}}])]),
    ("EKSR019", [_set("aws_subnet", "private-0", availability_zone="us-east-1a"),
                 _set("aws_subnet", "private-1", availability_zone="us-east-1b")]),
    ("EKSR019", [_set("aws_subnet", "private-0", availability_zone="us-east-1a"),
                 _set("aws_subnet", "private-1", availability_zone=DROP, availability_zone_id="use1-az1")]),
    ("EKSR019", [_set("aws_eks_node_group", "ng", subnet_ids=["subnet-0a1b2c3d", "subnet-0a1b2c3e"])]),
    ("EKSR019", [_set("aws_eks_node_group", "ng", subnet_ids="${var.subnet_ids}")]),  # computed list
    ("EKSR019", [_set("aws_eks_node_group", "ng", subnet_ids=["${var.subnet_id}"])]),  # not in the stack
    ("EKSR026", [_add("aws_iam_role", "deploy", {"assume_role_policy": _ci_trust("app.terraform.io", TFC_SUBJECT + "plan")})]),
    ("EKSR026", [APPLY_ROLE, DERIVED, _deploy_role_holds("${aws_iam_policy.deploy-derived.arn}")]),
    ("EKSR026", [APPLY_ROLE, _deploy_role_holds("arn:aws:iam::aws:policy/AdministratorAccess")]),
    ("EKSR026", [_add("aws_iam_role", "deploy", {"assume_role_policy": _ci_trust(
        "token.actions.githubusercontent.com", "repo:acme/infra:pull_request")})]),
    ("EKSR026", [APPLY_ROLE, _deploy_role_holds("${aws_iam_policy.deploy.arn}"),
                 _add("aws_iam_policy", "deploy", {"policy": "${file(\"deploy.json\")}"})]),  # cannot read it
    ("EKSR027", [APPLY_ROLE, DERIVED]),
    ("EKSR027", [APPLY_ROLE, BUCKET]),  # no derived policy: its author covers the bucket
    ("EKSR025", [NO_ROUTE, QUEUE, READS_ORDERS, _add("aws_vpc_endpoint", "sqs", _endpoint("sqs"))]),
    ("EKSR025", [NO_ROUTE, QUEUE, READS_ORDERS, _add("aws_vpc_endpoint", "sqs", _endpoint(
        "sqs", service_name="com.amazonaws.${data.aws_region.current.name}.sqs"))]),
    ("EKSR025", [QUEUE, READS_ORDERS]),  # NAT egress
    ("EKSR025", [NO_ROUTE, QUEUE, _cart_reads(_allow("sqs:SendMessage", ORDERS))]),  # does not read it
    ("EKSR025", [NO_ROUTE, QUEUE, _cart_reads(_allow("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:111122223333:other"))]),
    ("EKSR025", [NO_ROUTE, QUEUE, _cart_reads(_allow("sqs:ReceiveMessage", ORDERS),
                                              {"Effect": "Deny", "Action": "sqs:*", "Resource": ORDERS})]),
    ("EKSR025", [NO_ROUTE, QUEUE, _cart_reads(_allow("sqs:ReceiveMessage"))]),  # "*" names no queue
    ("EKSR025", [NO_ROUTE, QUEUE, READS_ORDERS, _set("aws_eks_pod_identity_association", "cart-association",
                                                     role_arn="arn:aws:iam::111122223333:role/cart")]),  # not in the stack
    ("EKSR025", [NO_ROUTE, QUEUE, READS_ORDERS, _set("aws_eks_cluster", "c", vpc_config={
        "subnet_ids": "${var.subnet_ids}"})]),  # computed
    ("EKSR025", [NO_ROUTE, QUEUE, READS_ORDERS, _add("aws_vpc_endpoint", "any", _endpoint(
        "sqs", service_name="${var.endpoint_service}"))]),  # could be sqs
]


def test_the_ready_stack_has_no_finding_of_either_family():
    assert check_readiness(_variant()) == []
    assert check_document(_variant()) == []


@pytest.mark.parametrize(("changes", "expected"), FAILING, ids=[f"{e[0]}-{i}" for i, (_, e) in enumerate(FAILING)])
def test_each_rule_fires_on_what_cannot_work_naming_path_and_what_is_missing(changes, expected):
    # GIVEN the ready stack with one thing broken / WHEN checked
    found = [(f.rule.id, f.path, f.detail) for f in check_readiness(_variant(*changes)) if f.rule.id == expected[0]]
    # THEN exactly that finding
    assert found == [expected]


@pytest.mark.parametrize(("rule", "changes"), PASSING, ids=[f"{r}-{i}" for i, (r, _) in enumerate(PASSING)])
def test_each_rule_passes_what_works_and_what_it_cannot_see(rule, changes):
    assert [f for f in check_readiness(_variant(*changes)) if f.rule.id == rule] == []


def test_every_readiness_rule_has_failing_and_passing_cases_and_ids_run_without_gaps():
    # (the Auto Mode rules have theirs in test_readiness_auto_mode.py)
    assert list(READINESS_RULES) == [f"EKSR{n:03d}" for n in range(1, 28)]
    assert {e[0] for _, e in FAILING} == {r for r, _ in PASSING} == set(READINESS_RULES) - AUTO_MODE_RULES
    assert all(rule.title and rule.fix for rule in READINESS_RULES.values())


@pytest.mark.parametrize(("value", "expected"), [
    ("${aws_subnet.private-0_ABC.id}", ("aws_subnet.private-0_ABC", "id")),
    ("${data.aws_iam_policy_document.read.json}", ("data.aws_iam_policy_document.read", "json")),
    ("${aws_eks_cluster.c.vpc_config[0].subnet_ids}", ("aws_eks_cluster.c", "vpc_config[0].subnet_ids")),
    ("${element(data.aws_availability_zones.zones.names, 0)}", None),
    ("subnet-0123", None),
    (["${aws_subnet.a.id}"], None),
])
def test_a_reference_is_an_address_and_an_attribute_or_nothing(value, expected):
    assert reference(value) == expected


def test_list_attributes_resolve_item_by_item_and_a_computed_list_is_unknown():
    stack = Stack(_variant())
    assert [b and b.path for b in stack.refs(["${aws_subnet.private-0.id}", "subnet-1"], "aws_subnet")] == [
        "s/private-0", None]
    assert stack.refs("${var.subnet_ids}", "aws_subnet") is None
    assert stack.cluster("prod") is stack.cluster(CLUSTER) is not None


def test_a_waiver_silences_a_readiness_finding_and_lists_it():
    # GIVEN guardrails waiving EKSR011 for the cluster
    guardrails = Guardrails().waive(rule="EKSR011", path="s/c", reason="coredns is managed by the platform team's Helm")
    document = _variant(_set("aws_eks_cluster", "c", bootstrap_self_managed_addons=DROP))
    # WHEN evaluated / THEN nothing fails, and the waived finding is listed
    assert guardrails.evaluate(document) == []
    assert guardrails.summary() == ["waived EKSR011 at s/c: coredns is managed by the platform team's Helm"]


def test_evaluate_runs_both_families():
    document = _variant(_set("aws_eks_cluster", "c", version="1.28", enabled_cluster_log_types=[]))
    assert [f.rule.id for f in Guardrails().evaluate(document)] == ["EKSG010", "EKSR005"]


def test_an_unknown_rule_cannot_be_waived_and_the_message_lists_both_families(stack):
    with pytest.raises(ValidationError) as caught:
        Guardrails.of(stack).waive(rule="EKSR999", path="test/x", reason="a long enough reason")
    assert caught.value.allowed.startswith("one of EKSG001") and caught.value.allowed.endswith("EKSR027")
