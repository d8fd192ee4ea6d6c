"""Which CDK-for-Terraform framework eksguard uses, and the refusal of a stack of the other
one at construction. The real two-framework processes run in
tests/integration/test_cdktf_path.py; here the choice is a pure function, and a stack of the
other framework is a construct class that says it comes from ``cdktf``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from constructs import Construct

from eksguard import (
    ClusterNetwork,
    ClusterNetworkProps,
    EksClusterProps,
    NodeRole,
    SecureEksCluster,
    SecureEksClusterProps,
    ValidationError,
    ssm_parameter_path_read,
)
from eksguard._framework import (
    ALLOWED_SCOPE_FRAMEWORK,
    CHOICE,
    FIX_EXPLICIT,
    FIX_IMPLICIT,
    NONE_INSTALLED,
    NOT_INSTALLED,
    TITLES,
    UNSUPPORTED_VARIABLE,
    FrameworkChoice,
    TerraformStack,
    aws,
    choose_framework,
    framework_class,
)

BOTH = {"cdktn", "cdktn_provider_aws", "cdktf", "cdktf_cdktf_provider_aws"}
CDKTN_ONLY = {"cdktn", "cdktn_provider_aws"}
CDKTF_ONLY = {"cdktf", "cdktf_cdktf_provider_aws"}
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"]


class OtherFrameworkStack(Construct):
    """Stands in for ``cdktf.TerraformStack`` in this cdktn process: the check reads only
    the module of the scope's classes."""

    __module__ = "cdktf"


@pytest.mark.parametrize("environ, imported, installed, framework, reason, explicit", [
    ({}, {"cdktf"}, BOTH, "cdktf", "the app imported cdktf before eksguard's constructs", False),
    ({}, {"cdktn"}, BOTH, "cdktn", "the app imported cdktn before eksguard's constructs", False),
    ({}, {"cdktn", "cdktf"}, BOTH, "cdktn",
     "both frameworks were imported before eksguard's constructs, and cdktn is the default", False),
    ({}, set(), CDKTF_ONLY, "cdktf", "only cdktf is installed with its AWS bindings", False),
    ({}, set(), CDKTN_ONLY, "cdktn", "only cdktn is installed with its AWS bindings", False),
    ({}, set(), CDKTN_ONLY | {"cdktf"}, "cdktn", "only cdktn is installed with its AWS bindings", False),
    ({}, set(), BOTH, "cdktn", ("both frameworks are installed, cdktf was not imported before eksguard's "
                                "constructs, and cdktn is the default"), False),
    ({"EKSGUARD_FRAMEWORK": "cdktf"}, set(), BOTH, "cdktf", "EKSGUARD_FRAMEWORK=cdktf", True),
    ({"EKSGUARD_FRAMEWORK": "cdktn"}, {"cdktf"}, BOTH, "cdktn", "EKSGUARD_FRAMEWORK=cdktn", True),
    ({"EKSGUARD_FRAMEWORK": ""}, {"cdktf"}, BOTH, "cdktf", "the app imported cdktf before eksguard's constructs",
     False),
], ids=["imported-cdktf", "imported-cdktn", "imported-both", "installed-cdktf", "installed-cdktn",
        "cdktf-without-bindings", "installed-both", "variable", "variable-beats-import", "empty-variable"])
def test_the_framework_is_the_variable_then_the_import_then_the_install(
        environ, imported, installed, framework, reason, explicit):
    # GIVEN what the environment sets, the process imported and the machine has
    # WHEN eksguard chooses
    choice = choose_framework(environ, imported=imported, installed=installed)

    # THEN it picks by that order, and says why
    assert choice == FrameworkChoice(framework=framework, reason=reason, explicit=explicit)


@pytest.mark.parametrize("environ, imported, installed, message", [
    ({"EKSGUARD_FRAMEWORK": "terraform"}, set(), BOTH, UNSUPPORTED_VARIABLE.format(value="terraform")),
    ({"EKSGUARD_FRAMEWORK": "cdktf"}, set(), CDKTN_ONLY,
     NOT_INSTALLED.format(framework="cdktf", title="CDKTF 0.21", reason="EKSGUARD_FRAMEWORK=cdktf",
                          missing="cdktf and cdktf-cdktf-provider-aws are")),
    ({}, {"cdktf"}, CDKTN_ONLY | {"cdktf"},
     NOT_INSTALLED.format(framework="cdktf", title="CDKTF 0.21",
                          reason="the app imported cdktf before eksguard's constructs",
                          missing="cdktf-cdktf-provider-aws is")),
    ({}, set(), {"cdktn", "cdktf"}, NONE_INSTALLED),
], ids=["unknown-variable", "variable-not-installed", "imported-without-bindings", "nothing-installed"])
def test_a_framework_that_cannot_be_used_fails_at_import_naming_the_extra(environ, imported, installed, message):
    with pytest.raises(ImportError) as raised:
        choose_framework(environ, imported=imported, installed=installed)
    assert str(raised.value) == message


