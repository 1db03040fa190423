/** The few styles the text report uses; the CLI passes chalk's, tests pass plain identity. */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const same = (s: string) => s;
export const PLAIN: Paint = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same };
