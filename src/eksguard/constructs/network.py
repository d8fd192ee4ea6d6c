"""An EKS cluster's VPC: ``ClusterNetwork`` and its props.

Private subnets in two or three AZs that EKS serves, one route table per AZ, VPC
endpoints instead of internet egress, VPC flow logs, and NAT only when asked for.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import Fn, TerraformResourceLifecycle, aws, construct_path, core
from eksguard.constructs._private import (
    account_id,
    create_role,
    logs_key_policy,
    name_prefix_from_id,
    partition,
    policy_document,
    region_name,
)
from eksguard.constructs.cluster import ALLOWED_CLUSTER_NAME, CLUSTER_NAME
from eksguard.constructs.endpoint_policies import (
    WITHOUT_POLICY,
    dynamodb_gateway_policy,
    interface_endpoint_policy,
    s3_gateway_policy,
)

DEFAULT_CIDR_BLOCK = "10.0.0.0/16"
"""65 536 addresses: the VPC CNI gives every pod a VPC address, so EKS VPCs run out early."""

DEFAULT_AZ_COUNT = 2
"""EKS needs control-plane subnets in at least two AZs; two keeps the per-AZ endpoint cost down."""

MIN_AZ_COUNT = 2
MAX_AZ_COUNT = 3
MIN_CIDR_PREFIX = 16  # AWS's largest VPC (VPC User Guide, "VPC CIDR blocks").
MAX_CIDR_PREFIX = 24  # a /24 still leaves /28 public subnets, AWS's smallest subnet.

PRIVATE_SUBNET_NEWBITS = 3
"""Private subnet ``i`` is ``cidrsubnet(cidr, 3, i)``: an eighth of the VPC each (a /19 of a
/16), the split the reference app used, in the lower half of the range."""

PUBLIC_SUBNET_NEWBITS = 4
PUBLIC_SUBNET_FIRST_NETNUM = 8
"""Public subnet ``i`` (NAT gateways only) is ``cidrsubnet(cidr, 4, 8 + i)``: a sixteenth each,
at the start of the upper half, so private subnet 3 and the top of the range stay free."""

EKS_UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")
"""AZ IDs where CreateCluster fails with UnsupportedAvailabilityZoneException (EKS User
Guide, "View Amazon EKS networking requirements for VPC and subnets")."""

INTERFACE_ENDPOINT_REASONS: Mapping[str, str] = {
    "ec2": "the VPC CNI (aws-node) assigns ENIs and pod IPs, and nodes describe themselves at bootstrap",
    "ecr.api": "kubelet gets ECR authorization tokens and image metadata",
    "ecr.dkr": "kubelet pulls image manifests from ECR (the layers come from S3, the gateway endpoint)",
    "sts": "IRSA: pods exchange their service-account token with AssumeRoleWithWebIdentity",
    "logs": "Fluent Bit or the CloudWatch agent on nodes ship container and node logs",
    "eks": "nodes call DescribeCluster at bootstrap; controllers call the EKS API",
    "eks-auth": "EKS Pod Identity: the agent on each node calls AssumeRoleForPodIdentity",
    "elasticloadbalancing": "the AWS Load Balancer Controller manages load balancers and targets",
    "autoscaling": "cluster-autoscaler reads and resizes the node groups' Auto Scaling groups",
}
"""Why each default interface endpoint is there: service suffix -> who needs it."""

DEFAULT_INTERFACE_ENDPOINTS = tuple(INTERFACE_ENDPOINT_REASONS)
"""What EKS nodes and eksguard's identities call with no route to the internet."""

OPTIONAL_INTERFACE_ENDPOINTS: Mapping[str, str] = {
    "ssm": "Systems Manager: Session Manager to nodes, Parameter Store from pods",
    "ssmmessages": "Session Manager shell sessions to nodes",
    "ec2messages": "the Systems Manager agent on nodes",
    "kms": "pods that call KMS themselves",
    "secretsmanager": "pods or the Secrets Store CSI driver reading Secrets Manager",
    "monitoring": "CloudWatch metrics (PutMetricData)",
    "xray": "AWS X-Ray traces",
    "aps-workspaces": "Amazon Managed Service for Prometheus remote write",
    "elasticfilesystem": "the EFS CSI driver",
    "sqs": "Karpenter's interruption queue, and workloads or KEDA reading SQS queues",
}
"""Interface endpoints often added to the defaults, with who needs them. Other service
suffixes are accepted too."""

