import type { PasswordPolicy } from '../model/site.js';

/** The defaults of a new site (Admin > Configure > Security). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireDigit: true,
  requireSymbol: false,
  disallowLogon: true,
};

/** Passwords longer than this are refused before hashing, so a request cannot make us hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Every rule of the policy that `password` breaks, as sentences an administrator can act on; an
 * empty list means the password is acceptable. All rules are checked so the answer names them all.
 */
export function passwordViolations(password: string, policy: PasswordPolicy, logon: string): string[] {
  const violations: string[] = [];
  // Length in code points, as a person counts characters (an emoji is one).
  let length = 0;
  for (const _character of password) length++;
  if (length < policy.minLength) violations.push(`at least ${policy.minLength} characters`);
  if (length > MAX_PASSWORD_LENGTH) violations.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) violations.push('an upper-case letter');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) violations.push('a lower-case letter');
  if (policy.requireDigit && !/\p{Nd}/u.test(password)) violations.push('a digit');
  if (policy.requireSymbol && !/[^\p{L}\p{Nd}\s]/u.test(password)) violations.push('a symbol');
  if (policy.disallowLogon && logon.length > 0 && password.toLowerCase().includes(logon.toLowerCase())) {
    violations.push('not containing the Logon');
  }
  return violations;
}

/** A one-line summary of the policy, for error messages and the CLI. */
export function describePolicy(policy: PasswordPolicy): string {
  const parts = [`at least ${policy.minLength} characters`];
  if (policy.requireUppercase) parts.push('an upper-case letter');
  if (policy.requireLowercase) parts.push('a lower-case letter');
  if (policy.requireDigit) parts.push('a digit');
  if (policy.requireSymbol) parts.push('a symbol');
  if (policy.disallowLogon) parts.push('not containing the Logon');
  return parts.join(', ');
}
