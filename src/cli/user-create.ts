import type { Command } from 'commander';
import { EmailTakenError } from '../accounts/users.js';
import { presentUser } from '../presenters/user.js';
import { isEmail } from './arguments.js';
import { readPassword } from './read-password.js';
import { UsageError, print, printJson, readConfig, withAdministration } from './context.js';

interface UserCreateOptions {
  name: string;
  email: string;
  password?: string;
  json?: boolean;
}

export function registerUserCreate(program: Command): void {
  program
    .command('user:create')
    .description('Create a user')
    .requiredOption('--name <name>', 'the user name')
    .requiredOption('--email <email>', 'the email address (unique)')
    .option('--password <password>', 'the password (at least 8 characters); without it, read from a prompt or standard input')
    .option('--json', 'print the user as one JSON object')
    .action(async (options: UserCreateOptions) => {
      const input = { name: options.name.trim(), email: options.email.trim(), password: options.password ?? (await readPassword()) };
      const problems = validate(input);
      if (problems.length > 0) throw new UsageError(problems.join('\n'));
      const config = readConfig();
      const user = await withAdministration(config, async (admin) => {
        try {
          return await admin.users.register(input);
        } catch (error) {
          if (error instanceof EmailTakenError) throw new UsageError(error.message);
          throw error;
        }
      });
      if (options.json) {
        printJson(presentUser(user));
        return;
      }
      print('User created successfully.');
      print(`ID: ${user.id}`);
      print(`Name: ${user.name}`);
      print(`Email: ${user.email}`);
    });
}

/** The registration rules, in Laravel's wording. */
function validate(input: { name: string; email: string; password: string }): string[] {
  const problems: string[] = [];
  if (input.name === '') problems.push('The name field is required.');
  if (input.name.length > 255) problems.push('The name field must not be greater than 255 characters.');
  if (input.email === '') problems.push('The email field is required.');
  else if (!isEmail(input.email)) problems.push('The email field must be a valid email address.');
  if (input.password.length < 8) problems.push('The password field must be at least 8 characters.');
  return problems;
}
