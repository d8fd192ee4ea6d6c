"""The cluster's IAM OIDC identity provider, which IRSA roles trust: ``ClusterOidcProvider``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import Fn, TerraformLocal, aws, construct_path

STS_AUDIENCE = "sts.amazonaws.com"
"""The audience EKS pod identity webhook tokens carry for IRSA."""

_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")
ALLOWED_THUMBPRINT = "a 40-character hexadecimal SHA-1 thumbprint"


@documented
@dataclass(frozen=True, kw_only=True)
class ClusterOidcProviderProps:
    """Props of ``ClusterOidcProvider``.

    Example::

        ClusterOidcProviderProps(issuer_url=cluster.oidc_issuer_url)
    """

    issuer_url: str
    """The cluster's OIDC issuer URL (``EksCluster.oidc_issuer_url``)."""

    client_ids: Sequence[str] = (STS_AUDIENCE,)
    """Audiences the provider accepts. Default: ("sts.amazonaws.com",)."""

    thumbprints: Sequence[str] = ()
    """Server certificate thumbprints. Default: () — IAM trusts EKS issuers through its
    own root CAs; AWS provider 5.81 and later (and 6.x) accept an empty list (earlier 5.x
    require thumbprint_list)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the provider. Default: none."""


class ClusterOidcProvider(EksguardConstruct):
    """An ``aws_iam_openid_connect_provider`` for an EKS cluster's issuer.

    ``issuer_host`` is the issuer without ``https://``: the prefix of the ``:sub`` and
    ``:aud`` condition keys in IRSA trust policies.

    Example::

        oidc = ClusterOidcProvider(stack, "oidc", props=ClusterOidcProviderProps(
            issuer_url=cluster.oidc_issuer_url))

    Properties: ``provider_arn``, ``issuer_host``. Its resource: ``provider``
    (``aws_iam_openid_connect_provider``).
    """

    def __init__(self, scope: Construct, id: str, *, props: ClusterOidcProviderProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        v.require_props(path, props, ClusterOidcProviderProps)
        v.require_non_empty(path, "client_ids", props.client_ids)
        for thumbprint in props.thumbprints:
            v.require_match(path, "thumbprints", thumbprint, _THUMBPRINT, ALLOWED_THUMBPRINT)

        self.provider = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
            self, "provider",
            url=props.issuer_url,
            client_id_list=list(props.client_ids),
            thumbprint_list=list(props.thumbprints) or None,
            tags=dict(props.tags),
        )
        # A local keeps the quoted arguments of replace() out of the JSON trust documents.
        self._issuer_host = TerraformLocal(
            self, "issuer-host", Fn.replace(props.issuer_url, "https://", ""))

    @property
    def provider_arn(self) -> str:
        """The provider's ARN, the ``Federated`` principal of IRSA trust policies."""
        return self.provider.arn

    @property
    def issuer_host(self) -> str:
        """``oidc.eks.<region>.amazonaws.com/id/<id>``, as a Terraform reference."""
        return self._issuer_host.as_string
