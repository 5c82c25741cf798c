/**
 * Composition root for the Azure Functions host: load config once, build adapters once,
 * register functions. `func start` and Azure load the bundle of this file (package.json#main).
 */
import { app } from './functions/azure-functions.js';
import { loadConfig, ConfigError } from './services/config.js';
import { buildServices } from './services/compose.js';
import { registerAll } from './functions/index.js';
import type { Registrar } from './functions/registrar.js';

const azure: Registrar = {
  http: (name, r) => app.http(name, { route: r.route, methods: r.methods, authLevel: r.authLevel, handler: r.handler }),
  storageQueue: (name, r) => app.storageQueue(name, { queueName: r.queueName, connection: r.connection, handler: r.handler }),
  timer: (name, r) => app.timer(name, { schedule: r.schedule, handler: r.handler }),
  eventGrid: (name, r) => app.eventGrid(name, { handler: r.handler }),
};

try {
  registerAll(azure, buildServices(loadConfig(process.env)));
} catch (e) {
  // The host shows this line in its start-up log; a stack trace would bury the setting's name.
  if (e instanceof ConfigError) {
    console.error(`tailspin-deployer: ${e.message}`);
  }
  throw e;
}
