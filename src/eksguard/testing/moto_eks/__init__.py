"""eksguard's EKS extension of moto: the EKS operations moto 5.2 lacks, served the way
AWS serves them, and corrections to the ones it has.

moto 5.2.5 (its latest release) has no EKS access entries, Pod Identity associations or
add-ons, no cluster ``accessConfig`` and no DescribeUpdate, so a stack using them could not
be deployed, and its re-plan could not be checked. This package adds them to moto's own
EKS backend — same routing, same request parsing and response serialisation through
botocore's EKS model — and enforces AWS's rules with AWS's error codes (``rules``), so a
stack AWS would refuse fails here too.

EKS Auto Mode is served as AWS serves it: CreateCluster and UpdateClusterConfig keep
``computeConfig``, ``storageConfig`` and ``kubernetesNetworkConfig.elasticLoadBalancing``
and DescribeCluster returns them (with ``serviceIpv4Cidr`` and ``ipFamily``; a cluster that
never had Auto Mode reports none of the three, as on AWS); AWS's Auto Mode rules are
enforced (the three capabilities on or off together, built-in node pools only, node pools
and node role together, an existing node role that cannot change once compute is on, API
authentication, Kubernetes 1.29+, no self-managed add-ons, no switching off where it was
never on); and EKS's own access entry for the node role of the built-in node pools (type
``EC2``, ``AmazonEKSAutoNodePolicy`` at cluster scope) is made at CreateCluster, or when
Auto Mode is switched on later, and goes with the cluster. Access entries of type ``EC2``
(custom NodeClasses) can be created and take access policies. moto's own managed-policy
set already holds the Auto Mode IAM policies (AmazonEKSComputePolicy,
AmazonEKSBlockStoragePolicy, AmazonEKSLoadBalancingPolicy, AmazonEKSNetworkingPolicy,
AmazonEKSWorkerNodeMinimalPolicy, AmazonEC2ContainerRegistryPullOnly), so nothing is added
there.

Still missing (``MISSING``): Auto Mode's NodeClass / NodePool objects (Kubernetes, not the
EKS API), the Auto Mode cluster policies' service-linked role
(``AWSServiceRoleForAmazonEKS``), ``HYPERPOD_LINUX`` access entries, hybrid nodes'
``remoteNetworkConfig`` rules, and any check of the cluster role's attached policies
(the emulator does not look at what the cluster role may do).

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

AUTO_MODE = ("CreateCluster", "UpdateClusterConfig", "DescribeCluster", "CreateAccessEntry",
             "AssociateAccessPolicy")
"""Operations whose EKS Auto Mode behaviour the extension adds: the three Auto Mode blocks
and their rules, the node role's EC2 access entry, and ``EC2`` access entries."""

MISSING = (
    "Auto Mode NodeClass / NodePool objects (Kubernetes resources, not EKS API calls)",
    "the EKS service-linked role the Auto Mode cluster access policies are for",
    "HYPERPOD_LINUX access entries",
    "hybrid nodes' remoteNetworkConfig rules",
    "any check of the cluster role's attached policies",
)
"""What eksguard's EKS extension still does not serve, that a stack might meet."""

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
