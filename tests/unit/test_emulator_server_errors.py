"""The embedded emulator keeps what its server answered as a failure, for the report of
a failed deployment (an SDK retry after a 5xx turns a create into "already exists")."""

from __future__ import annotations

import logging

from eksguard.testing.emulator import ServerErrors


def _record(level: int, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", level, __file__, 1, message, args, None)


def test_only_5xx_answers_and_errors_are_kept_newest_last() -> None:
    # GIVEN the filter werkzeug's request lines pass
    errors = ServerErrors(keep=2)

    # WHEN the server answers 200, 409, 500, logs an exception and answers 503
    passed = [errors.filter(_record(logging.INFO, '"%s" %s %s', "POST / HTTP/1.1", 200, "-")),
              errors.filter(_record(logging.INFO, '"%s" %s %s', "POST / HTTP/1.1", 409, "-")),
              errors.filter(_record(logging.INFO, '"%s" %s %s', "POST / HTTP/1.1", 500, "-")),
              errors.filter(_record(logging.ERROR, "Error on request:\n%s", "Traceback ...")),
              errors.filter(_record(logging.INFO, '"%s" %s %s', "POST / HTTP/1.1", 503, "-"))]

    # THEN only the last two failures are kept, without the clock prefix they differ in
    assert [line.split(" ", 1)[1] for line in errors.lines] == [
        "Error on request:\nTraceback ...", '"POST / HTTP/1.1" 503 -']
    # AND only the error goes on to the log (a request line per call otherwise)
    assert passed == [False, False, False, True, False]
