import { describe, expect, it } from 'vitest';
import { isValidCodeChallenge, isValidCodeVerifier, s256Challenge, verifyCodeChallenge } from '../../src/oauth/pkce.js';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(s256Challenge(VERIFIER)).toBe(CHALLENGE);
    expect(verifyCodeChallenge(VERIFIER, CHALLENGE, 'S256')).toBe(true);
  });

  it('verifies plain challenges by equality', () => {
    expect(verifyCodeChallenge(VERIFIER, VERIFIER, 'plain')).toBe(true);
    expect(verifyCodeChallenge(VERIFIER, CHALLENGE, 'plain')).toBe(false);
  });

  it('rejects a wrong verifier, an S256 challenge used as plain verifier, and unknown methods', () => {
    expect(verifyCodeChallenge(`${VERIFIER.slice(0, -1)}l`, CHALLENGE, 'S256')).toBe(false);
    expect(verifyCodeChallenge(CHALLENGE, CHALLENGE, 'S256')).toBe(false);
    expect(verifyCodeChallenge(VERIFIER, VERIFIER, 'S512')).toBe(false);
  });

  it('accepts only 43 to 128 unreserved characters as a verifier', () => {
    expect(isValidCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isValidCodeVerifier('A-._~z'.repeat(21).slice(0, 128))).toBe(true);
    expect(isValidCodeVerifier('a'.repeat(42))).toBe(false);
    expect(isValidCodeVerifier('a'.repeat(129))).toBe(false);
    expect(isValidCodeVerifier(`${'a'.repeat(42)}+`)).toBe(false);
    // A too-short verifier never verifies, even against itself as a plain challenge.
    expect(verifyCodeChallenge('short', 'short', 'plain')).toBe(false);
  });

  it('validates challenges by method', () => {
    expect(isValidCodeChallenge(CHALLENGE, 'S256')).toBe(true);
    expect(isValidCodeChallenge(`${CHALLENGE}x`, 'S256')).toBe(false);
    expect(isValidCodeChallenge(VERIFIER, 'plain')).toBe(true);
  });
});
