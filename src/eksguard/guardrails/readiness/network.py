"""Readiness of the network: node subnets reach the AWS APIs nodes need, interface
endpoints answer under the public names, subnets avoid zones EKS does not serve, node
groups span more than one zone, and workloads reading SQS queues reach SQS."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

from eksguard.guardrails._document import (
    Block,
    Stack,
    as_list,
    blocks,
    first,
    glob_match,
    is_token,
    is_true,
    reference,
    statements,
)
from eksguard.guardrails.readiness._auto import auto_mode
from eksguard.guardrails.readiness.identity import role_policies
from eksguard.guardrails.rules import Finding, Rule

INTERNET = "0.0.0.0/0"
REQUIRED_INTERFACE_ENDPOINTS = ("ec2", "ecr.api", "ecr.dkr", "sts")
"""What a node needs without internet access to join and pull images (with IRSA: sts)."""
UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")
"""Zones where EKS creates no control-plane interfaces (UnsupportedAvailabilityZoneException)."""
OPT_IN_NOT_REQUIRED = "opt-in-not-required"
OTHER_ROUTE_TARGETS = ("transit_gateway_id", "network_interface_id", "vpc_peering_connection_id",
                       "vpc_endpoint_id", "local_gateway_id", "carrier_gateway_id", "core_network_arn",
                       "instance_id")
"""Targets whose way onward (a central egress VPC, a NAT instance, a firewall) is not in view."""

EGRESS = Rule(
    "EKSR001", "node group or Auto Mode subnet has no route to the AWS APIs nodes need",
    "give the subnet's route table a 0.0.0.0/0 route through a NAT gateway (ClusterNetwork with "
    "nat_gateways=True), or add to its VPC interface endpoints for ec2, ecr.api, ecr.dkr and sts "
    "and an S3 gateway endpoint on that route table (ClusterNetwork)")
PRIVATE_DNS = Rule(
    "EKSR002", "interface VPC endpoint without private DNS",
    "set private_dns_enabled = true: nodes call the services by their public names")
ENDPOINT_HTTPS = Rule(
    "EKSR003", "interface VPC endpoint does not admit HTTPS from its VPC",
    "give the endpoint a security group that allows TCP 443 from the VPC CIDR")
ZONES = Rule(
    "EKSR013", "availability zones for subnets not filtered for EKS",
    'set exclude_zone_ids = ["use1-az3", "usw1-az2", "cac1-az3"] and a filter opt-in-status = '
    '["opt-in-not-required"] on the aws_availability_zones data source (ClusterNetwork does)')
ONE_ZONE = Rule(
    "EKSR019", "node group confined to one availability zone",
    "give the node group subnets in at least two availability zones (ClusterNetwork's "
    "private_subnet_ids; SecureEksCluster node groups default to the cluster's subnets); for one "
    "node group per zone on purpose (zonal EBS volumes with cluster-autoscaler), waive EKSR019 for each")
UNREACHABLE_QUEUE = Rule(
    "EKSR025", "workload reads an SQS queue it cannot reach",
    'add an sqs interface endpoint (ClusterNetworkProps interface_endpoints=(*DEFAULT_INTERFACE_ENDPOINTS, "sqs")) '
    "or NAT egress: Karpenter's interruption handling and queue consumers call SQS")
RULES = (EGRESS, PRIVATE_DNS, ENDPOINT_HTTPS, ZONES, ONE_ZONE, UNREACHABLE_QUEUE)
ZONE_ATTRIBUTES = ("availability_zone", "availability_zone_id")
QUEUE_READ = "sqs:ReceiveMessage"
QUEUE_ARN = re.compile(r"^arn:[^:]+:sqs:[^:]*:[^:]*:([^:]+)$")


# EKS User Guide, "Deploy private clusters with limited internet access". An Auto Mode
# cluster's built-in node pools (general-purpose, system) use the default NodeClass, which
# takes the cluster's own subnets and security group (EKS User Guide, "Automate cluster
# infrastructure with EKS Auto Mode": default NodePools and NodeClasses are configured by
# EKS and can't be edited; "Create a Node Class": other subnets need a custom NodeClass's
# subnetSelectorTerms): vpc_config.subnet_ids are the subnets EKS launches those nodes in.
def check_node_group_egress(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for group in stack.all("aws_eks_node_group"):
        yield from _egress_findings(stack, group, group.get("subnet_ids"))
    for cluster in stack.all("aws_eks_cluster"):
        if auto_mode(cluster):
            yield from _egress_findings(stack, cluster, first(cluster.get("vpc_config")).get("subnet_ids"))


# EKS User Guide, "Deploy private clusters with limited internet access" (private DNS).
def check_endpoint_private_dns(document: dict[str, Any]) -> Iterator[Finding]:
    for endpoint in _interface_endpoints(Stack(document)):
        value = endpoint.get("private_dns_enabled")
        if not is_true(value) and not is_token(value):
            yield Finding(PRIVATE_DNS, endpoint.path,
                          f"{endpoint.get('service_name')}: private_dns_enabled = {value!r}")


# EKS User Guide, "Deploy private clusters with limited internet access" (endpoint security groups).
def check_endpoint_https(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for endpoint in _interface_endpoints(stack):
        groups = stack.refs(endpoint.get("security_group_ids"), "aws_security_group")
        vpc = stack.ref(endpoint.get("vpc_id"), "aws_vpc")
        vpc_cidr = _network(vpc.get("cidr_block")) if vpc else None
        known = [g for g in groups or [] if g is not None]
        if not known or len(known) < len(groups or []) or vpc_cidr is None:
            continue
        verdicts = [v for group in known for v in _https_ingress(stack, group, vpc_cidr)]
        if True not in verdicts and None not in verdicts:
            yield Finding(ENDPOINT_HTTPS, endpoint.path, (
                f"{endpoint.get('service_name')}: security groups {', '.join(g.path for g in known)} "
                f"admit no TCP 443 from {vpc_cidr}"))


# EKS User Guide, "View Amazon EKS networking requirements for VPC and subnets" (zones).
def check_availability_zones(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    subnets = [json.dumps(s.body) for s in stack.all("aws_subnet")]
    for zones in stack.all("data.aws_availability_zones"):
        if not any(zones.address + "." in subnet for subnet in subnets):
            continue
        problems = []
        excluded = zones.get("exclude_zone_ids")
        lacking = [z for z in UNSUPPORTED_ZONE_IDS if z not in as_list(excluded)]
        if lacking and not is_token(excluded):
            problems.append(f"exclude_zone_ids lacks {', '.join(lacking)}")
        filters = zones.get("filter")
        if not is_token(filters) and not any(
                f.get("name") == "opt-in-status" and as_list(f.get("values")) == [OPT_IN_NOT_REQUIRED]
                for f in blocks(filters)):
            problems.append(f'no filter opt-in-status = ["{OPT_IN_NOT_REQUIRED}"]')
        if problems:
            yield Finding(ZONES, zones.path, "; ".join(problems))


# EKS Best Practices, "Reliability: data plane" (spread nodes over zones); a zone outage or a
# zone out of capacity for the instance types leaves the group with no node. An Auto Mode
# cluster's built-in node pools launch in the cluster's subnets, which EKS itself requires in
# at least two zones (EKS User Guide, "View Amazon EKS networking requirements for VPC and
# subnets": CreateCluster refuses subnets in fewer than two Availability Zones): a stack
# confining them to one zone does not get that far, so this rule leaves clusters alone.
def check_node_group_zones(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for group in stack.all("aws_eks_node_group"):
        listed = group.get("subnet_ids")
        if not isinstance(listed, list) or any(is_token(s) and stack.ref(s, "aws_subnet") is None for s in listed):
            continue  # computed: the subnets are known at apply time only
        subnets = {stack.key(s): stack.ref(s, "aws_subnet") for s in listed}
        if len(subnets) == 1:
            [(key, subnet)] = subnets.items()
            yield Finding(ONE_ZONE, group.path, f"one subnet: {subnet.path if subnet else key}")
            continue
        zones = {_zone(subnet) for subnet in subnets.values()}
        if len(zones) == 1 and None not in zones:
            [(attribute, zone)] = zones
            yield Finding(ONE_ZONE, group.path, (
                f"subnets {', '.join(s.path for s in subnets.values() if s)} all have {attribute} {zone!r}"))


# Karpenter getting started, "Private Clusters": without internet access the controller
# needs com.amazonaws.<region>.sqs for interruption handling; EKS User Guide, "Deploy private
# clusters with limited internet access": any AWS service pods call needs its endpoint. The
# pods run in the cluster's subnets (vpc_config.subnet_ids) as far as the stack shows; a
# policy reads a queue of the stack when a statement allows sqs:ReceiveMessage on its ARN
# (a reference to it, or an ARN whose name matches the queue's literal name; "*" names no queue).
def check_queue_reach(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    queues = stack.all("aws_sqs_queue")
    if not queues:
        return
    for association in stack.all("aws_eks_pod_identity_association"):
        cluster = stack.ref(association.get("cluster_name"), "aws_eks_cluster")
        role = stack.ref(association.get("role_arn"), "aws_iam_role")
        if cluster is None or role is None:
            continue
        documents = [policy for _, _, policy in role_policies(stack, role)]
        read = [q for q in queues if _reads(documents, q)]
        if not read:
            continue
        for subnet in stack.refs(first(cluster.get("vpc_config")).get("subnet_ids"), "aws_subnet") or []:
            if subnet is None:
                continue
            table = next((t for t in _route_tables(stack, subnet) if _egress(stack, t) is False), None)
            if table is None or _has_endpoint(stack, subnet.get("vpc_id"), "sqs") is not False:
                continue
            for queue in read:
                yield Finding(UNREACHABLE_QUEUE, association.path, (
                    f"{association.get('namespace')}/{association.get('service_account')} (role {role.path}) "
                    f"reads queue {queue.path}; cluster {cluster.path} subnet {subnet.path}: route table "
                    f"{table.path} has no {INTERNET} route through a NAT or internet gateway, and the VPC "
                    "has no sqs interface endpoint"))


CHECKS = (check_node_group_egress, check_endpoint_private_dns, check_endpoint_https, check_availability_zones,
          check_node_group_zones, check_queue_reach)


def _reads(documents: list[dict[str, Any]], queue: Block) -> bool:
    """Some statement allows sqs:ReceiveMessage on the queue, and none denies it."""
    def covers(statement: dict[str, Any], effect: str) -> bool:
        return (statement.get("Effect") == effect
                and any(glob_match(QUEUE_READ, str(a), ignore_case=True) for a in as_list(statement.get("Action")))
                and any(_names_queue(str(r), queue) for r in as_list(statement.get("Resource"))))
    found = [s for document in documents for s in statements(document)]
    return any(covers(s, "Allow") for s in found) and not any(covers(s, "Deny") for s in found)


def _names_queue(resource: str, queue: Block) -> bool:
    parsed = reference(resource)
    if parsed is not None:
        return parsed == (queue.address, "arn")
    match = QUEUE_ARN.match(resource)
    name = queue.get("name")
    return bool(match and isinstance(name, str) and not is_token(name) and not is_token(match.group(1))
                and glob_match(name, match.group(1)))


def _has_endpoint(stack: Stack, vpc_id: Any, name: str) -> bool | None:
    """Whether the VPC has an interface endpoint for the service; None when an endpoint's
    service is computed."""
    endpoints = [e for e in stack.all("aws_vpc_endpoint") if stack.key(e.get("vpc_id")) == stack.key(vpc_id)]
    if any(_service(e) is None for e in endpoints):
        return None
    return any(e.get("vpc_endpoint_type") == "Interface" and str(_service(e)).endswith("." + name) for e in endpoints)


def _egress_findings(stack: Stack, owner: Block, subnet_ids: Any) -> Iterator[Finding]:
    """EKSR001 for the nodes ``owner`` (a node group, or an Auto Mode cluster) launches in
    ``subnet_ids``."""
    for subnet in stack.refs(subnet_ids, "aws_subnet") or []:
        if subnet is None:
            continue
        for table in _route_tables(stack, subnet):
            if _egress(stack, table) is not False:
                continue
            missing = _missing_endpoints(stack, subnet.get("vpc_id"), table)
            if missing:
                yield Finding(EGRESS, owner.path, (
                    f"subnet {subnet.path}: route table {table.path} has no {INTERNET} route through "
                    f"a NAT or internet gateway, and the VPC lacks endpoints {', '.join(missing)}"))


def _zone(subnet: Block | None) -> tuple[str, str] | None:
    """(attribute, value) of a subnet's literal zone; None when it is not known."""
    if subnet is None:
        return None
    found = [(a, subnet.get(a)) for a in ZONE_ATTRIBUTES if subnet.get(a) is not None]
    if len(found) != 1 or not isinstance(found[0][1], str) or is_token(found[0][1]):
        return None
    return found[0]


