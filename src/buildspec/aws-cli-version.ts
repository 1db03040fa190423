/**
 * Which AWS CLI a CodeBuild curated image ships, for `aws ecr get-login` (AWS CLI v1 only; v2
 * answers "Invalid choice"). From the curated images' release notes as DOMAIN.md §6b and issue 16
 * summarise them: Ubuntu `standard:5.0` and later ship v2, `standard:4.0` since its November 2020
 * update; `amazonlinux2-*:4.0` and later (and the Amazon Linux 2023 images) ship v2; older Amazon
 * Linux 2 images kept v1 longer or ship both, so there we say "may fail".
 */
import type { ImageRef } from '../image/parse-image-ref.js';

export type CliVersion = 'v1' | 'v2' | 'unsettled' | 'unknown';

function major(tag: string): number | undefined {
  const m = /^(\d+)\.\d+/.exec(tag);
  return m ? Number(m[1]) : undefined;
}

export function awsCliOf(ref: ImageRef | { kind: 'invalid' }): CliVersion {
  if (ref.kind !== 'curated') return 'unknown';
  const family = ref.name.replace(/^aws\/codebuild\//, '');
  const n = major(ref.tag);
  if (n === undefined) return 'unknown';
  if (family === 'standard') return n >= 4 ? 'v2' : 'v1';
  if (family === 'amazonlinux-x86_64-standard' || family === 'amazonlinux-aarch64-standard') return 'v2';
  if (family === 'amazonlinux2-x86_64-standard') return n >= 4 ? 'v2' : 'unsettled';
  if (family === 'amazonlinux2-aarch64-standard') return n >= 3 ? 'v2' : 'unsettled';
  return 'unsettled';
}
