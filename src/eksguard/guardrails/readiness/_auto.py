"""What the readiness rules share about EKS Auto Mode clusters: whether a cluster is one,
and which node groups of the stack run beside its own nodes."""

from __future__ import annotations

from eksguard.guardrails._document import Block, Stack, first, is_token, is_true


def auto_mode(cluster: Block) -> bool | None:
    """Whether ``compute_config.enabled`` is true: EKS launches and runs the nodes itself
    (None when Terraform computes it)."""
    enabled = first(cluster.get("compute_config")).get("enabled")
    if is_token(enabled) or is_token(cluster.get("compute_config")):
        return None
    return is_true(enabled)


def node_groups(stack: Stack, cluster: Block) -> list[Block]:
    """The ``aws_eks_node_group`` blocks of the stack on ``cluster``."""
    return [g for g in stack.all("aws_eks_node_group") if stack.cluster(g.get("cluster_name")) is cluster]
