import type { Command } from 'commander';
import { UsageError, print, readConfig, withAdministration } from './context.js';

export function registerRegistrationTokenRevoke(program: Command): void {
  program
    .command('registration-token:revoke')
    .description('Revoke an initial access token of dynamic client registration (clients it registered keep working)')
    .argument('<id>', 'the id registration-token:list shows, or the token itself')
    // A token is base64url: one in 64 begins with "-", which must reach us as the token, not
    // be refused as an unknown option (the command has no options but --help).
    .allowUnknownOption()
    .action(async (idOrToken: string) => {
      const result = await withAdministration(readConfig(), (admin) => admin.registrationTokens.revoke(idOrToken.trim()));
      if (result === 'missing') throw new UsageError('There is no such initial access token.');
      print(result === 'revoked' ? 'Initial access token revoked.' : 'Initial access token already revoked.');
    });
}
