/**
 * Stand-ins for systems that have no settings: every call answers a clear `auth` error naming
 * the settings to add, so a release stops with that reason instead of a crash or a silent pass.
 */
import { adapterError, err } from '../domain/result.js';
import type { Builder, Cluster, Scanner, SignatureSource, SourceControl, Telemetry } from '../ports.js';

function refuse(system: string, hint: string) {
  const e = adapterError(system, 'auth', `${system} is not configured: ${hint}`);
  return () => Promise.resolve(err(e));
}

export const unconfiguredCluster = (): Cluster => {
  const no = refuse('kubernetes', 'set KUBECONFIG or AKS_RESOURCE_ID');
  return { observe: no, setImage: no, undo: no, events: no, smoke: no, apply: no, ping: no };
};
export const unconfiguredScanner = (): Scanner => {
  const no = refuse('acr', 'set ACR_RESOURCE_ID (scans run as ACR Tasks)');
  return { start: no, get: no };
};
export const unconfiguredBuilder = (): Builder => {
  const no = refuse('acr', 'set ACR_RESOURCE_ID (builds run as ACR Tasks)');
  return { start: no, get: no, resolveTag: no };
};
export const unconfiguredSignatures = (): SignatureSource => ({
  find: refuse('acr', 'set ACR_RESOURCE_ID (signatures are read from the registry)'),
});
export const unconfiguredTelemetry = (): Telemetry => {
  const no = refuse('monitor', 'set LOG_ANALYTICS_WORKSPACE_ID');
  return { requests: no, ping: no };
};
export const unconfiguredSourceControl = (): SourceControl => {
  const no = refuse('github', 'set GITHUB_TOKEN or GITHUB_APP_ID/GITHUB_APP_PRIVATE_KEY/GITHUB_APP_INSTALLATION_ID');
  return {
    setCommitStatus: no,
    ensureIssue: no,
    commentOnIssue: no,
    compareCommits: no,
    createDeployment: no,
    setDeploymentStatus: no,
    readTree: no,
    ping: no,
  };
};
