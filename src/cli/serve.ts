import type { Command } from 'commander';
import { Option } from 'commander';
import { wholeNumber } from './arguments.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the server (as npm start)')
    .addOption(new Option('--port <port>', 'listen on this port (overrides PORT)').argParser(wholeNumber(0, 65535)))
    .addOption(new Option('--host <host>', 'listen on this address (overrides HOST)'))
    .action(async (options: { port?: number; host?: string }) => {
      if (options.port !== undefined) process.env.PORT = String(options.port);
      if (options.host !== undefined) process.env.HOST = options.host;
      // Imported here so the other commands never load the HTTP stack.
      const { serve } = await import('../main.js');
      await serve();
    });
}
