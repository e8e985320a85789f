import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { buildApp } from './http/app.js';
import { KeyError } from './oauth/signing-keys.js';
import { createServices } from './services.js';

/** Starts the server: configuration → storage → core → HTTP, then listen. */
export async function serve(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let services;
  try {
    services = await createServices(config, { generateSecrets: true, migrate: true });
  } catch (error) {
    if (error instanceof KeyError || error instanceof ConfigError) {
      console.error(`Cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  await services.personalAccess.ensureClient();
  const app = await buildApp(services);
  const shutdown = async () => {
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await app.listen({ port: config.port, host: config.host });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
