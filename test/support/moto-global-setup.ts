import type { TestProject } from 'vitest/node';
import { startMotoServer } from './moto-server.js';

declare module 'vitest' {
  interface ProvidedContext {
    motoEndpoint: string;
  }
}

export const MOTO_ENDPOINT_ENV = 'ECR_DOCTOR_TEST_MOTO_ENDPOINT';

/** One moto server for the whole run; test files isolate themselves by account id (see accounts.ts). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMotoServer({
    // AWS managed policies (AmazonEC2ContainerRegistryReadOnly, ...PullOnly) exist only with this
    // switch; each new account then pays ~0.2-0.6 s on its first IAM call while moto loads them.
    env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  project.provide('motoEndpoint', server.endpoint);
  process.env[MOTO_ENDPOINT_ENV] = server.endpoint;
  return () => server.stop();
}
