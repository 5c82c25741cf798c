/** APPLICATIONINSIGHTS_CONNECTION_STRING: optional; when set it must be one, and start-up names it if not. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/services/config.js';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'a-secret-of-sixteen+' };
const good =
  'InstrumentationKey=5b7e1d2c-0a4f-4e3b-9c8d-7f6e5d4c3b2a;IngestionEndpoint=https://eastus2-3.in.applicationinsights.azure.com/';

describe('APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  it('is optional, and empty means memory only', () => {
    expect(loadConfig(base).APPLICATIONINSIGHTS_CONNECTION_STRING).toBeUndefined();
    expect(loadConfig({ ...base, APPLICATIONINSIGHTS_CONNECTION_STRING: ' ' }).APPLICATIONINSIGHTS_CONNECTION_STRING).toBeUndefined();
    expect(loadConfig({ ...base, APPLICATIONINSIGHTS_CONNECTION_STRING: good }).APPLICATIONINSIGHTS_CONNECTION_STRING).toBe(good);
  });

  it('a value that is not a connection string stops start-up, naming the setting', () => {
    const run = () => loadConfig({ ...base, APPLICATIONINSIGHTS_CONNECTION_STRING: 'https://eastus2-3.in.applicationinsights.azure.com/' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: expected an Application Insights connection string/);
  });
});
