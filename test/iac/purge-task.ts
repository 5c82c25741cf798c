/**
 * The scheduled purge as Terraform writes it: infra/ read with HashiCorp's HCL parser, the acr module
 * evaluated with the root's inputs (prod.tfvars over the defaults, and any override), and each step's
 * `acr purge` command line parsed (acr-purge.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childScope, defaults, evaluate, loadModule, loadTfvars, type Value } from './hcl.js';
import { parsePurgeCommand, type PurgeCommand } from './acr-purge.js';

const infra = join(fileURLToPath(new URL('../..', import.meta.url)), 'infra');

export interface PurgeTask {
  steps: { cmd: string; timeout: number }[];
  commands: PurgeCommand[];
}

export async function purgeTask(over: Record<string, Value> = {}): Promise<PurgeTask> {
  const root = await loadModule(infra);
  const acr = await loadModule(join(infra, 'modules', 'acr'));
  const vars = {
    ...(await defaults(root)),
    ...((await loadTfvars(join(infra, 'environments', 'prod.tfvars'))) as Record<string, Value>),
    ...over,
  };
  const scope = await childScope({ vars, locals: root.locals }, root.modules.acr, acr);
  const task = (await evaluate(acr.locals.purge_task, scope)) as { steps: { cmd: string; timeout: number }[] };
  return { steps: task.steps, commands: task.steps.map((s) => parsePurgeCommand(s.cmd)) };
}
