"""EC2 as AWS answers it where moto differed: deleting a gateway endpoint twice (an SDK
retry of a delete whose first answer was lost) is not an error of the request; a create
repeated with its client token returns the first result and creates nothing more."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

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


def test_a_create_repeated_with_its_client_token_returns_the_first_result(aws_emulator):
    # GIVEN a VPC, its flow-log group and role, and a flow log created with a client token
    # (hashicorp/aws sends one on CreateFlowLogs, as on its other EC2 creates)
    ec2, logs, iam = (aws_emulator.client(s) for s in ("ec2", "logs", "iam"))
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    logs.create_log_group(logGroupName="idempotency-flow-logs")
    group = logs.describe_log_groups(logGroupNamePrefix="idempotency-flow-logs")["logGroups"][0]["arn"]
    role = iam.create_role(RoleName="idempotency-flow-logs", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
        '"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))["Role"]["Arn"]
    request = {"ResourceIds": [vpc], "ResourceType": "VPC", "TrafficType": "ALL",
               "LogDestinationType": "cloud-watch-logs", "LogDestination": group.removesuffix(":*"),
               "DeliverLogsPermissionArn": role, "ClientToken": "terraform-retried-create"}
    first = ec2.create_flow_logs(**request)
    try:
        # WHEN the same request is sent again (an SDK retry after a lost answer)
        again = ec2.create_flow_logs(**request)
        # THEN it answers as the first did, and there is still one flow log
        assert (again["FlowLogIds"], again["Unsuccessful"]) == (first["FlowLogIds"], [])
        found = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
        assert [f["FlowLogId"] for f in found] == first["FlowLogIds"]
        # AND the same token with other parameters is refused with AWS's code
        with pytest.raises(ClientError) as caught:
            ec2.create_flow_logs(**{**request, "TrafficType": "REJECT"})
        assert caught.value.response["Error"]["Code"] == "IdempotentParameterMismatch"
        # AND without a token a repeat is the duplicate AWS refuses
        with pytest.raises(ClientError) as duplicate:
            ec2.create_flow_logs(**{k: v for k, v in request.items() if k != "ClientToken"})
        assert duplicate.value.response["Error"]["Code"] == "FlowLogAlreadyExists"
    finally:
        ec2.delete_flow_logs(FlowLogIds=first["FlowLogIds"])
        iam.delete_role(RoleName="idempotency-flow-logs")
        logs.delete_log_group(logGroupName="idempotency-flow-logs")
        ec2.delete_vpc(VpcId=vpc)


def test_a_launch_templates_own_tags_stay_out_of_its_versions_data(aws_emulator):
    # GIVEN a launch template tagged at create, whose data tags the instances it launches
    ec2 = aws_emulator.client("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName="eksguard-tags-test",
        LaunchTemplateData={"InstanceType": "t3.micro", "TagSpecifications": [
            {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "shop"}]}]},
        TagSpecifications=[{"ResourceType": "launch-template",
                            "Tags": [{"Key": "eksguard:stack", "Value": "us-east-1/app/prod"}]}])["LaunchTemplate"]
    try:
        # THEN the template carries its tags, and its version's data only the instances'
        described = ec2.describe_launch_templates(LaunchTemplateIds=[template["LaunchTemplateId"]])
        assert described["LaunchTemplates"][0]["Tags"] == [{"Key": "eksguard:stack", "Value": "us-east-1/app/prod"}]
        version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])
        assert version["LaunchTemplateVersions"][0]["LaunchTemplateData"] == {
            "InstanceType": "t3.micro",
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "shop"}]}]}
    finally:
        ec2.delete_launch_template(LaunchTemplateId=template["LaunchTemplateId"])