KNOWN_INTERFACE_ENDPOINTS: Mapping[str, str] = {**INTERFACE_ENDPOINT_REASONS, **OPTIONAL_INTERFACE_ENDPOINTS}

GATEWAY_SERVICE = "s3"
HTTPS = 443
INTERNET = "0.0.0.0/0"
FLOW_LOG_RETENTION_DAYS = 365
"""A year of network history, what most compliance baselines (and checkov) ask for."""
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")
FLOW_LOG_GROUP_LISTING = "logs:DescribeLogGroups"

# A Regional AZ ID: region code, digit, "-az", number (use1-az1, usgw1-az2, cnnw1-az3);
# Local Zone IDs (use1-bos1-az1) do not match: EKS control planes cannot use them.
ZONE_ID = re.compile(r"^([a-z]{2,6}[0-9]+)-az[0-9]+$")
SERVICE_SUFFIX = re.compile(r"^[a-z0-9]+([.-][a-z0-9]+)*$")
FULL_SERVICE_NAME = re.compile(r"^(cn\.)?(com\.amazonaws|aws)\.")

ALLOWED_VPC_CIDR = (
    f"an IPv4 CIDR block from /{MIN_CIDR_PREFIX} to /{MAX_CIDR_PREFIX}, such as '10.0.0.0/16'"
)
ALLOWED_ZONE_ID = (
    "an availability zone ID such as 'use1-az1' (not a zone name or Local Zone), other than "
    "the ones EKS control planes do not support: " + ", ".join(EKS_UNSUPPORTED_ZONE_IDS)
)
ALLOWED_ZONE_IDS = (
    f"{MIN_AZ_COUNT} to {MAX_AZ_COUNT} distinct availability zone IDs of one region"
)
ALLOWED_AZ_COUNT = f"an integer from {MIN_AZ_COUNT} to {MAX_AZ_COUNT}"
ALLOWED_AZ_COUNT_WITH_PINNED = "the number of availability_zone_ids ({count}), or None"
ALLOWED_INTERFACE_ENDPOINT = (
    "a literal service name suffix such as 'ssm' or 'ecr.api' (lowercase letters, digits, "
    "'.' and '-'), without 'com.amazonaws.<region>.', and not 's3': S3 is always the "
    "gateway endpoint; known: " + ", ".join(KNOWN_INTERFACE_ENDPOINTS)
)
ALLOWED_UNIQUE_ENDPOINTS = "each service once"
ALLOWED_ENDPOINT_POLICY_STATEMENTS = (
    "a mapping of endpoint service to a list of policy statements (mappings with an 'Effect' "
    "of 'Allow' or 'Deny')"
)
ALLOWED_ENDPOINT_POLICY_SERVICE = "an endpoint of this network: {endpoints}"


