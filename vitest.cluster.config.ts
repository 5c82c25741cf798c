import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the Cluster contract against a real API server ($KUBECONFIG, or a local
// control plane from test/cluster/control-plane.ts). Slow to start, so generous timeouts.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
