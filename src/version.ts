// Replaced at bundle time by scripts/build.mjs from package.json; the fallback serves tests run from source.
declare const __ECR_DOCTOR_VERSION__: string | undefined;
export const VERSION: string = typeof __ECR_DOCTOR_VERSION__ === 'string' ? __ECR_DOCTOR_VERSION__ : '0.0.0-dev';