@documented
@dataclass(frozen=True, kw_only=True)
class ClusterNetworkProps:
    """Props of ``ClusterNetwork``.

    Example::

        ClusterNetworkProps(cluster_name="prod", interface_endpoints=(
            *DEFAULT_INTERFACE_ENDPOINTS, "ssm", "ssmmessages"))
    """

    cluster_name: str
    """The EKS cluster that will use the subnets: they are tagged
    ``kubernetes.io/cluster/<cluster_name> = shared``, and the name goes into resource names."""

    cidr_block: str = DEFAULT_CIDR_BLOCK
    """The VPC's IPv4 CIDR block, /16 to /24. Private subnets take an eighth each from the
    bottom; public subnets (NAT only) a sixteenth each from the middle. Default:
    ``DEFAULT_CIDR_BLOCK`` ("10.0.0.0/16")."""

    az_count: int | None = None
    """How many AZs get a private subnet (2 or 3). Without pinned ``availability_zone_ids``
    the first ones the region offers are used, and plan fails if there are fewer. Default:
    None — the number of ``availability_zone_ids`` when they are pinned, else 2."""

    availability_zone_ids: Sequence[str] | None = None
    """AZ IDs (``use1-az1``) to pin the subnets to, in order: 2 or 3 distinct, of one region,
    none that EKS does not serve. Default: None — the first ``az_count`` available AZs of
    the region that need no opt-in and that EKS serves, by ID."""

    interface_endpoints: Sequence[str] = DEFAULT_INTERFACE_ENDPOINTS
    """Interface VPC endpoints (service suffixes) in the private subnets, private DNS on.
    Each costs per AZ-hour (about $0.01 in us-east-1, ~$7.30 a month per AZ) plus per GB
    processed; the default 9 in 2 AZs come to about $130 a month. Add to the defaults with
    ``(*DEFAULT_INTERFACE_ENDPOINTS, "ssm")``; ``INTERFACE_ENDPOINT_REASONS`` says why each
    default is there. The S3 gateway endpoint is always created (it is free). Default:
    ``DEFAULT_INTERFACE_ENDPOINTS``."""

    dynamodb_gateway_endpoint: bool = False
    """A DynamoDB gateway endpoint on every private route table, for workloads that use
    DynamoDB without internet egress (free, like the S3 one). Default: False."""

    nat_gateways: bool = False
    """Give the private subnets internet egress: a public subnet and a NAT gateway per AZ,
    an internet gateway, and a ``0.0.0.0/0`` route from each private route table to its AZ's
    NAT. Each NAT gateway costs per hour (about $0.045 in us-east-1, ~$33 a month) plus per
    GB processed (about $0.045), and its Elastic IP per hour. Default: False — no route to
    the internet; AWS APIs are reached through the VPC endpoints."""

    endpoint_policy_statements: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    """More Allow statements for an endpoint's policy, by service (``"s3"``, ``"dynamodb"``,
    or an interface endpoint's suffix such as ``"ecr.api"``; not ``"eks-auth"``, which keeps
    AWS's default policy), after eksguard's own
    (``eksguard.constructs.endpoint_policies``: S3 serves ECR's image layers, the Amazon Linux
    repositories and this account's buckets; DynamoDB this account's tables; interface
    endpoints this account's principals). Example: ``{"s3": [{"Effect": "Allow", "Principal":
    "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::partner-data/*"}]}``. Default: no
    more statements."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every resource this construct creates that takes tags. Default: no tags."""


