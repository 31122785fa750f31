import { describe, expect, it } from 'vitest';
import {
  EMPTY_FORM,
  changedFields,
  isRealDate,
  patientToForm,
  todayIso,
  toPatientInput,
  validateAge,
  validateGender,
  validateLastVisit,
  validateMedicalCondition,
  validateName,
  validatePatient,
  validatePatientID,
  type PatientFormValues,
} from './validation';

const VALID: PatientFormValues = {
  patientID: 'P001',
  name: 'John Doe',
  age: '45',
  gender: 'Male',
  medicalCondition: 'Hypertension',
  lastVisit: '2024-01-15',
};

describe('patientID: 1–50 characters, no surrounding blanks', () => {
  it.each(['P', 'P001', 'p-003 b', 'x'.repeat(50)])('accepts %j', (value) => {
    expect(validatePatientID(value)).toBeUndefined();
  });
  it('asks for a value when empty', () => {
    expect(validatePatientID('')).toBe('Enter a patient ID.');
  });
  it.each([' P001', 'P001 ', '\tP001', '   '])('refuses surrounding blanks in %j', (value) => {
    expect(validatePatientID(value)).toMatch(/must not start or end with a space/);
  });
  it('refuses 51 characters', () => {
    expect(validatePatientID('x'.repeat(51))).toMatch(/50 characters or fewer/);
  });
  it('counts characters as the server does (code points, not UTF-16 units)', () => {
    expect(validatePatientID('😀'.repeat(50))).toBeUndefined();
    expect(validatePatientID('😀'.repeat(51))).toMatch(/50 characters/);
  });
});

describe('name: 1–255 characters, not blank', () => {
  it('accepts a name', () => expect(validateName('Jane Smith')).toBeUndefined());
  it('accepts 255 characters', () => expect(validateName('a'.repeat(255))).toBeUndefined());
  it.each(['', '   '])('refuses blank %j', (value) => {
    expect(validateName(value)).toBe("Enter the patient's name.");
  });
  it('refuses 256 characters', () => {
    expect(validateName('a'.repeat(256))).toMatch(/255 characters or fewer/);
  });
});

describe('age: whole number 1–150', () => {
  it.each(['1', '45', '150', ' 7 '])('accepts %j', (value) => {
    expect(validateAge(value)).toBeUndefined();
  });
  it('asks for a value when empty', () => expect(validateAge('')).toBe('Enter the age.'));
  it.each(['0', '151', '999'])('refuses %j as out of range', (value) => {
    expect(validateAge(value)).toBe('Age must be between 1 and 150.');
  });
  it.each(['4.5', '-3', 'abc', '1e2', '45 years'])('refuses %j as not a whole number', (value) => {
    expect(validateAge(value)).toBe('Age must be a whole number.');
  });
});

describe('gender: Male, Female or Other', () => {
  it.each(['Male', 'Female', 'Other'])('accepts %j', (value) => {
    expect(validateGender(value)).toBeUndefined();
  });
  it('asks for a choice when empty', () => expect(validateGender('')).toBe('Choose a gender.'));
  it.each(['male', 'M', 'Unknown'])('refuses %j', (value) => {
    expect(validateGender(value)).toBe('Gender must be Male, Female or Other.');
  });
});

describe('medicalCondition: 1–255 characters, not blank', () => {
  it('accepts a condition', () => expect(validateMedicalCondition('Asthma')).toBeUndefined());
  it.each(['', ' \t '])('refuses blank %j', (value) => {
    expect(validateMedicalCondition(value)).toBe('Enter the medical condition.');
  });
  it('refuses 256 characters', () => {
    expect(validateMedicalCondition('a'.repeat(256))).toMatch(/255 characters or fewer/);
  });
});

describe('lastVisit: a real YYYY-MM-DD date, not in the future', () => {
  const today = '2025-06-15';
  it.each(['2025-06-15', '2024-02-29', '1999-12-31'])('accepts %j', (value) => {
    expect(validateLastVisit(value, today)).toBeUndefined();
  });
  it('asks for a value when empty', () => {
    expect(validateLastVisit('', today)).toBe('Enter the date of the last visit.');
  });
  it.each(['2023-02-29', '2024-13-01', '2024-04-31', '2024-1-5', '15/01/2024', '2024-01-15T10:00'])(
    'refuses %j as not a real date',
    (value) => {
      expect(validateLastVisit(value, today)).toBe('Enter a real date as YYYY-MM-DD.');
    },
  );
  it('refuses tomorrow', () => {
    expect(validateLastVisit('2025-06-16', today)).toBe('The last visit cannot be in the future.');
  });
  it('uses the local calendar for today', () => {
    expect(todayIso(new Date(2024, 0, 5, 23, 59))).toBe('2024-01-05');
  });
  it('knows leap years', () => {
    expect(isRealDate('2000-02-29')).toBe(true);
    expect(isRealDate('1900-02-29')).toBe(false);
  });
});

describe('validatePatient', () => {
  it('returns no errors for a valid record', () => {
    expect(validatePatient(VALID, '2025-01-01')).toEqual({});
  });
  it('reports every field of an empty form', () => {
    expect(Object.keys(validatePatient(EMPTY_FORM, '2025-01-01'))).toEqual([
      'patientID',
      'name',
      'age',
      'gender',
      'medicalCondition',
      'lastVisit',
    ]);
  });
  it('checks only the fields the form shows (a receptionist has no medical condition)', () => {
    const fields = ['patientID', 'name', 'age', 'gender', 'lastVisit'] as const;
    expect(validatePatient({ ...VALID, medicalCondition: '' }, '2025-01-01', fields)).toEqual({});
  });
});

describe('request bodies', () => {
  it('turns the form into the wire format with a numeric age', () => {
    expect(toPatientInput(VALID)).toEqual({ ...VALID, age: 45 });
  });
  it('sends only the fields that changed in an edit', () => {
    const before = patientToForm({ id: '3e3a', ...VALID, age: 45 });
    expect(changedFields(before, { ...before, age: '46', medicalCondition: 'Recovered' })).toEqual({
      age: 46,
      medicalCondition: 'Recovered',
    });
    expect(changedFields(before, before)).toEqual({});
  });
  it('never puts a field the role may not see into a body', () => {
    const fields = ['patientID', 'name', 'age', 'gender', 'lastVisit'] as const;
    expect(toPatientInput(VALID, fields)).not.toHaveProperty('medicalCondition');
    const before = patientToForm({ id: 1, ...VALID, age: 45 });
    expect(changedFields(before, { ...before, name: 'J. Doe', medicalCondition: 'x' }, fields)).toEqual({
      name: 'J. Doe',
    });
  });
});
