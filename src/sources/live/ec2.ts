import type { EC2Client, Filter, RouteTable, VpcEndpoint } from '@aws-sdk/client-ec2';
import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { NetworkFacts, RouteInfo, RouteTableInfo, VpcEndpointInfo } from '../../model/facts.js';
import { unreadableFrom } from './aws-errors.js';

export interface NetworkRequest {
  vpcId: string;
  region: string;
  subnets: string[];
}

async function describeRouteTables(client: EC2Client, filters: Filter[]): Promise<RouteTable[]> {
  const tables: RouteTable[] = [];
  let NextToken: string | undefined;
  do {
    const out = await client.send(new DescribeRouteTablesCommand({ Filters: filters, ...(NextToken ? { NextToken } : {}) }));
    tables.push(...(out.RouteTables ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return tables;
}

function toRoute(r: NonNullable<RouteTable['Routes']>[number]): RouteInfo {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
  const target = r.NatGatewayId ?? r.GatewayId ?? r.TransitGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? r.VpcPeeringConnectionId ?? r.EgressOnlyInternetGatewayId ?? r.LocalGatewayId ?? r.CarrierGatewayId ?? r.CoreNetworkArn ?? 'unknown';
  return { destination, target, ...(r.State ? { state: r.State } : {}) };
}

function toTable(t: RouteTable): RouteTableInfo {
  return { id: t.RouteTableId ?? '', main: (t.Associations ?? []).some((a) => a.Main === true), routes: (t.Routes ?? []).map(toRoute) };
}

/**
 * The route table of each subnet. A subnet without an explicit association uses the VPC's main
 * route table (Amazon VPC User Guide, "Subnet route tables"), so both are asked for at once.
 */
async function readSubnetRouteTables(client: EC2Client, req: NetworkRequest): Promise<NetworkFacts['subnetRouteTables']> {
  try {
    const [associated, main] = await Promise.all([
      describeRouteTables(client, [{ Name: 'association.subnet-id', Values: req.subnets }]),
      describeRouteTables(client, [
        { Name: 'vpc-id', Values: [req.vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ]),
    ]);
    const mainTable = main[0];
    const out: NetworkFacts['subnetRouteTables'] = {};
    for (const subnet of req.subnets) {
      const own = associated.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet));
      const table = own ?? mainTable;
      out[subnet] = table ? present(toTable(table)) : absent();
    }
    return out;
  } catch (e) {
    const fact = unreadableFrom<RouteTableInfo>(e, 'ec2:DescribeRouteTables');
    return Object.fromEntries(req.subnets.map((s) => [s, fact]));
  }
}

function toEndpoint(e: VpcEndpoint): VpcEndpointInfo {
  return {
    id: e.VpcEndpointId ?? '',
    serviceName: e.ServiceName ?? '',
    type: e.VpcEndpointType ?? '',
    ...(e.State ? { state: e.State } : {}),
    ...(e.PrivateDnsEnabled !== undefined ? { privateDnsEnabled: e.PrivateDnsEnabled } : {}),
    routeTableIds: e.RouteTableIds ?? [],
    subnetIds: e.SubnetIds ?? [],
    ...(e.PolicyDocument ? { policy: e.PolicyDocument } : {}),
  };
}

async function readEndpoints(client: EC2Client, vpcId: string): Promise<Fact<VpcEndpointInfo[]>> {
  try {
    const endpoints: VpcEndpointInfo[] = [];
    let NextToken: string | undefined;
    do {
      const out = await client.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], ...(NextToken ? { NextToken } : {}) }));
      endpoints.push(...(out.VpcEndpoints ?? []).map(toEndpoint));
      NextToken = out.NextToken;
    } while (NextToken);
    return present(endpoints);
  } catch (e) {
    return unreadableFrom(e, 'ec2:DescribeVpcEndpoints');
  }
}

/** The routes and endpoints one VPC offers its builds, its reads issued together. */
export async function readNetwork(client: EC2Client, req: NetworkRequest): Promise<NetworkFacts> {
  const [subnetRouteTables, endpoints] = await Promise.all([readSubnetRouteTables(client, req), readEndpoints(client, req.vpcId)]);
  return { vpcId: req.vpcId, region: req.region, subnetRouteTables, endpoints };
}
