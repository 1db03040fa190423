/** GetRole and PutRolePolicy take the name: strip the path from arn:aws:iam::<acct>:role/service-role/x (DOMAIN.md §4). */
export function roleNameOf(roleArn: string): string {
  const resource = roleArn.split(':').slice(5).join(':');
  return resource.replace(/^role\//, '').split('/').at(-1) ?? resource;
}
