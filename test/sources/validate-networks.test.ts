import { describe, expect, it } from 'vitest';
import { FactsShapeError, validateFacts } from '../../src/sources/validate-facts.js';

const base = { schemaVersion: 1, region: 'us-east-1', caller: { state: 'absent' }, projects: [], builds: [], images: [], repositories: {}, roles: {} };
const network = {
  vpcId: 'vpc-1',
  region: 'us-east-1',
  subnetRouteTables: { 'subnet-a': { state: 'present', value: { id: 'rtb-1', main: true, routes: [{ destination: '0.0.0.0/0', target: 'nat-1', state: 'active' }] } }, 'subnet-b': { state: 'unreadable', reason: 'AccessDenied', permission: 'ec2:DescribeRouteTables' } },
  endpoints: { state: 'present', value: [{ id: 'vpce-1', serviceName: 'com.amazonaws.us-east-1.s3', type: 'Gateway', routeTableIds: ['rtb-1'], subnetIds: [], policy: '{}' }] },
};

describe('snapshot networks', () => {
  it('accepts the networks section, and snapshots without it', () => {
    expect(validateFacts({ ...base, networks: { 'vpc-1': network } }).networks?.['vpc-1']?.vpcId).toBe('vpc-1');
    expect(validateFacts(base).networks).toBeUndefined();
  });
  it('names the path of a wrong route or endpoint', () => {
    const badRoute = { ...network, subnetRouteTables: { 'subnet-a': { state: 'present', value: { id: 'rtb-1', main: 'yes', routes: [] } } } };
    expect(() => validateFacts({ ...base, networks: { 'vpc-1': badRoute } })).toThrow(new FactsShapeError('$.networks["vpc-1"].subnetRouteTables["subnet-a"].value.main', 'must be true or false'));
    const badEndpoint = { ...network, endpoints: { state: 'present', value: [{ id: 'vpce-1' }] } };
    expect(() => validateFacts({ ...base, networks: { 'vpc-1': badEndpoint } })).toThrow('$.networks["vpc-1"].endpoints.value[0].serviceName must be a string');
  });
});
