"""AWS emulators the harness deploys to, and what each of them serves.

The embedded default is a moto server on 127.0.0.1 in this process. LocalStack, or any
AWS-compatible URL, is used as a remote endpoint. Capabilities are probed at start; the
table ``KNOWN_GAPS`` gives the reason shown when a test needs what is missing.
"""

from __future__ import annotations

import logging
import re
import time
import os
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eksguard.errors import EmulatorUnavailableError
from eksguard.testing.request_journal import RequestJournal

TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
DEPLOYMENT_ROLE = "eksguard-deployment"
"""The role an isolated deployment's credentials are a session of, in its own account."""
FIRST_ISOLATED_ACCOUNT = 100_000_000_001
"""The first account id an isolated deployment gets (moto's default account is 123456789012)."""
PROBE_CLUSTER = "eksguard-capability-probe"

KNOWN_GAPS: dict[str, dict[str, str]] = {
    # The embedded moto serves every capability here through eksguard's EKS extension
    # (``eksguard.testing.moto_eks``); a moto_server started without it lacks these.
    "moto": {
        "eks:access-entries": "moto without eksguard's EKS extension has no EKS access entries",
        "eks:pod-identity-associations": "moto without eksguard's EKS extension has no Pod Identity associations",
        "eks:addons": "moto without eksguard's EKS extension has no EKS add-ons",
    },
    "localstack": {
        "eks": "LocalStack serves EKS only with a paid licence",
        "eks:access-entries": "LocalStack serves EKS only with a paid licence",
        "eks:pod-identity-associations": "LocalStack serves EKS only with a paid licence",
        "eks:addons": "LocalStack serves EKS only with a paid licence",
    },
}
"""Why a capability is missing, per emulator: the skip reason tests show."""

RESOURCE_CAPABILITIES = {
    "aws_eks_cluster": "eks",
    "aws_eks_node_group": "eks",
    "aws_eks_access_entry": "eks:access-entries",
    "aws_eks_access_policy_association": "eks:access-entries",
    "aws_eks_pod_identity_association": "eks:pod-identity-associations",
    "aws_eks_addon": "eks:addons",
}
"""The capability an emulator needs to create a resource type."""


def _not_found_means_served(call: Callable[[Any], Any], service: str) -> Callable[[Emulator], bool]:
    """A probe calling an API about a cluster that does not exist: a not-found answer
    shows the API is implemented; anything else shows it is not."""
    def probe(emulator: Emulator) -> bool:
        from botocore.exceptions import ClientError

        try:
            call(emulator.client(service))
        except ClientError as error:
            return error.response.get("Error", {}).get("Code") == "ResourceNotFoundException"
        except Exception:  # noqa: BLE001 - an emulator that crashes does not serve it
            return False
        return True
    return probe


def _answers(call: Callable[[Any], Any], service: str) -> Callable[[Emulator], bool]:
    def probe(emulator: Emulator) -> bool:
        try:
            call(emulator.client(service))
        except Exception:  # noqa: BLE001 - any failure means not served
            return False
        return True
    return probe


PROBES: dict[str, Callable[[Emulator], bool]] = {
    "sts": _answers(lambda c: c.get_caller_identity(), "sts"),
    "iam": _answers(lambda c: c.list_roles(MaxItems=1), "iam"),
    "ec2": _answers(lambda c: c.describe_vpcs(MaxResults=5), "ec2"),
    "kms": _answers(lambda c: c.list_keys(Limit=1), "kms"),
    "logs": _answers(lambda c: c.describe_log_groups(limit=1), "logs"),
    "eks": _answers(lambda c: c.list_clusters(maxResults=1), "eks"),
    "eks:access-entries": _not_found_means_served(
        lambda c: c.list_access_entries(clusterName=PROBE_CLUSTER), "eks"),
    "eks:pod-identity-associations": _not_found_means_served(
        lambda c: c.list_pod_identity_associations(clusterName=PROBE_CLUSTER), "eks"),
    "eks:addons": _not_found_means_served(lambda c: c.list_addons(clusterName=PROBE_CLUSTER), "eks"),
}


