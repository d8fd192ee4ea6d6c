"""A journal of the embedded emulator's requests: which SDK call, which attempt, how it
ended. It is what shows a lost answer for what it is.

The AWS SDKs send two headers with every request: ``amz-sdk-invocation-id`` (one id per
operation, the same on every retry) and ``amz-sdk-request: attempt=N; max=M``. A create
answered "already exists" on attempt 2 of an invocation whose attempt 1 the journal shows
as answered, or as cut off, says exactly which side lost the answer.

A retry whose earlier attempt the server answered (with anything but a 5xx, which the SDK
retries by design) gets that answer again instead of running twice: the answer was lost
between this server and the SDK, which AWS's transport does not do, and running a create
twice turns it into "already exists" (``replayed`` marks it in the journal). That keeps
the emulator's transport out of what a test observes, while the journal keeps every such
loss visible.

Only the operation name is read from a request (the query-protocol ``Action`` field or the
JSON protocols' ``X-Amz-Target``, else the method and path): never a parameter value, which
may be a secret.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

ATTEMPT = re.compile(r"attempt=(\d+)")
SERVICE_IN_AUTHORIZATION = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")


@dataclass
class JournalEntry:
    """One request as the server saw it."""

    started: float
    operation: str
    service: str
    region: str
    invocation_id: str
    attempt: int
    status: int | None = None
    """The status the application answered; None while it runs or when it raised."""
    duration: float | None = None
    written: bool = False
    """Whether the whole answer was handed to the connection (False: it was cut off)."""
    error: str = ""
    replayed: bool = False
    """The answer of an earlier attempt, sent again rather than running the request twice."""

    def line(self) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(self.started))
        outcome = (f"{self.status}" if self.status is not None else "no answer") + (
            "" if self.written else " (answer not delivered)")
        took = f"{self.duration:.2f}s" if self.duration is not None else "running"
        error = f" {self.error}" if self.error else ""
        replayed = " (the earlier attempt's answer, replayed)" if self.replayed else ""
        return (f"{clock} {self.service}:{self.operation} {self.region} invocation "
                f"{self.invocation_id or '-'} attempt {self.attempt}: {outcome} in {took}{error}{replayed}")


class RequestJournal:
    """WSGI middleware keeping the newest ``keep`` requests.

    Example::

        journal = RequestJournal(app)
        journal.retries()  # every invocation that needed a second attempt, with its attempts
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], keep: int = 5000, answers: int = 500) -> None:
        self._app = app
        self._entries: deque[JournalEntry] = deque(maxlen=keep)
        self._answers: OrderedDict[str, tuple[str, list[Any], list[bytes]]] = OrderedDict()
        self._keep_answers = answers
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        entry = self._entry(environ)
        with self._lock:
            self._entries.append(entry)
            earlier = self._answers.get(entry.invocation_id) if entry.attempt > 1 else None
        clock = time.monotonic()
        if earlier is not None:
            status, headers, body = earlier
            entry.status, entry.replayed, entry.duration = int(status.split(" ", 1)[0]), True, 0.0
            start_response(status, headers)
            return _Delivered(body, entry)
        answered: list[Any] = []

        def recording_start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            entry.status = int(status.split(" ", 1)[0])
            answered[:] = [status, list(headers)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            body = list(self._app(environ, recording_start_response))
        except BaseException as error:
            entry.error = type(error).__name__
            entry.duration = time.monotonic() - clock
            raise
        entry.duration = time.monotonic() - clock
        if entry.invocation_id and answered and entry.status is not None and entry.status < 500:
            with self._lock:
                self._answers[entry.invocation_id] = (answered[0], answered[1], body)
                while len(self._answers) > self._keep_answers:
                    self._answers.popitem(last=False)
        return _Delivered(body, entry)

    def forget_answers(self) -> None:
        """Drop the answers kept for replay (the emulator's state was reset)."""
        with self._lock:
            self._answers.clear()

    def replays(self) -> list[JournalEntry]:
        return [entry for entry in self.entries() if entry.replayed]

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def retries(self) -> list[list[JournalEntry]]:
        """Every invocation with more than one attempt in the journal: its attempts, in order."""
        by_invocation: dict[str, list[JournalEntry]] = {}
        for entry in self.entries():
            if entry.invocation_id:
                by_invocation.setdefault(entry.invocation_id, []).append(entry)
        return [attempts for attempts in by_invocation.values()
                if len(attempts) > 1 or attempts[0].attempt > 1]

    def undelivered(self) -> list[JournalEntry]:
        return [entry for entry in self.entries() if entry.duration is not None and not entry.written]

    def _entry(self, environ: dict[str, Any]) -> JournalEntry:
        service, region = "", ""
        credential = SERVICE_IN_AUTHORIZATION.search(environ.get("HTTP_AUTHORIZATION", ""))
        if credential:
            region, service = credential.group(1), credential.group(2)
        attempt = ATTEMPT.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        return JournalEntry(
            started=time.time(), operation=_operation(environ), service=service, region=region,
            invocation_id=environ.get("HTTP_AMZ_SDK_INVOCATION_ID", ""),
            attempt=int(attempt.group(1)) if attempt else 1)


class _Delivered:
    """The answer's body, marking its entry written once the server has sent all of it
    (werkzeug closes the iterable after the last write; an exception before that — a
    connection the client dropped — leaves ``written`` False)."""

    def __init__(self, body: list[bytes], entry: JournalEntry) -> None:
        self._body = body
        self._entry = entry
        self._sent = 0

    def __iter__(self):  # noqa: ANN204 - a generator
        for chunk in self._body:
            yield chunk
            self._sent += 1

    def close(self) -> None:
        self._entry.written = self._sent == len(self._body)


def _operation(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if environ.get("REQUEST_METHOD") == "POST" and environ.get(
            "CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action")
            if action:
                return action[0]
    query_action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if query_action:
        return query_action[0]
    return f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"
