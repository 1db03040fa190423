import { EXIT } from '../model/exit-code.js';
import { permissionsPolicy } from '../permissions/aws-calls.js';
import { writeOut } from './output.js';

export function runPermissions(o: { fix: boolean }): number {
  writeOut(`${JSON.stringify(permissionsPolicy(o.fix), null, 2)}\n`);
  return EXIT.ok;
}