@dataclass
class Emulator:
    """A reachable AWS emulator: its endpoint, what it serves and boto3 clients for it.

    Example::

        emulator.client("iam").get_role(RoleName="x")
        emulator.missing("eks:addons")  # the reason, or None when served
    """

    name: str
    endpoint: str
    region: str
    served: dict[str, bool] = field(default_factory=dict)
    deployed_regions: set[str] = field(default_factory=set)
    """Every region the session's deployments named in their AWS providers: what
    ``read_inventory(emulator.client)`` reads beside ``region``."""
    live: dict[int, str] = field(default_factory=dict)
    """The deployments applied and not yet torn down, by ``id()``: their stacks' names. A
    reset teardown forgets everything, so it runs only where no other one is live."""
    accounts: dict[str, dict[str, str]] = field(default_factory=dict)
    """The accounts of the session's isolated deployments (``isolation = "account"``), each
    with its credentials as boto3 keyword arguments: what ``read_inventory(emulator.client)``
    reads beside the default account."""
    _stop: Callable[[], None] | None = None
    _errors: ServerErrors | None = None
    journal: RequestJournal | None = None
    """The embedded server's requests with their SDK invocation ids and attempts (None
    for a remote emulator)."""

    def server_errors(self) -> list[str]:
        """What the embedded server logged as failing (5xx answers, exceptions, SDK
        retries with every attempt of the operation, answers not delivered), newest last;
        empty for a remote emulator, whose log is its own."""
        lines = list(self._errors.lines) if self._errors is not None else []
        if self.journal is not None:
            for attempts in self.journal.retries():
                lines.append("retried by the SDK: " + "; ".join(entry.line() for entry in attempts))
            lines.extend(f"not delivered: {entry.line()}" for entry in self.journal.undelivered())
        return lines

    def client(self, service: str, region: str | None = None, account: str | None = None) -> Any:
        """A boto3 client for ``service`` in ``region`` (default: the emulator's own; a
        deployment's ``client`` is bound to its stack's region) and ``account`` (default:
        the emulator's own; an isolated deployment's is in ``accounts``)."""
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint, region_name=region or self.region,
                            **self.credentials(account))

    def credentials(self, account: str | None) -> dict[str, str]:
        """boto3 keyword arguments for ``account`` (None: the emulator's own)."""
        if account is None:
            return dict(TEST_CREDENTIALS)
        if account not in self.accounts:
            raise KeyError(f"eksguard: no isolated deployment had account {account}; these did: "
                           f"{', '.join(self.accounts) or 'none'}")
        return dict(self.accounts[account])

    def new_account(self) -> str:
        """An account of its own for one deployment, and credentials in it: a session of
        ``DEPLOYMENT_ROLE`` there, from STS AssumeRole (moto keeps each account's resources
        apart, and maps the session's access key to the account)."""
        if self.name != "moto":
            raise NotImplementedError(f"isolation 'account' needs moto; {self.name} keeps one account")
        account = f"{FIRST_ISOLATED_ACCOUNT + len(self.accounts):012d}"
        sts = self.client("sts")
        session = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{DEPLOYMENT_ROLE}",
                                  RoleSessionName="eksguard-deployment")["Credentials"]
        self.accounts[account] = {"aws_access_key_id": session["AccessKeyId"],
                                  "aws_secret_access_key": session["SecretAccessKey"],
                                  "aws_session_token": session["SessionToken"]}
        return account

    def inventory_accounts(self) -> tuple[str | None, ...]:
        """What ``read_inventory`` reads through this emulator's clients: its own account
        first (None), then every isolated deployment's."""
        return (None, *self.accounts)

    def inventory_regions(self) -> tuple[str, ...]:
        """What ``read_inventory`` reads through this emulator's clients: its own region
        first, then every region a deployment of the session named."""
        return tuple(dict.fromkeys([self.region, *sorted(self.deployed_regions)]))

    def probe(self) -> Emulator:
        self.served = {capability: probe(self) for capability, probe in PROBES.items()}
        return self

    def missing(self, capability: str) -> str | None:
        """Why ``capability`` is not served here, or None when it is."""
        if self.served.get(capability, False):
            return None
        return KNOWN_GAPS.get(self.name, {}).get(
            capability, f"{self.name} at {self.endpoint} does not serve {capability}")

    def unserved(self, addresses: list[str]) -> dict[str, str]:
        """Address -> reason, for the resources this emulator cannot create."""
        found = {}
        for address in addresses:
            capability = RESOURCE_CAPABILITIES.get(address.split(".", 1)[0])
            reason = self.missing(capability) if capability else None
            if reason:
                found[address] = f"{capability}: {reason}"
        return found

    def reset(self) -> None:
        """Forget everything the emulator holds (moto only)."""
        if self.name != "moto":
            raise NotImplementedError(f"teardown 'reset' needs moto; {self.name} cannot be reset")
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30).close()
        from eksguard.testing import moto_ec2

        moto_ec2.forget_tokens()  # the embedded server's idempotency results go with its state
        if self.journal is not None:
            self.journal.forget_answers()

    def reset_account(self, account: str) -> None:
        """Forget what ``account`` holds, and nothing of any other account: an isolated
        deployment's teardown beside others (the embedded moto only: it is this process's)."""
        if self.name != "moto" or self.journal is None:
            raise NotImplementedError(f"resetting one account needs the embedded moto, not {self.endpoint}")
        from moto.core.base_backend import BackendDict, backend_lock

        from eksguard.testing import moto_ec2

        with backend_lock:
            for backends in list(BackendDict._instances):
                if account in backends:
                    backends[account].reset()
                    del backends[account]
        moto_ec2.forget_tokens(account)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()


