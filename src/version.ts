import { createRequire } from 'node:module';

// Replaced at bundle time by scripts/build.mjs from package.json; the fallback serves tests run from source.
declare const __ECR_DOCTOR_VERSION__: string | undefined;
export const VERSION: string = typeof __ECR_DOCTOR_VERSION__ === 'string' ? __ECR_DOCTOR_VERSION__ : '0.0.0-dev';

// The project's home (package.json `homepage`, the one place it is written), for SARIF's informationUri.
declare const __ECR_DOCTOR_HOMEPAGE__: string | undefined;
export const HOMEPAGE: string = typeof __ECR_DOCTOR_HOMEPAGE__ === 'string' ? __ECR_DOCTOR_HOMEPAGE__ : readHomepageFromSource();

/** Tests run from source, without the bundle's define: read package.json next to src/. */
function readHomepageFromSource(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../package.json') as { homepage?: string };
  return pkg.homepage ?? '';
}
