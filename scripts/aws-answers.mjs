// The benches' counting proxies answer, as the Amazon ECR API Reference documents them, the few
// calls moto 5.2 does not implement (it answers those with an HTML 500, which the SDK sends up to
// four times with backoff: seconds of retries no AWS run has). Everything else goes to moto.
//   GetAccountSetting                    {name, value}: REGISTRY_POLICY_SCOPE is V2 for new registries
//   DescribePullThroughCacheRules        {pullThroughCacheRules: []}: the benches create none
//   DescribeRepositoryCreationTemplates  {registryId, repositoryCreationTemplates: []}
//   GetDownloadUrlForLayer               {downloadUrl, layerDigest}: a pre-signed URL (on AWS, S3);
//                                        here the proxy's own /blob/<digest>, which serves an image
//                                        config (OCI image spec) for linux/amd64
// The test suite does the same per test through test/support/registry-proxy.ts.
// Answers go out after ANSWER_DELAY_MS, about what moto takes for a small call here: an instant
// answer would end before the SDK had sent the calls issued with it, and count as a round trip
// of its own in the benches' wave measure.
export const ANSWER_DELAY_MS = 8;

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

/** The account a request acts in: moto's access keys do not say it, so the caller passes it. */
export function answerUnimplemented(operation, body, base, account = '123456789012') {
  let input = {};
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
  switch (operation) {
    case 'GetAccountSetting':
      return { status: 200, headers: JSON_11, body: JSON.stringify({ name: input.name, value: input.name === 'REGISTRY_POLICY_SCOPE' ? 'V2' : undefined }) };
    case 'DescribePullThroughCacheRules':
      return { status: 200, headers: JSON_11, body: JSON.stringify({ pullThroughCacheRules: [] }) };
    case 'DescribeRepositoryCreationTemplates':
      return { status: 200, headers: JSON_11, body: JSON.stringify({ registryId: input.registryId ?? account, repositoryCreationTemplates: [] }) };
    case 'GetDownloadUrlForLayer':
      return { status: 200, headers: JSON_11, body: JSON.stringify({ downloadUrl: `${base}/blob/${encodeURIComponent(input.layerDigest ?? '')}`, layerDigest: input.layerDigest }) };
    default:
      return undefined;
  }
}

/** The download behind the URL above: an image config for linux/amd64. */
export function answerBlob(method, url) {
  if (method !== 'GET' || !url.startsWith('/blob/')) return undefined;
  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) };
}
