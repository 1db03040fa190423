import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Facts } from '../../model/facts.js';
import { assembleFacts, PLACEHOLDER_ACCOUNT } from './assemble-facts.js';
import { attachIacBuildspecs } from './iac-buildspecs.js';
import type { IacModel } from './model.js';
import { findRepositoryRoot, relativeToRoot } from './repository-root.js';

export interface IacTarget {
  terraformPlan?: string;
  terraformDir?: string;
  cloudformation?: string;
  parameters: string[];
  vars?: string[];
  varFiles?: string[];
  region?: string;
  /** The account of the credentials (--live): used when the code does not name its own. */
  liveAccount?: string;
}

export interface IacFacts {
  facts: Facts;
  model: IacModel;
  description: string;
}

/** Facts from infrastructure code; each parser is loaded only on its own path. */
export async function readIacFacts(t: IacTarget): Promise<IacFacts> {
  let model: IacModel;
  let description: string;
  if (t.terraformPlan) {
    const { readTerraformPlan } = await import('../terraform/plan.js');
    model = await readTerraformPlan(t.terraformPlan, t.terraformDir ? { sourceDir: t.terraformDir } : {});
    description = `Terraform plan ${t.terraformPlan}`;
  } else if (t.terraformDir) {
    const { readTerraformDir } = await import('../terraform/hcl-dir.js');
    model = await readTerraformDir(t.terraformDir, { vars: t.vars ?? [], varFiles: t.varFiles ?? [] });
    description = `Terraform ${t.terraformDir}`;
  } else {
    const { readCloudFormation } = await import('../cloudformation/template.js');
    model = await readCloudFormation(t.cloudformation ?? '', { parameters: t.parameters, ...(t.region ? { region: t.region } : {}) });
    description = `CloudFormation ${t.cloudformation}`;
  }
  if (t.liveAccount && !model.account) {
    // The readers built every ARN of the unnamed account with the stand-in id: it is the credentials' account.
    model = JSON.parse(JSON.stringify(model).split(PLACEHOLDER_ACCOUNT).join(t.liveAccount)) as IacModel;
    model.account = t.liveAccount;
  }
  else if (t.liveAccount && model.account !== t.liveAccount) model.notes.push(`the code deploys to account ${model.account}; the credentials are for account ${t.liveAccount}`);
  model.notes = [...new Set(model.notes)];
  const input = t.terraformPlan ?? t.cloudformation ?? (t.terraformDir ? join(t.terraformDir, 'main.tf') : '.');
  const root = findRepositoryRoot(input);
  for (const item of [...model.projects, ...model.repositories, ...model.roles]) {
    if (item.location.file) item.location.file = relativeToRoot(item.location.file, root);
  }
  for (const repo of model.repositories) if (repo.policyLocation?.file) repo.policyLocation.file = relativeToRoot(repo.policyLocation.file, root);
  const facts = assembleFacts(model, t.region ? { region: t.region } : {});
  // A buildspec file of a project is looked for in the code's folder, then the repository root.
  const codeDir = t.terraformDir ?? dirname(resolve(t.terraformPlan ?? t.cloudformation ?? '.'));
  const folders = [...new Set([resolve(t.cloudformation && (await isFolder(t.cloudformation)) ? t.cloudformation : codeDir), resolve(root)])];
  await attachIacBuildspecs(facts, model, { folders, cwd: process.cwd() });
  return { facts, model, description };
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
