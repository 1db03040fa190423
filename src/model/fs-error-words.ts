/**
 * A file-system error in words, for --output, --snapshot and --buildspec paths: a person reads
 * "a parent of out/report.xml is a file", not ENOTDIR.
 */
export function describeFsError(e: unknown, doing: 'read' | 'write' = 'read'): string {
  const code = typeof e === 'object' && e !== null ? (e as NodeJS.ErrnoException).code : undefined;
  switch (code) {
    case 'ENOENT':
      return doing === 'write' ? 'its folder does not exist' : 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a parent of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
      return 'something is already there';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many symbolic links in the path';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return code ? `the system said ${code}` : e instanceof Error ? e.message : String(e);
  }
}