class ClusterNetwork(EksguardConstruct):
    """A VPC for an EKS cluster that works with no internet egress: private subnets in
    AZs that EKS serves, VPC endpoints for what nodes call, an unusable default security
    group, and all traffic in encrypted flow logs.

    Example::

        network = ClusterNetwork(stack, "network", props=ClusterNetworkProps(cluster_name="prod"))
        EksCluster(stack, "eks", props=EksClusterProps(
            name="prod", subnet_ids=network.private_subnet_ids))

    Properties: ``vpc_id``, ``vpc_cidr_block``, ``private_subnet_ids``,
    ``private_route_table_ids``, ``public_subnet_ids``, ``endpoint_security_group_id``,
    ``interface_endpoints``, ``s3_gateway_endpoint``, ``dynamodb_gateway_endpoint``, ``flow_log``.
    Its resources: ``vpc``,
    ``private_subnets``, ``private_route_tables``, ``public_subnets`` and ``nat_gateways``
    (empty without NAT), ``endpoint_security_group``, ``default_security_group``.
    """

    def __init__(self, scope: Construct, id: str, *, props: ClusterNetworkProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.az_count = _validate(construct_path(self), props)
        name, tags = props.cluster_name, dict(props.tags)

        self.vpc = aws.vpc.Vpc(
            self, "vpc", cidr_block=props.cidr_block,
            # Interface endpoints' private DNS names resolve only with both on.
            enable_dns_support=True, enable_dns_hostnames=True,
            tags={**tags, "Name": name})
        # No rules: nothing may use the default security group.
        self.default_security_group = aws.default_security_group.DefaultSecurityGroup(
            self, "default-security-group", vpc_id=self.vpc.id, tags=tags)

        zone_ids = self._zone_ids()
        self.private_subnets: list[Any] = []
        self.private_route_tables: list[Any] = []
        for index, zone_id in enumerate(zone_ids):
            subnet = aws.subnet.Subnet(
                self, f"private-{index}", vpc_id=self.vpc.id,
                cidr_block=self._subnet_cidr(PRIVATE_SUBNET_NEWBITS, index),
                availability_zone_id=zone_id,
                tags={**tags, "Name": f"{name}-private-{index}",
                      "kubernetes.io/role/internal-elb": "1",
                      f"kubernetes.io/cluster/{name}": "shared"})
            # One route table per AZ, so that each can route to its own AZ's NAT gateway.
            routes = aws.route_table.RouteTable(
                self, f"private-{index}-routes", vpc_id=self.vpc.id,
                tags={**tags, "Name": f"{name}-private-{index}"})
            aws.route_table_association.RouteTableAssociation(
                self, f"private-{index}-routes-association", subnet_id=subnet.id,
                route_table_id=routes.id)
            self.private_subnets.append(subnet)
            self.private_route_tables.append(routes)

        self.public_subnets: list[Any] = []
        self.nat_gateways: list[Any] = []
        if props.nat_gateways:
            self._nat_egress(zone_ids)

        self._endpoints()
        self._flow_log = self._flow_logs()

    def _zone_ids(self) -> list[str]:
        """The AZ ID of each private subnet: the pinned ones, or the region's first eligible."""
        pinned = self.props.availability_zone_ids
        self.zones: Any = None
        if pinned is not None:
            if v.is_token(pinned):
                return [Fn.element(pinned, index) for index in range(self.az_count)]
            return list(pinned)
        self.zones = aws.data_aws_availability_zones.DataAwsAvailabilityZones(
            self, "zones",
            state="available",
            filter=[aws.data_aws_availability_zones.DataAwsAvailabilityZonesFilter(
                # Only the Regional AZs: Local Zones and Wavelength Zones (opted-in or
                # not-opted-in) sort first and would shift when one is opted into later
                # (EC2 User Guide, "Regions and Zones"; DescribeAvailabilityZones filters).
                name="opt-in-status", values=["opt-in-not-required"])],
            # CreateCluster fails in these with UnsupportedAvailabilityZoneException (EKS User
            # Guide, "View Amazon EKS networking requirements for VPC and subnets").
            exclude_zone_ids=list(EKS_UNSUPPORTED_ZONE_IDS),
            # element() wraps around: with too few zones two subnets would share one AZ.
            lifecycle=TerraformResourceLifecycle(postcondition=[core.Postcondition(
                condition=f"${{length(self.zone_ids) >= {self.az_count}}}",
                error_message=(
                    f"The region has fewer than {self.az_count} available availability zones "
                    "that EKS supports; lower az_count or pin availability_zone_ids."),
            )]))
        # By ID, not name: zone names map to different AZs in each account.
        return [Fn.element(self.zones.zone_ids, index) for index in range(self.az_count)]

    def _subnet_cidr(self, newbits: int, netnum: int) -> str:
        cidr = self.props.cidr_block
        if v.is_token(cidr):
            return Fn.cidrsubnet(cidr, newbits, netnum)
        network = ipaddress.ip_network(cidr)
        return str(list(network.subnets(prefixlen_diff=newbits))[netnum])

    def _nat_egress(self, zone_ids: Sequence[str]) -> None:
        name, tags = self.props.cluster_name, dict(self.props.tags)
        gateway = aws.internet_gateway.InternetGateway(
            self, "internet-gateway", vpc_id=self.vpc.id, tags={**tags, "Name": name})
        public_routes = aws.route_table.RouteTable(
            self, "public-routes", vpc_id=self.vpc.id, tags={**tags, "Name": f"{name}-public"})
        aws.route.Route(self, "public-internet-route", route_table_id=public_routes.id,
                        destination_cidr_block=INTERNET, gateway_id=gateway.id)
        for index, zone_id in enumerate(zone_ids):
            # Public only to hold the NAT gateway: no public IPs on launch, and no
            # kubernetes.io/role/elb tag, so no internet-facing load balancer lands here.
            subnet = aws.subnet.Subnet(
                self, f"public-{index}", vpc_id=self.vpc.id,
                cidr_block=self._subnet_cidr(PUBLIC_SUBNET_NEWBITS, PUBLIC_SUBNET_FIRST_NETNUM + index),
                availability_zone_id=zone_id, map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-public-{index}"})
            aws.route_table_association.RouteTableAssociation(
                self, f"public-{index}-routes-association", subnet_id=subnet.id,
                route_table_id=public_routes.id)
            address = aws.eip.Eip(self, f"nat-{index}-address", domain="vpc",
                                  tags={**tags, "Name": f"{name}-nat-{index}"}, depends_on=[gateway])
            nat = aws.nat_gateway.NatGateway(
                self, f"nat-{index}", allocation_id=address.id, subnet_id=subnet.id,
                tags={**tags, "Name": f"{name}-nat-{index}"}, depends_on=[gateway])
            aws.route.Route(self, f"private-{index}-nat-route",
                            route_table_id=self.private_route_tables[index].id,
                            destination_cidr_block=INTERNET, nat_gateway_id=nat.id)
            self.public_subnets.append(subnet)
            self.nat_gateways.append(nat)

    def _endpoints(self) -> None:
        name, tags = self.props.cluster_name, dict(self.props.tags)
        self.endpoint_security_group = aws.security_group.SecurityGroup(
            self, "endpoint-security-group", vpc_id=self.vpc.id,
            name_prefix=f"{name_prefix_from_id(self)}endpoints-",
            description="HTTPS from the VPC to its interface endpoints",
            ingress=[aws.security_group.SecurityGroupIngress(
                description="HTTPS from the VPC", protocol="tcp", from_port=HTTPS, to_port=HTTPS,
                cidr_blocks=[self.props.cidr_block])],
            # None: endpoint interfaces only answer (security groups are stateful) and never
            # open connections. An explicit empty list also removes rules added by hand.
            egress=[],
            tags={**tags, "Name": f"{name}-endpoints"})
        region, arn, account = region_name(self), partition(self), account_id(self)
        extra = self.props.endpoint_policy_statements
        subnet_ids = self.private_subnet_ids
        self._interface_endpoints: dict[str, Any] = {
            service: aws.vpc_endpoint.VpcEndpoint(
                self, f"endpoint-{service}", vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{region}.{service}", vpc_endpoint_type="Interface",
                private_dns_enabled=True, subnet_ids=subnet_ids,
                security_group_ids=[self.endpoint_security_group.id],
                policy=interface_endpoint_policy(service, partition=arn, account=account,
                                                 extra=extra.get(service, ())),
                tags={**tags, "Name": f"{name}-{service}"})
            for service in self.props.interface_endpoints
        }
        # ECR keeps image layers in S3; the gateway endpoint is free and needs no DNS.
        self._s3_gateway_endpoint = aws.vpc_endpoint.VpcEndpoint(
            self, "endpoint-s3", vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.{GATEWAY_SERVICE}", vpc_endpoint_type="Gateway",
            route_table_ids=self.private_route_table_ids,
            policy=s3_gateway_policy(partition=arn, account=account, region=region,
                                     extra=extra.get(GATEWAY_SERVICE, ())),
            tags={**tags, "Name": f"{name}-s3"})
        self._dynamodb_gateway_endpoint = aws.vpc_endpoint.VpcEndpoint(
            self, "endpoint-dynamodb", vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{region}.dynamodb", vpc_endpoint_type="Gateway",
            route_table_ids=self.private_route_table_ids,
            policy=dynamodb_gateway_policy(account=account, extra=extra.get("dynamodb", ())),
            tags={**tags, "Name": f"{name}-dynamodb"},
        ) if self.props.dynamodb_gateway_endpoint else None

    def _flow_logs(self) -> Any:
        """All VPC traffic to a KMS-encrypted log group kept a year, written by a role that
        only the flow-logs service of this account can assume and that can only write there."""
        name, tags = self.props.cluster_name, dict(self.props.tags)
        scope = Construct(self, "flow-logs")
        group_name = f"/aws/vpc/{name}/flow-logs"
        self.flow_logs_key = aws.kms_key.KmsKey(
            scope, "key", description=f"VPC flow logs of {name}", enable_key_rotation=True,
            policy=logs_key_policy(scope, group_name), tags=tags)
        self.flow_logs_log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            scope, "log-group", name=group_name, retention_in_days=FLOW_LOG_RETENTION_DAYS,
            kms_key_id=self.flow_logs_key.arn, tags=tags)
        account = account_id(scope)
        self.flow_logs_role, policies = create_role(
            scope, role_name=None, tags=tags,
            # Confused deputy: only flow logs of this account (VPC User Guide, "IAM role for
            # publishing flow logs to CloudWatch Logs").
            trust_policy=policy_document([{
                "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition(scope)}:ec2:{region_name(scope)}:"
                                                 f"{account}:vpc-flow-log/*"},
                },
            }]),
            inline_policies={"write-flow-logs": policy_document([{
                "Effect": "Allow", "Action": list(FLOW_LOG_ACTIONS),
                "Resource": f"{self.flow_logs_log_group.arn}:*"}, {
                # In AWS's role policy for flow logs (VPC User Guide, "IAM role for publishing
                # flow logs to CloudWatch Logs"); it lists log groups, so it takes no one group.
                "Effect": "Allow", "Action": FLOW_LOG_GROUP_LISTING,
                "Resource": f"arn:{partition(scope)}:logs:{region_name(scope)}:{account}:log-group:*"}])})
        return aws.flow_log.FlowLog(
            scope, "flow-log", vpc_id=self.vpc.id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=self.flow_logs_log_group.arn,
            iam_role_arn=self.flow_logs_role.arn, tags=tags, depends_on=policies)

    @property
    def vpc_id(self) -> str:
        """The VPC's ID, known after apply."""
        return self.vpc.id

    @property
    def vpc_cidr_block(self) -> str:
        """The VPC's CIDR block as given in the props (a literal when that is one)."""
        return self.props.cidr_block

    @property
    def private_subnet_ids(self) -> list[str]:
        """One per AZ, in AZ order."""
        return [subnet.id for subnet in self.private_subnets]

    @property
    def private_route_table_ids(self) -> list[str]:
        """One per AZ, in the order of ``private_subnet_ids``."""
        return [routes.id for routes in self.private_route_tables]

    @property
    def public_subnet_ids(self) -> list[str]:
        """The NAT gateways' subnets, one per AZ; empty without ``nat_gateways``."""
        return [subnet.id for subnet in self.public_subnets]

    @property
    def endpoint_security_group_id(self) -> str:
        """The security group of the interface endpoints: TCP 443 from the VPC CIDR only."""
        return self.endpoint_security_group.id

    @property
    def interface_endpoints(self) -> dict[str, aws.vpc_endpoint.VpcEndpoint]:
        """Service suffix (``"ecr.api"``) -> its interface endpoint, in the props' order."""
        return dict(self._interface_endpoints)

    @property
    def dynamodb_gateway_endpoint(self) -> aws.vpc_endpoint.VpcEndpoint | None:
        """The DynamoDB gateway endpoint, when ``dynamodb_gateway_endpoint`` asks for one."""
        return self._dynamodb_gateway_endpoint

    @property
    def s3_gateway_endpoint(self) -> aws.vpc_endpoint.VpcEndpoint:
        """The S3 gateway endpoint, in every private route table."""
        return self._s3_gateway_endpoint

    @property
    def flow_log(self) -> aws.flow_log.FlowLog:
        """The flow log of all the VPC's traffic, to the KMS-encrypted log group."""
        return self._flow_log


