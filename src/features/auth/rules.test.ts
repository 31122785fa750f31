import { describe, expect, it } from 'vitest';
import { durationText, idleSignOutMessage } from './messages';
import { passwordProblem } from './passwordRules';
import { patientAccessFor } from '../patients/access';

describe('the idle sign-out message', () => {
  it.each([
    [900, 'You were signed out after 15 minutes without activity.'],
    [60, 'You were signed out after 1 minute without activity.'],
    [4, 'You were signed out after 4 seconds without activity.'],
    [1, 'You were signed out after 1 second without activity.'],
  ])('%i seconds', (seconds, message) => {
    expect(idleSignOutMessage(seconds)).toBe(message);
  });

  it('keeps the seconds of a timeout that is not whole minutes', () => {
    expect(durationText(90)).toBe('1 minute and 30 seconds');
  });
});

describe('the password policy, checked in the page', () => {
  it('wants 12 characters or more, counted as the server counts them', () => {
    expect(passwordProblem('a'.repeat(11), 'bob', 'The new password')).toBe(
      'The new password must be at least 12 characters.',
    );
    expect(passwordProblem('😀'.repeat(12), 'bob', 'The new password')).toBeUndefined();
  });

  it('refuses the username, ignoring case', () => {
    expect(passwordProblem('Bob-The-Builder', 'bob-the-builder', 'The new password')).toBe(
      'The new password must not be the username.',
    );
  });

  it('asks for a value when empty', () => {
    expect(passwordProblem('', 'bob', 'The temporary password')).toBe('Enter the temporary password.');
  });
});

describe('what each role sees of a patient', () => {
  it('gives clinicians and admins everything, a receptionist (or an unknown role) no condition and no delete', () => {
    expect(patientAccessFor('clinician')).toMatchObject({ canDelete: true });
    expect(patientAccessFor('admin').fields).toContain('medicalCondition');
    for (const role of ['receptionist', 'visitor']) {
      expect(patientAccessFor(role).canDelete).toBe(false);
      expect(patientAccessFor(role).fields).not.toContain('medicalCondition');
    }
  });
});
