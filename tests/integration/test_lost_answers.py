"""A lost answer, as it happened in CI: the emulator ran a create and answered, the answer
never reached the AWS SDK for Go, and the SDK retried the create, which then failed
"already exists" (EntityAlreadyExists, InvalidRoute.NotFound). Here the connection is cut
for real after the emulator has answered a CreateRole; the retry is answered with the
first attempt's answer (``eksguard.testing.request_journal``), so the apply succeeds with
one role, and the journal shows both attempts."""

from __future__ import annotations

import socket

import pytest

from eksguard._framework import TerraformOutput, TerraformStack, aws

pytestmark = pytest.mark.eksguard_integration

TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
         '"Action":"sts:AssumeRole"}]}')


class OneRole(TerraformStack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(self, "role", name_prefix="lost-answer-", assume_role_policy=TRUST)
        TerraformOutput(self, "role_name", value=role.name)


@pytest.fixture
def first_create_role_answer_lost(aws_emulator, monkeypatch):
    """The first CreateRole runs and is answered, then its connection is cut before the
    answer leaves: what a lost answer is, seen from the SDK."""
    journal = aws_emulator.journal
    inner, cut = journal._app, []

    def cutting(environ, start_response):
        body = list(inner(environ, start_response))
        if not cut and b"Action=CreateRole" in environ["wsgi.input"].getvalue():
            cut.append(environ.get("HTTP_AMZ_SDK_INVOCATION_ID"))
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        return body

    monkeypatch.setattr(journal, "_app", cutting)
    return cut


def test_a_create_whose_answer_was_lost_is_answered_again_not_run_twice(
        first_create_role_answer_lost, aws_emulator, synth_stack, deploy_stack):
    # GIVEN the first CreateRole's answer lost WHEN a stack with one role is applied
    deployment = deploy_stack(synth_stack(lambda app: OneRole(app, "lost-answer")))
    # THEN the apply succeeded with exactly one role
    name = deployment.outputs["role_name"]
    roles = [r["RoleName"] for r in aws_emulator.client("iam").list_roles()["Roles"]
             if r["RoleName"].startswith("lost-answer-")]
    assert roles == [name]
    # AND the journal shows the SDK's retry of that invocation, answered by replay
    [invocation] = first_create_role_answer_lost
    attempts = [e for e in aws_emulator.journal.entries() if e.invocation_id == invocation]
    assert [(e.operation, e.attempt, e.status, e.written, e.replayed) for e in attempts] == [
        ("CreateRole", 1, 200, False, False), ("CreateRole", 2, 200, True, True)]
    assert any(line.startswith("retried by the SDK: ") and invocation in line
               for line in aws_emulator.server_errors())


def test_a_retry_after_a_server_error_runs_again():
    # GIVEN a request the emulator answered 5xx (the SDK retries those by design)
    from eksguard.testing.request_journal import RequestJournal

    calls = []

    def failing_once(environ, start_response):
        calls.append(1)
        if len(calls) == 1:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"boom"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    journal = RequestJournal(failing_once)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_AMZ_SDK_INVOCATION_ID": "i-1"}
    statuses = []
    for attempt in (1, 2):
        answer = journal({**environ, "HTTP_AMZ_SDK_REQUEST": f"attempt={attempt}; max=3"},
                         lambda status, headers: statuses.append(status))
        list(answer)
        answer.close()
    # THEN the retry ran (not replayed) and was answered 200
    assert (len(calls), statuses) == (2, ["500 Internal Server Error", "200 OK"])
    assert [e.replayed for e in journal.entries()] == [False, False]
