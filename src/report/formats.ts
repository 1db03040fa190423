/** The report formats, in a module of their own so the option parser can list them without loading any renderer. */
export type Format = 'text' | 'json' | 'junit' | 'sarif' | 'jsonl';
export const FORMATS: readonly Format[] = ['text', 'json', 'junit', 'sarif', 'jsonl'];