def _route_tables(stack: Stack, subnet: Block) -> list[Block]:
    associations = [a for a in stack.all("aws_route_table_association")
                    if stack.ref(a.get("subnet_id"), "aws_subnet") is subnet]
    tables = [stack.ref(a.get("route_table_id"), "aws_route_table") for a in associations]
    return [t for t in tables if t is not None]


def _egress(stack: Stack, table: Block) -> bool | None:
    """Whether the table routes 0.0.0.0/0 through a NAT or internet gateway; None when
    its default route goes somewhere whose way onward is not in the stack."""
    if is_token(table.get("route")):
        return None
    routes = [(r.get("cidr_block"), r) for r in blocks(table.get("route"))]
    routes += [(r.get("destination_cidr_block"), r.body) for r in stack.all("aws_route")
               if stack.ref(r.get("route_table_id"), "aws_route_table") is table]
    verdicts = [_route_egress(stack, route) for cidr, route in routes if cidr == INTERNET or is_token(cidr)]
    return True if True in verdicts else None if None in verdicts else False


def _route_egress(stack: Stack, route: dict[str, Any]) -> bool | None:
    nat = route.get("nat_gateway_id")
    if nat:
        gateway = stack.ref(nat, "aws_nat_gateway")
        return None if gateway and gateway.get("connectivity_type") == "private" else True
    target = route.get("gateway_id")
    if target:
        if stack.ref(target, "aws_internet_gateway") or str(target).startswith("igw-"):
            return True
        if stack.ref(target, "aws_vpn_gateway") or str(target).startswith("vgw-") or target == "local":
            return False
        return None
    return None if any(route.get(k) for k in OTHER_ROUTE_TARGETS) else False


