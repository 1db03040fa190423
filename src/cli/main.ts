import { deadlineExpired } from '../sources/live/deadline.js';
// --verbose prints stack traces; map them to src/ through the shipped source maps. Node maps only
// files loaded after it is enabled (process.setSourceMapsEnabled, Node docs), so the program is
// loaded below, after the switch; without --verbose nothing is parsed and start-up stays as it was.
if (process.argv.includes('--verbose') || process.argv.includes('-v')) process.setSourceMapsEnabled(true);
const { main } = await import('./program.js');

let stdoutFailed = false;
// `ecr-doctor ... | head -1`: the reader may go away before we finish writing. That is not an
// error of ours; stop writing and finish quietly with the exit code the run decides. Any other
// write error (a full disk under `> report.txt`) means the report was lost: exit 3.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  process.stdout.write = () => true;
  if (e.code === 'EPIPE') return;
  stdoutFailed = true;
  process.exitCode = 3;
  process.stderr.write(`error: cannot write the report to stdout: ${e.code ?? e.message}\n`);
});

const code = await main(process.argv);
process.exitCode = stdoutFailed ? 3 : code;
// A call that hit the deadline may still hold a socket (or a credential_process child's pipe)
// open: the run is over, so end the process now rather than when the peer gives up.
if (deadlineExpired()) process.stderr.write('', () => process.exit());
