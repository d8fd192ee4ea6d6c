"""Per-request cost of eksguard's EKS extension of moto: N DescribeCluster calls through
boto3 against an in-process ThreadedMotoServer, with or without ``moto_eks.install()``.
bench/harness_cycle.py runs each variant in its own process, since ``install()`` patches
moto for the life of the process.

Usage: .venv/bin/python bench/describe_overhead.py plain|extension [N]
Prints the median seconds of five timed batches of N calls, after a warm-up.
"""

from __future__ import annotations

import logging
import socket
import statistics
import sys
import time

BATCHES = 5
WARM_UP = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    variant = sys.argv[1]
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    if variant not in ("plain", "extension"):
        raise SystemExit(f"variant must be plain or extension, not {variant!r}")
    if variant == "extension":
        from eksguard.testing import moto_eks

        moto_eks.install()
    import boto3
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request to stderr even with verbose=False; that would time the log.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        eks = boto3.client("eks", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        eks.create_cluster(name="bench", roleArn="arn:aws:iam::123456789012:role/bench",
                           resourcesVpcConfig={"subnetIds": []})
        for _ in range(WARM_UP):  # first requests pay for botocore model loading and lazy imports
            eks.describe_cluster(name="bench")
        batches = []
        for _ in range(BATCHES):
            started = time.perf_counter()
            for _ in range(calls):
                eks.describe_cluster(name="bench")
            batches.append(time.perf_counter() - started)
        print(f"{statistics.median(batches):.4f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
