"""EC2 writes of a derived deploy role, limited to the stack's own EC2 resources by the
``eksguard:stack`` tag each carries (attribute-based access control).

EC2 has no names to scope by, and its ARNs carry ids known only after create, so the
region (``aws:RequestedRegion``) was the narrowest scope a policy could name: any security
group, route, endpoint policy or launch template of the account in that region. With the
tag, following the EC2 User Guide's "Grant permission to tag Amazon EC2 resources during
creation" and "Control access to EC2 resources using resource tags":

- a create is allowed only when the request tags the new resource as the stack's
  (``aws:RequestTag/eksguard:stack``), and ``ec2:CreateTags`` only as part of a create
  (``ec2:CreateAction``);
- everything else (modify, delete, attach, associate, authorize, revoke, the parent
  resources a create names: the VPC of a new subnet) only on a resource tagged as the
  stack's (``aws:ResourceTag/eksguard:stack``);
- the tag may not be added, changed or removed outside a create (``KeepEC2StackTags``), so
  no other resource can be made the stack's by tagging it;
- disassociating a route table, whose request may name no resource (``NO_REQUIRED_RESOURCE``),
  in the stack's VPCs, on what is not another stack's;
- the VPC's default security group, which AWS creates untagged with the VPC and the stack
  only empties, by its id and its VPC (``ec2:Vpc``, the stack's VPCs' ARNs);
- ``ec2:RunInstances`` (which EKS checks against the caller of a node group with a launch
  template) only with a launch template tagged as the stack's.

EC2 evaluates each resource a request names against the policy (Service Authorization
Reference, Amazon EC2: the resource types of each action). The creates are grouped so that
no create of a group names, as a parent, a resource type of its own group
(``EC2_CREATE_GROUPS``): a request tag that lets a subnet be created can never also let the
subnet's VPC, or a NAT gateway's subnet, pass without the VPC's or the subnet's own tag.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

STACK_TAG_KEY = "eksguard:stack"
"""The tag every IAM, EC2 and KMS resource of a stack with a derived deploy role carries: the
stack's identity (``eksguard.constructs._private.stack_tag_value``)."""

EC2_CREATES: Mapping[str, tuple[str, str]] = {
    "aws_vpc": ("ec2:CreateVpc", "vpc"),
    "aws_internet_gateway": ("ec2:CreateInternetGateway", "internet-gateway"),
    "aws_launch_template": ("ec2:CreateLaunchTemplate", "launch-template"),
    "aws_eip": ("ec2:AllocateAddress", "elastic-ip"),
    "aws_subnet": ("ec2:CreateSubnet", "subnet"),
    "aws_security_group": ("ec2:CreateSecurityGroup", "security-group"),
    "aws_route_table": ("ec2:CreateRouteTable", "route-table"),
    "aws_nat_gateway": ("ec2:CreateNatGateway", "natgateway"),
    "aws_vpc_endpoint": ("ec2:CreateVpcEndpoint", "vpc-endpoint"),
    "aws_flow_log": ("ec2:CreateFlowLogs", "vpc-flow-log"),
}
"""Per Terraform type eksguard writes: the EC2 create action and the ARN resource type it
makes, tagged in the same request (hashicorp/aws passes ``tags`` as ``TagSpecifications``
for each: internal/service/ec2, ``getTagSpecificationsIn``)."""

EC2_CREATE_GROUPS: tuple[tuple[str, ...], ...] = (
    # parents of nothing in their group: CreateVpc, CreateInternetGateway, CreateLaunchTemplate
    # and AllocateAddress each name only what they make
    ("vpc", "internet-gateway", "launch-template", "elastic-ip"),
    # each names a VPC besides what it makes
    ("subnet", "security-group", "route-table"),
    # each names a VPC, subnets, addresses, security groups or route tables besides what it makes
    ("natgateway", "vpc-endpoint", "vpc-flow-log"),
)
"""The made ARN types, grouped so that no create of a group names another type of its group
(module docstring)."""

TAGGED_EC2_TYPES = frozenset(EC2_CREATES)
"""The EC2 types a stack with a derived deploy role tags as its own."""

DEFAULT_SECURITY_GROUP_WRITES = ("ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
                                 "ec2:CreateTags", "ec2:RevokeSecurityGroupEgress",
                                 "ec2:RevokeSecurityGroupIngress")
"""What hashicorp/aws calls on a VPC's default security group when it adopts it
(internal/service/ec2/vpc_default_security_group.go: it tags the group and replaces its
rules), each of which takes ``ec2:Vpc`` on the security group (Service Authorization
Reference, Amazon EC2). Not ``DeleteTags``, which does not take ``ec2:Vpc``: once adopted the
group carries the stack's tag, and later tag removals pass on it (``ChangeThisStacksEC2``)."""