def _missing_endpoints(stack: Stack, vpc_id: Any, table: Block) -> list[str]:
    endpoints = [e for e in stack.all("aws_vpc_endpoint") if stack.key(e.get("vpc_id")) == stack.key(vpc_id)]
    if any(_service(e) is None for e in endpoints):
        return []  # an endpoint whose service is computed could be any of them
    missing = [f"{name} (Interface)" for name in REQUIRED_INTERFACE_ENDPOINTS
               if not any(e.get("vpc_endpoint_type") == "Interface" and str(_service(e)).endswith("." + name)
                          for e in endpoints)]
    gateways = [e for e in endpoints
                if str(_service(e)).endswith(".s3") and e.get("vpc_endpoint_type", "Gateway") == "Gateway"]
    routed = [_routes_through(stack, e, table) for e in gateways]
    if None in routed and True not in routed:
        return []
    if True not in routed:
        missing.append("s3 (Gateway, on this route table)")
    return missing


def _routes_through(stack: Stack, endpoint: Block, table: Block) -> bool | None:
    tables = stack.refs(endpoint.get("route_table_ids"), "aws_route_table")
    if tables is None and endpoint.get("route_table_ids") is not None:
        return None
    associated = any(stack.ref(a.get("vpc_endpoint_id"), "aws_vpc_endpoint") is endpoint
                     and stack.ref(a.get("route_table_id"), "aws_route_table") is table
                     for a in stack.all("aws_vpc_endpoint_route_table_association"))
    return associated or table in (tables or [])


