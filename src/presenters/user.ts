import type { UserProfile } from '../accounts/ports.js';
import { jsonTime } from './json-time.js';

/** A user as Laravel serialises it: never the password hash or remember token. */
export function presentUser(user: UserProfile) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    email_verified_at: jsonTime(user.emailVerifiedAt),
    created_at: jsonTime(user.createdAt),
    updated_at: jsonTime(user.updatedAt),
  };
}
