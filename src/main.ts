import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { firstStartLines, prepareStorage } from './first-start.js';
import { buildApp } from './http/app.js';
import { ListenError, listen } from './listen.js';
import { KeyError } from './oauth/signing-keys.js';
import { createServices } from './services.js';
import { shutdownOnSignals } from './shutdown.js';

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
  const missing = prepareStorage(config);
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
  const { client: personalAccessClient, created: personalAccessClientCreated } = await services.personalAccess.ensureClient();
  const app = await buildApp(services);
  let listening;
  try {
    listening = await listen(app, config);
  } catch (error) {
    if (error instanceof ListenError) {
      console.error(`Cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  shutdownOnSignals(app, services, { timeout: config.shutdownTimeout, siblings: listening.siblings });
  const facts = {
    signingKey: services.keys.active,
    // Told by the one that made it, not guessed from timestamps (a restart within the same second looked like a creation).
    personalAccessClient: { id: personalAccessClient.id, created: personalAccessClientCreated },
    urls: listening.urls,
    appUrl: config.appUrl,
  };
  for (const line of firstStartLines(missing, facts)) console.log(line);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
