import type { ClientAuthDeps } from '../client-authentication.js';
import type { DeviceAuthorizationResponse, DeviceFlowDeps, PendingDeviceAuthorization } from '../device-authorization.js';
import { answerDeviceAuthorization, findPendingDeviceAuthorization, requestDeviceAuthorization } from '../device-authorization.js';
import type { TokenRequest } from '../token-endpoint.js';

/** The device authorization grant (RFC 8628): the device's request and the user's answer on the page. */
export interface DeviceUseCases {
  /** POST /oauth/device/code. */
  start(request: TokenRequest): Promise<DeviceAuthorizationResponse>;
  /** The pending, unexpired authorization for what the user typed, with its client. */
  findPending(userCode: string | undefined): Promise<PendingDeviceAuthorization | undefined>;
  /** Records the user's answer; false when it was answered, used or expired meanwhile (only the first answer counts). */
  answer(pending: PendingDeviceAuthorization, answer: { userId: number; approved: boolean }): Promise<boolean>;
}

export function createDeviceUseCases(deps: DeviceFlowDeps, clientAuth: ClientAuthDeps, verificationUri: string): DeviceUseCases {
  return {
    start: (request) => requestDeviceAuthorization(request, deps, clientAuth, verificationUri),
    findPending: (userCode) => findPendingDeviceAuthorization(userCode, deps),
    answer: (pending, answer) => answerDeviceAuthorization(pending.code, answer, deps),
  };
}