def _service(endpoint: Block) -> str | None:
    """The service name when it is known: a literal, or one whose end is literal."""
    name = endpoint.get("service_name")
    return name if isinstance(name, str) and not name.endswith("}") else None


def _interface_endpoints(stack: Stack) -> list[Block]:
    return [e for e in stack.all("aws_vpc_endpoint") if e.get("vpc_endpoint_type") == "Interface"]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(value: Any) -> Network | None:
    try:
        return ipaddress.ip_network(value, strict=False) if isinstance(value, str) else None
    except ValueError:
        return None


def _https_ingress(stack: Stack, group: Block, vpc_cidr: Network) -> Iterator[bool | None]:
    """Per ingress rule of the group: admits TCP 443 from the VPC CIDR (None: cannot tell)."""
    if is_token(group.get("ingress")):
        yield None
    for entry in blocks(group.get("ingress")):
        yield _admits(stack, entry.get("protocol"), entry.get("from_port"), entry.get("to_port"),
                      as_list(entry.get("cidr_blocks")), vpc_cidr)
    for rule in stack.all("aws_security_group_rule"):
        if rule.get("type") == "ingress" and stack.ref(rule.get("security_group_id"), "aws_security_group") is group:
            yield _admits(stack, rule.get("protocol"), rule.get("from_port"), rule.get("to_port"),
                          as_list(rule.get("cidr_blocks")), vpc_cidr)
    for rule in stack.all("aws_vpc_security_group_ingress_rule"):
        if stack.ref(rule.get("security_group_id"), "aws_security_group") is group:
            yield _admits(stack, rule.get("ip_protocol"), rule.get("from_port"), rule.get("to_port"),
                          as_list(rule.get("cidr_ipv4")), vpc_cidr)


def _admits(stack: Stack, protocol: Any, from_port: Any, to_port: Any, cidrs: list[Any],
            vpc_cidr: Network) -> bool | None:
    protocol = str(protocol).lower()
    if is_token(protocol) or is_token(from_port) or is_token(to_port):
        return None
    if protocol not in ("tcp", "6", "-1", "all"):
        return False
    if protocol in ("tcp", "6"):
        try:
            if not int(from_port) <= 443 <= int(to_port):
                return False
        except (TypeError, ValueError):
            return None
    verdicts = []
    for cidr in cidrs:
        vpc = stack.ref(cidr, "aws_vpc")
        network = _network(vpc.get("cidr_block") if vpc else cidr)
        if network is None:
            verdicts.append(None if is_token(cidr) else False)
        else:
            same_family = network.version == vpc_cidr.version
            verdicts.append(same_family and vpc_cidr.subnet_of(network))  # type: ignore[arg-type]
    return True if True in verdicts else None if None in verdicts else False
