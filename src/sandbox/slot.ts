/**
 * A sandbox service stands in for one external system (Kubernetes API, GitHub API, Log Analytics,
 * the scanner, ARM) when no real endpoint is configured. It returns the settings that point the
 * production adapters at it; those adapters then talk to it over HTTP(S) like to the real thing.
 */
export interface SandboxService {
  name: string;
  /** Human-facing lines for the start-up banner (URLs, knobs). */
  describe: string[];
  /** Settings that point the adapters at this service. */
  settings: Record<string, string>;
  /** The fake itself, for tests that turn its knobs directly (typed by each slot's module). */
  handle?: unknown;
  /**
   * Called once the local host listens, with its own URL and function key: a fake that calls the host
   * back (ACR's ImagePushed) sends there, not to a guessed port or to TAILSPIN_PUBLIC_URL.
   */
  hostReady?(host: { url: string; functionKey: string }): void;
  stop(): Promise<void>;
}

export interface SandboxSlot {
  name: string;
  /** True when the environment already points at a real system, so the fake is not needed. */
  realConfigured(env: Record<string, string | undefined>): boolean;
  start(ctx: { root: string; env: Record<string, string | undefined> }): Promise<SandboxService>;
}
