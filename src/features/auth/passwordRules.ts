/** The server's password policy, checked first in the page (the server stays the authority). */
export const PASSWORD_MIN_LENGTH = 12;

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters, not the username, not a common password.`;

/** Characters as the server counts them (code points). */
const length = (value: string) => [...value].length;

/** The message for a password the policy refuses, or undefined; `what` names it ("The new password"). */
export function passwordProblem(password: string, username: string, what: string): string | undefined {
  if (password === '') return `Enter ${what.replace(/^The /, 'the ')}.`;
  if (length(password) < PASSWORD_MIN_LENGTH) return `${what} must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (username !== '' && password.toLowerCase() === username.trim().toLowerCase()) {
    return `${what} must not be the username.`;
  }
  return undefined;
}
