import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { envelope, jsonResponse, stubFetch } from '../testing/fakeApi';
import { App } from './App';

describe('App', () => {
  it('has the Register, Find and Patients sections, each a named region', async () => {
    stubFetch(() => jsonResponse(envelope([], 1, 0, 0)));
    render(<App />);
    expect(screen.getByRole('heading', { level: 1, name: 'Patient Registry' })).toBeInTheDocument();
    for (const name of ['Register a patient', 'Find a patient', 'Patients']) {
      expect(screen.getByRole('region', { name })).toBeInTheDocument();
    }
    expect(await screen.findByText('No patients registered yet.')).toBeInTheDocument();
  });
});