def test_the_import_errors_say_what_to_install():
    assert str(NONE_INSTALLED) == (
        "eksguard needs a CDK-for-Terraform framework with its AWS bindings and found neither cdktn with "
        "cdktn-provider-aws nor cdktf with cdktf-cdktf-provider-aws: pip install 'eksguard[cdktn]' (CDK Terrain, "
        "recommended) or 'eksguard[cdktf]' (CDKTF 0.21)")
    assert NOT_INSTALLED.format(framework="cdktf", title="CDKTF 0.21", reason="EKSGUARD_FRAMEWORK=cdktf",
                                missing="cdktf-cdktf-provider-aws is") == (
        "eksguard uses cdktf (CDKTF 0.21) in this process: EKSGUARD_FRAMEWORK=cdktf. But cdktf-cdktf-provider-aws "
        "is not installed: pip install 'eksguard[cdktf]'")


def test_the_variable_is_read_when_the_constructs_are_first_imported():
    # GIVEN a fresh interpreter with EKSGUARD_FRAMEWORK=cdktn WHEN a construct is imported
    code = ("import json; from eksguard import NodeRole; from eksguard import _framework as f; "
            "print(json.dumps([f.FRAMEWORK, f.CHOICE.reason, f.CHOICE.explicit]))")
    env = {**os.environ, "EKSGUARD_FRAMEWORK": "cdktn"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout

    # THEN the variable chose it
    assert json.loads(out) == ["cdktn", "EKSGUARD_FRAMEWORK=cdktn", True]


def _expected(path: str) -> str:
    fix = (FIX_EXPLICIT if CHOICE.explicit else FIX_IMPLICIT).format(other="cdktf")
    return str(ValidationError(path, "scope", "cdktf.OtherFrameworkStack", ALLOWED_SCOPE_FRAMEWORK.format(
        framework="cdktn", title=TITLES["cdktn"], reason=CHOICE.reason, other="cdktf", fix=fix)))


def _network(scope: Any) -> Any:
    return ClusterNetwork(scope, "network", props=ClusterNetworkProps(cluster_name="prod"))


def _cluster(scope: Any) -> Any:
    return SecureEksCluster(scope, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS)))


def _nested(scope: Any) -> Any:
    return NodeRole(Construct(scope, "group"), "node-role")


@pytest.mark.parametrize("build, path, tree", [
    (_network, "other/network", ["other", "network"]),
    (_cluster, "other/eks", ["other", "eks"]),
    (lambda scope: NodeRole(scope, "node-role"), "other/node-role", ["other", "node-role"]),
    (_nested, "other/group/node-role", ["other", "group", "node-role"]),
    (lambda scope: ssm_parameter_path_read(scope, path="/orders"), "other", ["other"]),
], ids=["ClusterNetwork", "SecureEksCluster", "NodeRole", "under-a-plain-construct", "scope-taking-helper"])
def test_a_scope_of_the_other_framework_fails_at_construction(stack, build, path, tree):
    # GIVEN a stack of the other framework
    other = OtherFrameworkStack(stack.node.scope, "other")

    # WHEN an eksguard construct or helper is given it
    with pytest.raises(ValidationError) as raised:
        build(other)

    # THEN construction stops before any resource, naming both frameworks and the fix
    assert str(raised.value) == _expected(path)
    assert (raised.value.field, raised.value.value) == ("scope", "cdktf.OtherFrameworkStack")
    assert [c.node.id for c in other.node.find_all()] == tree


def test_the_message_names_both_frameworks_the_reason_and_the_fix():
    message = str(ValidationError("prod/eks", "scope", "cdktf.TerraformStack", ALLOWED_SCOPE_FRAMEWORK.format(
        framework="cdktn", title="CDK Terrain", reason="EKSGUARD_FRAMEWORK=cdktn", other="cdktf",
        fix=FIX_EXPLICIT.format(other="cdktf"))))
    assert message == (
        "prod/eks: field 'scope' got 'cdktf.TerraformStack': a scope in a cdktn stack. eksguard uses cdktn "
        "(CDK Terrain) in this process: EKSGUARD_FRAMEWORK=cdktn. One process uses one framework, and cdktn "
        "resources in a cdktf stack would fail only at app.synth(). Fix: set EKSGUARD_FRAMEWORK=cdktf, or unset "
        "it so that eksguard uses the framework the app imports.")


def test_a_stack_of_the_same_framework_builds(synth_one):
    # GIVEN a user's subclass of the framework's stack (synth_one's) WHEN a construct is built in it
    out = synth_one(lambda stack: NodeRole(stack, "node-role"))

    # THEN it synthesizes
    assert out.resource("test/node-role/role")["assume_role_policy"]


def test_the_framework_class_is_the_first_one_a_framework_or_its_bindings_define(stack):
    class ProdStack(TerraformStack):
        pass

    role = aws.iam_role.IamRole(stack, "role", assume_role_policy="{}")
    assert framework_class(ProdStack(stack.node.scope, "prod")) is TerraformStack
    assert framework_class(role) is aws.iam_role.IamRole
    assert framework_class(NodeRole(stack, "node-role")) is None
    assert framework_class(Construct(stack, "plain")) is None
