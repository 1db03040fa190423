export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const m = /^arn:([^:]+):([^:]+):([^:]*):(\d{12})?:(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4] ?? '', resource: m[5]! };
}

/** GetRole and PutRolePolicy take the name: strip the path from arn:aws:iam::<acct>:role/service-role/x (DOMAIN.md §4). */
export function roleNameOf(roleArn: string): string {
  const resource = roleArn.split(':').slice(5).join(':');
  return resource.replace(/^role\//, '').split('/').at(-1) ?? resource;
}
