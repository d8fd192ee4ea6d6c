"""Launch templates for EKS nodes that require IMDSv2: ``Imdsv2LaunchTemplate``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import Token, aws, construct_path
from eksguard.guardrails import allow_reason, waive_by_prop
from eksguard.constructs._private import account_id, name_prefix_from_id, partition, policy_document

DEFAULT_HOP_LIMIT = 1
"""Pods (one network hop away) cannot reach the node's instance metadata, so they
cannot take the node role's credentials; use IRSA or Pod Identity instead."""

WORKLOADS_ON_NODE_CREDENTIALS_HOP_LIMIT = 2
"""For pods that still need the node's credentials; an explicit choice."""

DEFAULT_ROOT_VOLUME_SIZE_GIB = 50
DEFAULT_ROOT_VOLUME_TYPE = "gp3"
DEFAULT_ROOT_DEVICE_NAME = "/dev/xvda"
"""The root device of the AL2023 EKS AMIs; Bottlerocket's data volume is /dev/xvdb."""

BOTTLEROCKET_OS_DEVICE_NAME = "/dev/xvda"
BOTTLEROCKET_DATA_DEVICE_NAME = "/dev/xvdb"
"""Bottlerocket boots from a small OS volume (/dev/xvda) and keeps images and pod data on
/dev/xvdb (Bottlerocket docs, "Storage"): size and encryption settings belong there."""

VOLUME_TYPES = ("gp2", "gp3", "io1", "io2")
ALLOWED_HOP_LIMIT_ABOVE_TWO = (
    "1 (default) or 2; a larger hop limit lets containers reach instance metadata and takes the "
    'reason, allow_hop_limit_above_two="<why, at least 10 characters>", which is also the waiver '
    "of guardrail EKSG002 that the synth summary lists"
)
ALLOWED_DEVICE_NAME = "a device name such as '/dev/xvda'"
ALLOWED_OS_DEVICE_NAME = "a device name such as '/dev/xvda', other than root_device_name"


@documented
@dataclass(frozen=True, kw_only=True)
class Imdsv2LaunchTemplateProps:
    """Props of ``Imdsv2LaunchTemplate``. Every field is optional.

    Example::

        Imdsv2LaunchTemplateProps(root_volume_size_gib=100)
    """

    http_put_response_hop_limit: int = DEFAULT_HOP_LIMIT
    """IMDS hop limit; 2 keeps instance metadata reachable from pods. Default: 1."""

    allow_hop_limit_above_two: bool | str = False
    """The reason to accept a hop limit from 3 to 64 (at least 10 characters, e.g. "vendor
    agent in a container reads IMDS until v5"); it is also the waiver of guardrail EKSG002
    for this template, listed in the synth summary. ``True`` is deprecated (a waiver with no
    reason). Default: False — at most 2."""

    root_volume_size_gib: int = DEFAULT_ROOT_VOLUME_SIZE_GIB
    """Size of the encrypted root volume in GiB. Default: 50."""

    root_volume_type: str = DEFAULT_ROOT_VOLUME_TYPE
    """EBS volume type of the root volume. Default: "gp3"."""

    root_device_name: str = DEFAULT_ROOT_DEVICE_NAME
    """Device name of the root volume. Default: "/dev/xvda" (AL2023 and AL2 AMIs)."""

    os_device_name: str | None = None
    """A separate OS volume, encrypted with the same key and left at the AMI's size
    (Bottlerocket: "/dev/xvda", with ``root_device_name`` its data volume "/dev/xvdb").
    Default: None — one volume."""

    root_volume_kms_key_id: str | None = None
    """KMS key ARN for the root volume. A customer-managed key must let the Auto Scaling
    service-linked role use it, or instances terminate at launch with
    Client.InvalidKMSKey.InvalidState: create it with ``node_volume_key_policy(scope)``.
    Default: None — the account's default EBS key."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags put on the template and propagated to instances and volumes. Default: none."""


