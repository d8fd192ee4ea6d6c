"""EC2 as AWS answers it where moto differed: deleting a gateway endpoint twice (an SDK
retry of a delete whose first answer was lost) is not an error of the request."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.eksguard_integration


def test_gateway_endpoint_delete_removes_its_routes_and_a_repeat_is_not_an_error(aws_emulator):
    # GIVEN an S3 gateway endpoint on a route table
    ec2 = aws_emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                                       VpcEndpointType="Gateway", RouteTableIds=[table])["VpcEndpoint"]
    routes = [r for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
              if r.get("DestinationPrefixListId")]
    assert [r["GatewayId"] for r in routes] == [endpoint["VpcEndpointId"]]

    # WHEN it is deleted, and the delete is sent again
    first = ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    again = ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])

    # THEN both succeed, and the endpoint's route is gone from the table
    assert (first["Unsuccessful"], again["Unsuccessful"]) == ([], [])
    assert [r for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
            if r.get("DestinationPrefixListId")] == []
    ec2.delete_route_table(RouteTableId=table)
    ec2.delete_vpc(VpcId=vpc)
