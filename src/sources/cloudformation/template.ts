import { UsageError } from '../../model/errors.js';
import type { IacModel } from '../iac/model.js';

export async function readCloudFormation(file: string, parameters: string[]): Promise<IacModel> {
  void parameters;
  throw new UsageError(`--cloudformation ${file}: reading CloudFormation templates is not implemented yet`);
}