class ServerErrors(logging.Filter):
    """Keeps the embedded server's failures, so that a failed deployment can show what
    the emulator answered: an SDK retry after a 5xx or a dropped connection, for one,
    turns a create into a puzzling "already exists". As a filter on werkzeug's logger it
    sees every request line and lets only warnings and errors on (one line per request
    otherwise)."""

    def __init__(self, keep: int = 50) -> None:
        super().__init__()
        self.lines: deque[str] = deque(maxlen=keep)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or SERVER_ERROR_STATUS.search(message):
            self.lines.append(f"{time.strftime('%H:%M:%S')} {message}")
        return record.levelno >= logging.WARNING


SERVER_ERROR_STATUS = re.compile(r'" 5\d\d ')
"""werkzeug's request line for an answer with a 5xx status."""


def start_moto(region: str) -> Emulator:
    """Start moto's threaded server on a free port of 127.0.0.1, with AWS managed
    policies loaded and eksguard's EKS extension (``moto_eks``) installed."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    try:
        from moto.server import ThreadedMotoServer

        from eksguard.testing import moto_ec2, moto_eks
    except ImportError as error:
        raise EmulatorUnavailableError(
            "the embedded emulator needs moto: pip install 'eksguard[testing]' "
            f"(or 'moto[server]>=5.2'); import failed: {error}") from error
    moto_eks.install()
    moto_ec2.install()
    errors = _capture_server_errors()
    server = _JournaledMotoServer(ThreadedMotoServer)(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return Emulator(name="moto", endpoint=f"http://{host}:{port}", region=region,
                    _stop=server.stop, _errors=errors, journal=server.journal).probe()


def _JournaledMotoServer(base: type) -> type:  # noqa: N802 - a class factory
    """moto's ThreadedMotoServer with its WSGI application wrapped in a RequestJournal."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class JournaledMotoServer(base):  # type: ignore[misc, valid-type]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.journal = RequestJournal(DomainDispatcherApplication(create_backend_app))

        def _server_entry(self) -> None:
            self._server = make_server(self._ip_address, self._port, self.journal, True,
                                       request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return JournaledMotoServer


def _capture_server_errors() -> ServerErrors:
    """One filter on werkzeug's logger for the process, which sees its request lines."""
    logger = logging.getLogger("werkzeug")
    for existing in logger.filters:
        if isinstance(existing, ServerErrors):
            return existing
    errors = ServerErrors()
    logger.addFilter(errors)
    logger.setLevel(logging.INFO)
    return errors


def connect(name: str, endpoint: str, region: str, timeout: float = 10.0) -> Emulator:
    """Use a running emulator at ``endpoint``; fail clearly when it does not answer.

    An endpoint that serves ``/_localstack/health`` is LocalStack, whatever ``name`` says.
    """
    endpoint = endpoint.rstrip("/")
    health = f"{endpoint}/_localstack/health"
    try:
        urllib.request.urlopen(health, timeout=timeout).close()
        name = "localstack"
    except urllib.error.HTTPError:
        pass  # it answers HTTP, just not as LocalStack
    except (urllib.error.URLError, OSError) as error:
        raise EmulatorUnavailableError(
            f"no AWS emulator answers at {endpoint} (checked {health}: {error}). Fix: start it "
            "(LocalStack: `localstack start`, or scripts/localstack-core.sh for the Docker-free "
            "localstack-core), or point --eksguard-emulator / LOCALSTACK_ENDPOINT at it."
        ) from error
    return Emulator(name=name, endpoint=endpoint, region=region).probe()
