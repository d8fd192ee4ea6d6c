"""eksguard's EKS extension of moto: the EKS operations moto 5.2 lacks, served the way
AWS serves them, and corrections to the ones it has.

moto 5.2.5 (its latest release) has no EKS access entries, Pod Identity associations or
add-ons, no cluster ``accessConfig`` and no DescribeUpdate, so a stack using them could not
be deployed, and its re-plan could not be checked. This package adds them to moto's own
EKS backend — same routing, same request parsing and response serialisation through
botocore's EKS model — and enforces AWS's rules with AWS's error codes (``rules``), so a
stack AWS would refuse fails here too.

- ``catalog``: Kubernetes and add-on versions, add-on service accounts, access policies.
- ``rules``: AWS's checks, each citing its AWS document.
- ``models``: the added state (kept on moto's cluster objects) and operations.
- ``responses``: the added HTTP operations.
- ``patches``: corrections to moto's clusters and node groups.

``install()`` is idempotent; the harness calls it before starting the embedded moto.
Run a standalone server with the extension: ``python -m eksguard.testing.moto_eks [PORT]``.
"""

from __future__ import annotations

SERVED = {
    "access entries": ("CreateAccessEntry", "DescribeAccessEntry", "ListAccessEntries", "UpdateAccessEntry",
                       "DeleteAccessEntry"),
    "access policies": ("AssociateAccessPolicy", "DisassociateAccessPolicy", "ListAssociatedAccessPolicies",
                        "ListAccessPolicies"),
    "Pod Identity": ("CreatePodIdentityAssociation", "DescribePodIdentityAssociation",
                     "ListPodIdentityAssociations", "UpdatePodIdentityAssociation",
                     "DeletePodIdentityAssociation"),
    "add-ons": ("CreateAddon", "DescribeAddon", "ListAddons", "UpdateAddon", "DeleteAddon",
                "DescribeAddonVersions", "DescribeAddonConfiguration"),
    "updates": ("UpdateClusterConfig", "UpdateClusterVersion", "UpdateNodegroupVersion", "DescribeUpdate",
                "ListUpdates"),
}
"""Operations the extension adds or replaces, by family."""

_INSTALLED = False


def install() -> None:
    """Extend moto's EKS, once per process. Call before the moto server handles a request."""
    global _INSTALLED
    if _INSTALLED:
        return
    from eksguard.testing.moto_eks import patches, responses

    patches.install()
    responses.install()
    _INSTALLED = True