def _validate(path: str, props: ClusterNetworkProps) -> int:
    """Checks the props and returns the number of AZs."""
    v.require_props(path, props, ClusterNetworkProps)
    v.require_cluster_name(path, "cluster_name", props.cluster_name)
    _require_vpc_cidr(path, props.cidr_block)
    az_count = _require_zones(path, props)
    _require_interface_endpoints(path, props.interface_endpoints)
    _require_endpoint_policy_statements(path, props)
    return az_count


def _require_endpoint_policy_statements(path: str, props: ClusterNetworkProps) -> None:
    given = props.endpoint_policy_statements
    endpoints = [*(e for e in props.interface_endpoints if e not in WITHOUT_POLICY), GATEWAY_SERVICE,
                 *(["dynamodb"] if props.dynamodb_gateway_endpoint else [])]
    if not isinstance(given, Mapping):
        v.fail(path, "endpoint_policy_statements", given, ALLOWED_ENDPOINT_POLICY_STATEMENTS)
    for service, statements in given.items():
        if service not in endpoints:
            v.fail(path, f"endpoint_policy_statements[{service!r}]", service,
                   ALLOWED_ENDPOINT_POLICY_SERVICE.format(endpoints=", ".join(endpoints)))
        if (isinstance(statements, (str, Mapping)) or not isinstance(statements, Sequence)
                or not all(isinstance(s, Mapping) and s.get("Effect") in ("Allow", "Deny") for s in statements)):
            v.fail(path, f"endpoint_policy_statements[{service!r}]", statements, ALLOWED_ENDPOINT_POLICY_STATEMENTS)


