"""``python -m eksguard.testing.moto_eks [PORT]``: moto_server with eksguard's EKS extension."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.server import ThreadedMotoServer

    from eksguard.testing import moto_ec2, moto_eks

    moto_eks.install()
    moto_ec2.install()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"moto with eksguard's EKS extension on http://127.0.0.1:{port} (Ctrl-C stops it)", flush=True)
    try:
        server._thread.join()  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
