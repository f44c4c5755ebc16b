/**
 * An in-memory CloudFormation for the deploy/remove command tests: stacks per region with their
 * template and outputs. The health-check stack's outputs are made from its template (one fake id per
 * output), so a test sees what deploy would read back. The moto-backed test covers the real SDK path.
 */
import type { StackDeployInput, StackOperations } from '../../shared/adapters/aws/cloudformation-stacks';
import { StackError } from '../../shared/adapters/aws/cloudformation-stacks';

interface MemoryStack {
  templateBody: string | null;
  outputs: Record<string, string>;
}

export class MemoryCloud {
  readonly stacks = new Map<string, MemoryStack>();
  readonly calls: string[] = [];
  /** Makes the next deploy or remove of this stack name fail. */
  failing = new Set<string>();

  private key(region: string, name: string): string {
    return `${region}/${name}`;
  }

  /** What a region stack deployed by osls would output. */
  putRegionStack(region: string, name: string, outputs: Record<string, string>): void {
    this.stacks.set(this.key(region, name), { templateBody: null, outputs });
  }

  has(region: string, name: string): boolean {
    return this.stacks.has(this.key(region, name));
  }

  get(region: string, name: string): MemoryStack | undefined {
    return this.stacks.get(this.key(region, name));
  }

  in(region: string): StackOperations {
    return {
      outputs: async (name) => {
        this.calls.push(`outputs ${region} ${name}`);
        const stack = this.stacks.get(this.key(region, name));
        if (stack === undefined) throw new StackError(`stack ${name} does not exist`, name, null);
        return stack.outputs;
      },
      deploy: async (input: StackDeployInput) => {
        this.calls.push(`deploy ${region} ${input.stackName}`);
        if (this.failing.has(input.stackName)) throw new StackError(`stack ${input.stackName} ended ROLLBACK_COMPLETE: VoteUsEast1EuWest1HealthCheck: Invalid request`, input.stackName, 'ROLLBACK_COMPLETE');
        const existing = this.stacks.get(this.key(region, input.stackName));
        const template = JSON.parse(input.templateBody) as { Outputs?: Record<string, unknown> };
        const outputs = Object.fromEntries(Object.keys(template.Outputs ?? {}).map((k, i) => [k, existing?.outputs[k] ?? `hc-${i}-${k.toLowerCase()}`]));
        const action = existing === undefined ? 'created' : existing.templateBody === input.templateBody ? 'unchanged' : 'updated';
        this.stacks.set(this.key(region, input.stackName), { templateBody: input.templateBody, outputs });
        return { action, outputs };
      },
      remove: async (name) => {
        this.calls.push(`remove ${region} ${name}`);
        if (this.failing.has(name)) throw new StackError(`stack ${name} ended DELETE_FAILED`, name, 'DELETE_FAILED');
        return this.stacks.delete(this.key(region, name)) ? 'deleted' : 'absent';
      },
    };
  }
}