def _require_vpc_cidr(path: str, cidr: str) -> None:
    if v.is_token(cidr):
        return
    try:
        network = ipaddress.ip_network(cidr, strict=True)
    except (TypeError, ValueError):
        v.fail(path, "cidr_block", cidr, ALLOWED_VPC_CIDR)
    else:
        if network.version != 4 or not MIN_CIDR_PREFIX <= network.prefixlen <= MAX_CIDR_PREFIX:
            v.fail(path, "cidr_block", cidr, ALLOWED_VPC_CIDR)


def _require_zones(path: str, props: ClusterNetworkProps) -> int:
    pinned = props.availability_zone_ids
    if pinned is None or v.is_token(pinned):
        count = DEFAULT_AZ_COUNT if props.az_count is None else props.az_count
        # Not even a token: the count decides how many resources there are.
        if isinstance(count, bool) or not isinstance(count, int) or not MIN_AZ_COUNT <= count <= MAX_AZ_COUNT:
            v.fail(path, "az_count", count, ALLOWED_AZ_COUNT)
        return count
    literal = [zone for zone in pinned if not v.is_token(zone)]
    for zone in literal:
        if not isinstance(zone, str) or not ZONE_ID.match(zone) or zone in EKS_UNSUPPORTED_ZONE_IDS:
            v.fail(path, "availability_zone_ids", zone, ALLOWED_ZONE_ID)
    regions = {ZONE_ID.match(zone).group(1) for zone in literal}  # type: ignore[union-attr]
    if (len(set(pinned)) != len(pinned) or not MIN_AZ_COUNT <= len(pinned) <= MAX_AZ_COUNT
            or len(regions) > 1):
        v.fail(path, "availability_zone_ids", list(pinned), ALLOWED_ZONE_IDS)
    if props.az_count is not None and props.az_count != len(pinned):
        v.fail(path, "az_count", props.az_count, ALLOWED_AZ_COUNT_WITH_PINNED.format(count=len(pinned)))
    return len(pinned)


def _require_interface_endpoints(path: str, services: Sequence[str]) -> None:
    for service in services:
        if (v.is_token(service) or not isinstance(service, str) or service == GATEWAY_SERVICE
                or (service not in KNOWN_INTERFACE_ENDPOINTS
                    and (not SERVICE_SUFFIX.match(service) or FULL_SERVICE_NAME.match(service)))):
            v.fail(path, "interface_endpoints", service, ALLOWED_INTERFACE_ENDPOINT)
    if len(set(services)) != len(services):
        v.fail(path, "interface_endpoints", list(services), ALLOWED_UNIQUE_ENDPOINTS)
