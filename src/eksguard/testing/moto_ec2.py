"""Where moto's EC2 answers differently from AWS in a way Terraform trips over, served as AWS does.

- DeleteVpcEndpoints of a gateway endpoint deletes "the endpoint routes in the route tables
  for the endpoint" (EC2 API reference, DeleteVpcEndpoints); what cannot be deleted is
  reported in ``Unsuccessful``, never as an error of the request. moto 5.2.5 raises
  ``InvalidRoute.NotFound`` for the whole request when a route is already gone — which is
  what an SDK retry of a delete whose first answer was lost finds (CI saw it once, on a
  reference stack's destroy) — and runs the deletion again for an endpoint already deleted.
  Here an endpoint already deleted is left as it is, and a route already gone is skipped.
- A request with a ``ClientToken`` is idempotent ("Ensuring idempotency in Amazon EC2 API
  requests", EC2 Developer Guide): the same token with the same parameters returns the
  first request's result and changes nothing; the same token with other parameters fails
  ``IdempotentParameterMismatch``. moto 5.2.5 ignores the token, so an SDK retry of a
  ``CreateFlowLogs`` whose first answer was lost (hashicorp/aws sends a token on it, and on
  ``CreateVpcEndpoint``, ``CreateNatGateway``, ``CreateLaunchTemplate``...) failed
  ``FlowLogAlreadyExists`` in CI. Results are kept per account, region and action, for the
  last ``KEPT_TOKENS`` tokens (AWS keeps them for at least 24 hours).
- CreateLaunchTemplate's ``TagSpecifications`` tag the launch template itself (EC2 API
  reference: "The tags to apply to the launch template on creation"; the only resource type
  it takes is ``launch-template``); what the instances it launches get is
  ``LaunchTemplateData.TagSpecifications``. moto 5.2.5 also copies the former into the
  version's data, so DescribeLaunchTemplateVersions shows a ``launch-template`` tag
  specification AWS never would, and hashicorp/aws plans to remove it at every plan. Here
  the version keeps only its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

_INSTALLED = False
KEPT_TOKENS = 10_000
_results: OrderedDict[tuple[str, str, str, str], tuple[Any, Any]] = OrderedDict()
_lock = threading.Lock()
_MISMATCH = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>IdempotentParameterMismatch</Code>'
    "<Message>The client token you have provided is associated with a resource that has different "
    "parameters.</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")


def forget_tokens(account: str | None = None) -> None:
    """Forget every kept result (an emulator reset), or ``account``'s (its reset)."""
    with _lock:
        if account is None:
            _results.clear()
            return
        for key in [k for k in _results if k[0] == account]:
            del _results[key]


def install() -> None:
    """Patch moto's EC2 backend, once per process, before the server handles a request."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.ec2.exceptions import InvalidRouteError
    from moto.ec2.models.vpcs import VPCBackend

    def delete_vpc_endpoints(self: Any, vpce_ids: list[str] | None = None) -> None:
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is None or endpoint.state == "deleted":
                continue
            if endpoint.vpc_endpoint_type.lower() == "interface":
                for eni_id in endpoint.network_interface_ids:
                    self.enis.pop(eni_id, None)
            else:
                for route_table_id in endpoint.route_table_ids:
                    try:
                        self.delete_route(route_table_id, endpoint.destination_prefix_list_id)
                    except InvalidRouteError:
                        pass  # already gone: nothing left to delete
            endpoint.state = "deleted"

    VPCBackend.delete_vpc_endpoints = delete_vpc_endpoints  # type: ignore[method-assign]
    _make_client_tokens_idempotent()
    _keep_launch_template_tags_out_of_its_data()
    _INSTALLED = True


def _make_client_tokens_idempotent() -> None:
    from moto.ec2.responses import EC2Response

    call_action = EC2Response.call_action

    def idempotent_call_action(self: Any) -> Any:
        token = (self.querystring.get("ClientToken") or [None])[0]
        if not token:
            return call_action(self)
        key = (self.current_account, self.region, self._get_action(), token)
        parameters = sorted((k, tuple(v)) for k, v in self.querystring.items() if k != "ClientToken")
        with _lock:
            kept = _results.get(key)
        if kept is not None:
            if kept[0] != parameters:
                headers = dict(self.response_headers)
                return 400, headers, _MISMATCH.format(request_id=headers.get("x-amzn-RequestId", ""))
            return kept[1]
        result = call_action(self)
        if isinstance(result, tuple) and len(result) == 3 and int(result[0]) < 400:
            with _lock:
                _results[key] = (parameters, result)
                while len(_results) > KEPT_TOKENS:
                    _results.popitem(last=False)
        return result

    EC2Response.call_action = idempotent_call_action  # type: ignore[method-assign]


def _keep_launch_template_tags_out_of_its_data() -> None:
    from moto.ec2.responses.launch_templates import LaunchTemplates

    create = LaunchTemplates.create_launch_template

    def create_launch_template(self: Any) -> Any:
        data = self._get_param("LaunchTemplateData", {}) or {}
        own = [spec.get("ResourceType") for spec in data.get("TagSpecifications", []) or []]
        result = create(self)
        template = self.ec2_backend.get_launch_template_by_name(self._get_param("LaunchTemplateName"))
        for version in template.versions:
            specs = version.data.get("TagSpecifications")
            if specs is not None:
                # the data's own specifications, in order; moto appended the template's after them
                version.data["TagSpecifications"] = specs[:len(own)]
                if not version.data["TagSpecifications"]:
                    del version.data["TagSpecifications"]
        return result

    LaunchTemplates.create_launch_template = create_launch_template  # type: ignore[method-assign]
