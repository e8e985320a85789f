import type { Client, ClientRepository } from './ports.js';

/**
 * The internal client that issues personal access tokens (Passport's
 * `passport:client --personal`). Created by `install` and by the first start; a missing
 * one is created on demand, never a 500 for the user.
 */
export async function ensurePersonalAccessClient(clients: ClientRepository, appName: string): Promise<Client> {
  const existing = await clients.findPersonalAccessClient();
  if (existing) return existing;
  const client = await clients.create({
    userId: null,
    name: `${appName} Personal Access Client`,
    secretHash: null,
    redirectUris: [],
    personalAccessClient: true,
    grantTypes: ['personal_access'],
  });
  await clients.markPersonalAccessClient(client.id);
  return client;
}
