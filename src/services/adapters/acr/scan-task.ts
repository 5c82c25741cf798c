/**
 * The ACR Task that scans one image with Trivy.
 *
 * Registry authentication — why there is no token in this task:
 *   ACR Tasks logs the run's docker into its own registry before the steps start (the run's
 *   source-registry credentials; `credentials.sourceRegistry.loginMode: Default`). acr-builder
 *   mounts the same "home" volume and sets HOME for every `cmd` step, so the step container finds
 *   `$HOME/.docker/config.json` with that login. Trivy's remote image source uses the standard
 *   docker keychain (DOCKER_CONFIG / ~/.docker/config.json), so `trivy image
 *   <registry>/<repo>@sha256:…` pulls with the run's identity. Passing `--username/--password`
 *   would put a credential into the task text and the log; `az acr login` is not in the Trivy
 *   image. Consequence: only the run's own registry can be scanned (checked in the scanner).
 *
 * Why a shell: acr-builder runs `cmd` with docker directly (no host shell), so redirection and
 * chaining must happen inside the container. The Trivy image is Alpine-based and has /bin/sh.
 * Trivy writes the report to a file (`--output`), and only then is it printed between markers:
 * its progress lines go to stderr and would otherwise interleave with the JSON in the run log.
 * The markers are assembled by printf so the literal marker never appears in the task text
 * itself, and carry the run id (`{{.Run.ID}}`, rendered by ACR) so a report is never taken from
 * a different run.
 *
 * Production should pin TRIVY_IMAGE by digest (`aquasec/trivy@sha256:…`): the scanner is the gate,
 * a mutable tag would let whoever controls the tag decide what passes.
 */
import { stringify } from 'yaml';
import { BEGIN, END } from './log-report.js';

export interface ScanTaskInput {
  trivyImage: string;
  dbRepository: string;
  /** `registry/repository@sha256:…` */
  imageRef: string;
  stepTimeoutSeconds: number;
}

/** Characters that need no quoting in sh and no escaping in acr-builder's command splitter. */
const SAFE = /^[A-Za-z0-9._/:@+-]+$/;
export const isShellSafe = (s: string): boolean => SAFE.test(s);

export function scanTaskYaml(input: ScanTaskInput): string {
  for (const v of [input.trivyImage, input.dbRepository, input.imageRef]) {
    if (!isShellSafe(v)) throw new Error(`unsafe value in scan task: ${JSON.stringify(v)}`);
  }
  const marker = (which: string) => `printf '\\n===%s %s===\\n' ${which} {{.Run.ID}}`;
  const script = [
    `trivy image --quiet --no-progress --format json --output trivy-report.json --db-repository ${input.dbRepository} ${input.imageRef}`,
    marker(BEGIN),
    'cat trivy-report.json',
    marker(END),
  ].join(' && ');
  return stringify({
    version: 'v1.1.0',
    stepTimeout: input.stepTimeoutSeconds,
    steps: [{ id: 'trivy', entryPoint: 'sh', cmd: `${input.trivyImage} -c "${script}"` }],
  });
}

export const encodeTask = (yaml: string): string => Buffer.from(yaml, 'utf8').toString('base64');
