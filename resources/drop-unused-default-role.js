// osls plugin: removes the provider-wide role (IamRoleLambdaExecution) osls creates in every
// template. serverless-iam-roles-per-function clones it into one role per function (listed before
// this plugin, so its hook runs first); afterwards nothing uses it, and an unused role with log
// permissions is one more principal to defend. Packaging stops if anything still refers to it.
'use strict';

class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const id = this.serverless.providers.aws.naming.getRoleLogicalId();
    if (template.Resources[id] === undefined) return;
    const { [id]: _unused, ...rest } = template.Resources;
    const users = Object.entries(rest).filter(([, resource]) => JSON.stringify(resource).includes(`"${id}"`)).map(([name]) => name);
    if (users.length > 0) throw new Error(`drop-unused-default-role: ${id} is still used by ${users.join(', ')}; give every function iamRoleStatements`);
    template.Resources = rest;
  }
}

module.exports = DropUnusedDefaultRole;
