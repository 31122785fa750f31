import { describe, expect, it } from 'vitest';
import { parseRoute, patientHref } from './routes';

describe('the places in the hash', () => {
  it('names a patient record by its id, escaped both ways', () => {
    expect(patientHref('a/b c')).toBe('#patient/a%2Fb%20c');
    expect(parseRoute(patientHref('a/b c'))).toEqual({ page: 'patient', id: 'a/b c' });
    expect(parseRoute('#patient/12')).toEqual({ page: 'patient', id: '12' });
  });

  it('knows the admin pages, and takes anything else for a section of the registry', () => {
    expect(parseRoute('#activity')).toEqual({ page: 'activity' });
    expect(parseRoute('#deleted-patients')).toEqual({ page: 'deleted-patients' });
    expect(parseRoute('#duplicates')).toEqual({ page: 'duplicates' });
    expect(parseRoute('#staff')).toEqual({ page: 'registry', section: 'staff' });
    expect(parseRoute('')).toEqual({ page: 'registry', section: '' });
    expect(parseRoute('#patient/%E0%A4%A')).toEqual({ page: 'registry', section: 'patient/%E0%A4%A' });
  });
});
