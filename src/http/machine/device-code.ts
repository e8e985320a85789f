import { Type } from 'typebox';
import type { MachineRouteModule } from './machine-endpoints.js';
import { oauthBodySchema, tokenRequest } from './oauth-params.js';

const DeviceCodeRequestBody = oauthBodySchema({
  client_id: 'The client id (or use HTTP Basic)',
  client_secret: 'The client secret (or use HTTP Basic); public clients send none',
  scope: 'Space-separated scopes',
});

const DeviceCodeResponseBody = Type.Object({
  device_code: Type.String(),
  user_code: Type.String(),
  verification_uri: Type.String(),
  verification_uri_complete: Type.String(),
  expires_in: Type.Integer(),
  interval: Type.Integer(),
});

/**
 * POST /oauth/device/code (RFC 8628 §3.1): a device asks for a device code and a user code,
 * authenticating as on the token endpoint. The user answers on the /oauth/device page.
 */
export const deviceCodeRoutes: MachineRouteModule = (machine, services) => {
  machine.post(
    '/oauth/device/code',
    {
      schema: {
        summary: 'Start a device authorization (RFC 8628)',
        tags: ['OAuth'],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: DeviceCodeRequestBody,
        response: { 200: DeviceCodeResponseBody },
      },
    },
    async (request) => services.device.start(tokenRequest(request)),
  );
};