NO_REQUIRED_RESOURCE = ("ec2:DisassociateRouteTable",)
"""The EC2 write with no required resource type whose request names no resource of its own
(Service Authorization Reference, Amazon EC2; the request takes only an association id): it
is allowed in the region on what is not another stack's (``StringEqualsIfExists``) and, of
route tables and subnets, in the stack's VPCs only (``ArnEqualsIfExists`` on ``ec2:Vpc``,
which both take), rather than fail on AWS if the route table is not in the request's
context. (Releasing, associating and disassociating an address name its ``elastic-ip``,
which takes ``aws:ResourceTag``: they need the stack's tag like every other write.)"""


def ec2_statements(*, writes: Collection[str], resource_types: Collection[str], partition: str, account: str,
                   region: str, stack_tag: str, vpc_arns: Collection[str] = (),
                   launches_from_templates: bool = False,
                   endpoint_services: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The statements that allow ``writes`` (EC2 actions) on the stack's own EC2 resources
    only, as the module docstring says."""
    arn = f"arn:{partition}:ec2:{region}:{account}"
    own = {"StringEquals": {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag}}
    creates = {EC2_CREATES[t] for t in resource_types if t in EC2_CREATES}
    made = {arn_type: action for action, arn_type in creates}
    statements: list[dict[str, Any]] = []
    for number, group in enumerate(EC2_CREATE_GROUPS, start=1):
        types = [t for t in group if t in made]
        if not types:
            continue
        actions = sorted(made[t] for t in types)
        resources = [f"{arn}:{t}/*" for t in sorted(types)]
        condition: dict[str, Any] = {"StringEquals": {f"aws:RequestTag/{STACK_TAG_KEY}": stack_tag}}
        if "vpc-endpoint" in types and endpoint_services:
            # only to the services the stack's endpoints name (ec2:VpceServiceName, on the
            # vpc-endpoint resource only: the group's other creates do not carry it)
            names = sorted(endpoint_services)
            condition["StringEqualsIfExists"] = {"ec2:VpceServiceName": names if len(names) > 1 else names[0]}
        statements.append({"Sid": f"CreateEC2TaggedAsThisStack{number}", "Effect": "Allow",
                           "Action": actions if len(actions) > 1 else actions[0],
                           "Resource": resources if len(resources) > 1 else resources[0],
                           "Condition": condition})
    if creates:
        # A launch from a template that tags its instances and volumes (eksguard's do) is a
        # create too: EKS checks the caller's RunInstances for a node group's template.
        names = sorted({*(action.removeprefix("ec2:") for action, _ in creates),
                        *(["RunInstances"] if launches_from_templates else [])})
        statements.append({"Sid": "TagEC2OnCreate", "Effect": "Allow", "Action": "ec2:CreateTags",
                           "Resource": f"{arn}:*/*",
                           "Condition": {"StringEquals": {"ec2:CreateAction": names if len(names) > 1 else names[0]}}})
    parentless = {made[t] for t in EC2_CREATE_GROUPS[0] if t in made}
    changes = sorted(a for a in writes if a not in parentless)
    loose = sorted(a for a in changes if a in NO_REQUIRED_RESOURCE)
    changes = [a for a in changes if a not in NO_REQUIRED_RESOURCE]
    if changes:
        statements.append({"Sid": "ChangeThisStacksEC2", "Effect": "Allow", "Action": changes, "Resource": "*",
                           "Condition": own})
    if loose:
        not_others: dict[str, Any] = {"StringEqualsIfExists": {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag},
                                      "StringEquals": {"aws:RequestedRegion": region}}
        if vpc_arns:
            # route tables and subnets take ec2:Vpc: in the stack's VPCs only
            not_others["ArnEqualsIfExists"] = {"ec2:Vpc": sorted(vpc_arns) if len(vpc_arns) > 1
                                               else next(iter(vpc_arns))}
        statements.append({"Sid": "ChangeEC2NotOtherStacks", "Effect": "Allow", "Action": loose, "Resource": "*",
                           "Condition": not_others})
    vpcs: Any = sorted(vpc_arns)
    vpcs = vpcs if len(vpcs) != 1 else vpcs[0]
    adopts = "aws_default_security_group" in resource_types and bool(vpc_arns)
    if adopts:
        # the default security groups themselves (their ids, known after the VPCs), not every
        # group of the VPCs (EKS's cluster group, GuardDuty's): the AWS review of this policy
        groups = [f"{arn}:security-group/{default_group(v)}" for v in sorted(vpc_arns)]
        statements.append({"Sid": "EmptyStackVpcsDefaultSecurityGroups", "Effect": "Allow",
                           "Action": list(DEFAULT_SECURITY_GROUP_WRITES),
                           "Resource": groups if len(groups) > 1 else groups[0],
                           "Condition": {"ArnEquals": {"ec2:Vpc": vpcs}}})
    if launches_from_templates:
        statements.extend(launch_from_stack_templates(partition, account, region, stack_tag, vpcs or None))
    statements.append(keep_ec2_stack_tags(vpcs if adopts else None))
    if adopts:
        statements.append(keep_tagged_ec2_stack_tags())
    if "ec2:DeleteTags" in writes:
        statements.append(keep_ec2_tags())
    return statements


def default_group(vpc_arn: str) -> str:
    """The default security group id of the VPC whose ARN is ``vpc_arn`` (a reference
    ``${aws_vpc.<id>.arn}``: its ``default_security_group_id``)."""
    if vpc_arn.startswith("${") and vpc_arn.endswith(".arn}"):
        return vpc_arn[:-len(".arn}")] + ".default_security_group_id}"
    return "*"  # a VPC ARN of elsewhere: its groups, by ec2:Vpc


def keep_ec2_stack_tags(stack_vpcs: Any = None) -> dict[str, Any]:
    """Deny adding, changing or removing the ``eksguard:stack`` tag of an EC2 resource but
    as part of its create (``ec2:CreateAction`` is set only then): otherwise one
    ``CreateTags`` would make any resource of the region the stack's. With ``stack_vpcs``
    (the stack adopts its VPCs' default security groups, which AWS makes untagged), not on
    what lies in those VPCs and is untagged (``ec2:Vpc``; a resource that does not take it
    stays denied; ``KeepTaggedEC2StackTags`` covers the tagged): the only such resource the
    role may tag is the VPC's default security group (``EmptyStackVpcsDefaultSecurityGroups``)."""
    condition: dict[str, Any] = {"ForAnyValue:StringEquals": {"aws:TagKeys": STACK_TAG_KEY},
                                 "Null": {"ec2:CreateAction": "true"}}
    if stack_vpcs:
        condition["ArnNotEqualsIfExists"] = {"ec2:Vpc": stack_vpcs}
    return {"Sid": "KeepEC2StackTags", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": "*", "Condition": condition}


def keep_tagged_ec2_stack_tags() -> dict[str, Any]:
    """Deny changing the ``eksguard:stack`` tag of what already carries one but at create:
    ``KeepEC2StackTags`` leaves the stack's VPCs open for adopting the default security
    group, and this keeps the stack's own subnets and groups there from being handed to
    another stack by re-tagging."""
    return {"Sid": "KeepTaggedEC2StackTags", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": STACK_TAG_KEY},
                                           "Null": {"ec2:CreateAction": "true",
                                                    f"aws:ResourceTag/{STACK_TAG_KEY}": "false"}}}


def keep_ec2_tags() -> dict[str, Any]:
    """Deny ``DeleteTags`` without tag keys: it removes every user tag of the resource (EC2
    API Reference, DeleteTags, ``Tags``: "If you omit this parameter, we delete all
    user-defined tags"), the stack's tag with them, and ``aws:TagKeys`` is then absent, so
    ``KeepEC2StackTags`` would not see it. hashicorp/aws always names the keys it removes."""
    return {"Sid": "KeepEC2Tags", "Effect": "Deny", "Action": "ec2:DeleteTags", "Resource": "*",
            "Condition": {"Null": {"aws:TagKeys": "true"}}}


def launch_from_stack_templates(partition: str, account: str, region: str,
                                stack_tag: str | None = None, stack_vpcs: Any = None) -> list[dict[str, Any]]:
    """``ec2:RunInstances`` only from a launch template, and with ``stack_tag``, only from
    one of the stack's.

    A managed node group with a launch template is validated against the caller's right to
    launch from it: CreateNodegroup fails "InvalidRequestException: You are not authorized
    to launch instances with this launch template" without ``ec2:RunInstances``
    (aws-samples/terraform-eks-code#13, scylladb/scylla-cluster-tests#12172), and so does
    UpdateNodegroupVersion, so the apply role holds it rather than fail on AWS. The condition is the EC2 User
    Guide's "Require the use of a launch template" example (``ec2:LaunchTemplate``): no
    instance can be launched without a template of this account and region. With the
    stack's tag, the template itself must be the stack's (``aws:ResourceTag`` on the
    ``launch-template`` resource, a statement of its own: the instance, volumes and network
    interfaces a launch makes carry no tags yet); with ``stack_vpcs``, its subnets,
    security groups and network interfaces only in the stack's VPCs (``ec2:Vpc``, which those
    three take: Service Authorization Reference, RunInstances), where the stack's node
    groups run: not a host of the role's in another team's network."""
    templates = f"arn:{partition}:ec2:{region}:{account}:launch-template/*"
    from_template: dict[str, Any] = {"ArnLike": {"ec2:LaunchTemplate": templates},
                                     "StringEquals": {"aws:RequestedRegion": region}}
    if stack_vpcs:
        from_template["ArnEqualsIfExists"] = {"ec2:Vpc": stack_vpcs}
    if stack_tag is None:
        return [{"Sid": "LaunchFromThisAccountsTemplates", "Effect": "Allow", "Action": "ec2:RunInstances",
                 "Resource": "*", "Condition": from_template}]
    return [{"Sid": "LaunchFromThisStacksTemplates", "Effect": "Allow", "Action": "ec2:RunInstances",
             "Resource": templates, "Condition": {"StringEquals": {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag}}},
            {"Sid": "LaunchOnlyFromATemplate", "Effect": "Allow", "Action": "ec2:RunInstances",
             "NotResource": templates, "Condition": from_template}]
