"""Properties of the input layer, over generated inputs (Hypothesis).

Each example builds in its own App and output folder (``fresh_stack``): Hypothesis runs
many examples in one test call, and function-scoped fixtures such as ``stack`` would be
shared between them. Example counts stay modest since every construct starts jsii objects.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eksguard import (
    AccessEntry,
    AccessEntryOptions,
    AccessEntryProps,
    AccessPolicy,
    AccessPolicyGrant,
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EksCluster,
    EksClusterProps,
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    NodeRole,
    NodeRoleProps,
    SecureEksCluster,
    SecureEksClusterProps,
    ValidationError,
)
from eksguard import _validation as v
from eksguard._framework import App, TerraformStack
from eksguard.modules import secure_cluster as secure_module

EXAMPLES = settings(max_examples=50, deadline=None, database=None)

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"]
ROLE = "arn:aws:iam::111122223333:role/viewers"


@contextlib.contextmanager
def fresh_stack() -> Iterator[Any]:
    """A stack in a new App and folder; after the block, nothing may have been written."""
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "cdktf.out"
        yield TerraformStack(App(outdir=str(outdir)), "test")
        assert [p for p in outdir.rglob("*") if p.is_file()] == []


def _refused(build: Callable[[Any], object]) -> ValidationError:
    with fresh_stack() as stack, pytest.raises(ValidationError) as caught:
        build(stack)
    return caught.value


# Where a Sequence is declared: (construct path, field, build(stack, value)).
SEQUENCE_FIELDS: list[tuple[str, str, Callable[[Any, Any], object]]] = [
    ("test/eks", "subnet_ids",
     lambda s, x: EksCluster(s, "eks", props=EksClusterProps(name="prod", subnet_ids=x))),
    ("test/eks", "security_group_ids", lambda s, x: EksCluster(s, "eks", props=EksClusterProps(
        name="prod", subnet_ids=SUBNETS, security_group_ids=x))),
    ("test/ng", "instance_types", lambda s, x: ManagedNodeGroup(s, "ng", props=ManagedNodeGroupProps(
        cluster_name="prod", subnet_ids=SUBNETS, instance_types=x))),
    ("test/eks", "node_groups['general'].subnet_ids",
     lambda s, x: SecureEksCluster(s, "eks", props=SecureEksClusterProps(
         cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
         node_groups={"general": ManagedNodeGroupOptions(subnet_ids=x)}))),
    ("test/viewers", "grants[0].namespaces", lambda s, x: AccessEntry(s, "viewers", props=AccessEntryProps(
        cluster_name="prod", principal_arn=ROLE,
        grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace", namespaces=x)]))),
    ("test/nodes", "managed_policy_arns",
     lambda s, x: NodeRole(s, "nodes", props=NodeRoleProps(managed_policy_arns=x))),
    ("test/oidc", "client_ids", lambda s, x: ClusterOidcProvider(s, "oidc", props=ClusterOidcProviderProps(
        issuer_url="https://oidc.example", client_ids=x))),
]


@EXAMPLES
@given(case=st.sampled_from(SEQUENCE_FIELDS), text=st.one_of(st.text(), st.binary()))
def test_any_text_where_a_list_is_declared_is_refused_whole(case, text):
    # GIVEN any string (or bytes) where a list is declared / WHEN the construct is built
    path, field, build = case
    error = _refused(lambda stack: build(stack, text))
    # THEN it is refused, quoted whole, and nothing is synthesized (fresh_stack)
    assert (error.path, error.field, error.value) == (path, field, text)
    assert error.allowed == v.ALLOWED_LIST_NOT_STRING.format(value=text)


SUBNET_ID = st.from_regex(r"subnet-[0-9a-f]{8,17}", fullmatch=True)
SUBNET_LISTS: list[tuple[str, Callable[[Any, Any], object]]] = [
    ("test/eks", lambda s, x: EksCluster(s, "eks", props=EksClusterProps(name="prod", subnet_ids=x))),
    ("test/ng", lambda s, x: ManagedNodeGroup(s, "ng", props=ManagedNodeGroupProps(
        cluster_name="prod", subnet_ids=x))),
]


@EXAMPLES
@given(case=st.sampled_from(SUBNET_LISTS), ids=st.lists(SUBNET_ID, min_size=1, max_size=5, unique=True),
       data=st.data())
def test_any_valid_subnet_list_with_a_duplicate_is_refused(case, ids, data):
    # GIVEN well-formed subnet IDs, one of them given twice
    path, build = case
    repeated = data.draw(st.sampled_from(ids))
    position = data.draw(st.integers(min_value=0, max_value=len(ids)))
    given_ids = [*ids[:position], repeated, *ids[position:]]
    # WHEN built / THEN refused with the list as given
    error = _refused(lambda stack: build(stack, given_ids))
    assert (error.path, error.field, error.value) == (path, "subnet_ids", given_ids)
    assert error.allowed == v.ALLOWED_UNIQUE.format(repeated=repeated)


@EXAMPLES
@given(ids=st.lists(SUBNET_ID, min_size=2, max_size=5, unique=True))
def test_any_list_of_distinct_valid_subnets_builds(ids):
    with fresh_stack() as stack:
        cluster = EksCluster(stack, "eks", props=EksClusterProps(name="prod", subnet_ids=ids))
    assert cluster.props.subnet_ids == ids


ACTION = st.from_regex(r"[a-z0-9-]{2,12}:[A-Za-z*]{1,20}", fullmatch=True)


@st.composite
def statements(draw: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": draw(st.sampled_from(v.POLICY_EFFECTS)),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            st.one_of(ACTION, st.lists(ACTION, min_size=1, max_size=3))),
    }
    if draw(st.booleans()):
        statement["Resource"] = draw(st.sampled_from(["*", ["arn:aws:s3:::reports/*"]]))
    if draw(st.booleans()):
        statement["Sid"] = draw(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True))
    return statement


@st.composite
def policy_documents(draw: Any) -> dict[str, Any] | str:
    """Well-formed documents: a statement object or a list of them, as a dict or JSON."""
    listed = draw(st.lists(statements(), min_size=1, max_size=4))
    body = listed[0] if len(listed) == 1 and draw(st.booleans()) else listed
    document = {"Version": draw(st.sampled_from(v.POLICY_VERSIONS)), "Statement": body}
    return json.dumps(document) if draw(st.booleans()) else document


@EXAMPLES
@given(document=policy_documents())
def test_any_well_formed_policy_document_is_accepted(document):
    with fresh_stack() as stack:
        NodeRole(stack, "nodes", props=NodeRoleProps(inline_policies={"p": document}))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@EXAMPLES
@given(value=JSON_VALUES.filter(lambda value: not isinstance(value, dict)))
def test_any_json_that_is_not_an_object_is_refused(value):
    text = json.dumps(value)
    error = _refused(lambda stack: NodeRole(stack, "nodes", props=NodeRoleProps(inline_policies={"p": text})))
    assert (error.path, error.field, error.value, error.allowed) == (
        "test/nodes", "inline_policies['p']", text, v.ALLOWED_POLICY_JSON)


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return not v.is_token(text)
    return False


@EXAMPLES
@given(text=st.text().filter(_not_json))
def test_any_text_that_is_not_json_is_refused_as_a_policy(text):
    error = _refused(lambda stack: NodeRole(stack, "nodes", props=NodeRoleProps(inline_policies={"p": text})))
    assert (error.field, error.value, error.allowed) == ("inline_policies['p']", text, v.ALLOWED_POLICY_JSON)


@EXAMPLES
@given(options=st.dictionaries(st.sampled_from(["min_size", "max_size", "subnet_ids", "instance_types"]),
                               st.one_of(st.integers(), st.text(), st.lists(st.text(), max_size=2))))
def test_any_mapping_where_options_belong_is_refused_naming_the_type(options):
    error = _refused(lambda stack: SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS), node_groups={"general": options})))
    assert (error.path, error.field, error.value, error.allowed) == (
        "test/eks", "node_groups['general']", options, "a ManagedNodeGroupOptions")


ROLE_ARN = st.builds("arn:{}:iam::{}:role/{}".format,
                     st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
                     st.from_regex(r"[0-9]{12}", fullmatch=True),
                     st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,32}", fullmatch=True))
ENTRY_ID = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)


@EXAMPLES
@given(principal=ROLE_ARN, ids=st.lists(ENTRY_ID, min_size=2, max_size=2, unique=True))
def test_any_principal_in_two_access_entries_is_refused_naming_both(principal, ids):
    first, second = ids
    error = _refused(lambda stack: SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
        access_entries={first: AccessEntryOptions(principal_arn=principal),
                        second: AccessEntryOptions(principal_arn=principal)})))
    assert (error.path, error.field, error.value) == (f"test/eks/{second}", "principal_arn", principal)
    assert error.allowed == secure_module.ALLOWED_UNIQUE_PRINCIPAL.format(other=f"test/eks/{first}")
