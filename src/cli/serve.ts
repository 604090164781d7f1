import { type Config, ConfigError, loadConfig } from '../config.js';
import { openZone } from '../zone.js';

/** `onezone serve`: start the zone, print where it listens, stop cleanly on SIGTERM/SIGINT. */
export async function serve(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`onezone serve: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const zone = await openZone(config);
  if (zone.generatedAdminPassword) {
    process.stderr.write(
      `\nCreated user 'admin' with a generated password (shown only this once):\n  ${zone.generatedAdminPassword}\n` +
        `Set ONEZONE_ADMIN_PASSWORD on first start to choose it instead.\n\n`,
    );
  }
  await zone.app.listen({ port: config.port, host: config.host });
  const address = zone.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  process.stdout.write(`onezone listening on ${config.http ? 'http' : 'https'}://${host}:${port}/api/v3/onezone\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    zone.app.log.info({ signal }, 'shutting down');
    zone.close().then(
      () => process.exit(0),
      (err) => {
        zone.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