class Imdsv2LaunchTemplate(Construct):
    """A launch template whose instances require IMDSv2 session tokens.

    Example::

        template = Imdsv2LaunchTemplate(stack, "nodes-lt")
        template.launch_template_id, template.latest_version

    Properties: ``launch_template_id``, ``latest_version``. Its resource:
    ``launch_template`` (``aws_launch_template``).
    """

    def __init__(self, scope: Construct, id: str, *,
                 props: Imdsv2LaunchTemplateProps | None = None) -> None:
        super().__init__(scope, id)
        self.props = props = props or Imdsv2LaunchTemplateProps()
        _validate(construct_path(self), props)
        # The one decision that raises the hop limit also accepts guardrail EKSG002 for it.
        waive_by_prop(self, rule="EKSG002", props="Imdsv2LaunchTemplateProps", field="allow_hop_limit_above_two",
                      value=props.allow_hop_limit_above_two)

        tags = dict(props.tags)
        lt = aws.launch_template
        self.launch_template = lt.LaunchTemplate(
            self, "launch-template",
            name_prefix=name_prefix_from_id(self),
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": props.http_put_response_hop_limit,
                "instance_metadata_tags": "disabled",
            },
            # Lists of blocks need the binding's struct classes: jsii does not convert
            # snake_case dicts inside lists.
            block_device_mappings=[*([lt.LaunchTemplateBlockDeviceMappings(
                device_name=props.os_device_name,
                ebs=lt.LaunchTemplateBlockDeviceMappingsEbs(
                    volume_type=props.root_volume_type, encrypted="true", delete_on_termination="true",
                    kms_key_id=props.root_volume_kms_key_id),
            )] if props.os_device_name else []), lt.LaunchTemplateBlockDeviceMappings(
                device_name=props.root_device_name,
                ebs=lt.LaunchTemplateBlockDeviceMappingsEbs(
                    volume_size=props.root_volume_size_gib,
                    volume_type=props.root_volume_type,
                    encrypted="true",
                    delete_on_termination="true",
                    kms_key_id=props.root_volume_kms_key_id,
                ),
            )],
            tag_specifications=[
                lt.LaunchTemplateTagSpecifications(resource_type=kind, tags=tags)
                for kind in ("instance", "volume")
            ] if tags else None,
            tags=tags,
        )

    @property
    def launch_template_id(self) -> str:
        """The launch template's ID, known after apply."""
        return self.launch_template.id

    @property
    def latest_version(self) -> str:
        """The latest version number, as a string token."""
        return Token.as_string(self.launch_template.latest_version)


def _validate(path: str, props: Imdsv2LaunchTemplateProps) -> None:
    v.require_props(path, props, Imdsv2LaunchTemplateProps)
    v.require_int_range(path, "http_put_response_hop_limit", props.http_put_response_hop_limit, 1, 64)
    allowed = allow_reason(path, "allow_hop_limit_above_two", props.allow_hop_limit_above_two)
    if props.http_put_response_hop_limit > WORKLOADS_ON_NODE_CREDENTIALS_HOP_LIMIT and allowed is None:
        v.fail(path, "http_put_response_hop_limit", props.http_put_response_hop_limit,
               ALLOWED_HOP_LIMIT_ABOVE_TWO)
    v.require_int_range(path, "root_volume_size_gib", props.root_volume_size_gib, 1, 16384)
    v.require_one_of(path, "root_volume_type", props.root_volume_type, VOLUME_TYPES)
    if not props.root_device_name.startswith("/dev/"):
        v.fail(path, "root_device_name", props.root_device_name, ALLOWED_DEVICE_NAME)
    if props.os_device_name is not None and (not props.os_device_name.startswith("/dev/")
                                             or props.os_device_name == props.root_device_name):
        v.fail(path, "os_device_name", props.os_device_name, ALLOWED_OS_DEVICE_NAME)
    v.require_kms_key(path, "root_volume_kms_key_id", props.root_volume_kms_key_id)


def props_for_ami_type(ami_type: str) -> Imdsv2LaunchTemplateProps:
    """Default props with the device names of the AMI family: Bottlerocket's settings go on
    its data volume, and its OS volume is encrypted too."""
    if ami_type.startswith("BOTTLEROCKET"):
        return Imdsv2LaunchTemplateProps(root_device_name=BOTTLEROCKET_DATA_DEVICE_NAME,
                                         os_device_name=BOTTLEROCKET_OS_DEVICE_NAME)
    return Imdsv2LaunchTemplateProps()


def node_volume_key_policy(scope: Construct) -> str:
    """A KMS key policy for node volumes: the account administers the key, and the EC2 Auto
    Scaling service-linked role (which launches managed node groups' instances) may use it
    and create grants for EC2 (EC2 Auto Scaling User Guide, "Required AWS KMS key policy
    for use with encrypted volumes").

    Example::

        key = aws.kms_key.KmsKey(stack, "node-volumes", enable_key_rotation=True,
                                 policy=node_volume_key_policy(stack))
    """
    account = f"arn:{partition(scope)}:iam::{account_id(scope)}"
    autoscaling = f"{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    return policy_document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "AutoScalingUsesTheKey", "Effect": "Allow", "Principal": {"AWS": autoscaling},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "AutoScalingGrantsToEc2", "Effect": "Allow", "Principal": {"AWS": autoscaling},
         "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ])
