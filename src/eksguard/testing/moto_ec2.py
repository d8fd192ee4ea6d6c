"""Where moto's EC2 answers differently from AWS in a way Terraform trips over, served as AWS does.

- DeleteVpcEndpoints of a gateway endpoint deletes "the endpoint routes in the route tables
  for the endpoint" (EC2 API reference, DeleteVpcEndpoints); what cannot be deleted is
  reported in ``Unsuccessful``, never as an error of the request. moto 5.2.5 raises
  ``InvalidRoute.NotFound`` for the whole request when a route is already gone — which is
  what an SDK retry of a delete whose first answer was lost finds (CI saw it once, on a
  reference stack's destroy) — and runs the deletion again for an endpoint already deleted.
  Here an endpoint already deleted is left as it is, and a route already gone is skipped.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


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
    _INSTALLED = True
