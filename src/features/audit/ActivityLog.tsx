import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { useFieldForm, type Problems } from '../../hooks/useFieldForm';
import { auditService } from '../../lib/api/auditService';
import { AUDIT_ACTIONS, NO_AUDIT_FILTERS, type AuditFilters } from '../../lib/api/types';
import { AuditEvents } from './AuditEvents';
import { actionLabel } from './labels';

type Field = keyof AuditFilters;

const FIELDS: readonly Field[] = ['patientId', 'username', 'action', 'from', 'to'];

const LABELS: Record<Field, string> = {
  patientId: 'Record number',
  username: 'Username',
  action: 'Action',
  from: 'From',
  to: 'To',
};

function check(values: AuditFilters): Problems<Field> {
  const found: Problems<Field> = {};
  if (!/^\d*$/.test(values.patientId.trim())) found.patientId = 'Enter the record number in digits, for example 12.';
  // ISO dates compare correctly as strings.
  if (values.from && values.to && values.from > values.to) found.to = 'The end date must not be before the start date.';
  return found;
}

/** Local midnight of a YYYY-MM-DD day, `days` later, as a UTC date-time. */
function localMidnight(day: string, days = 0): Date {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(year, month - 1, date + days);
}

/**
 * The filters as the server takes them. The page shows local times, so a day is the viewer's
 * day: its first and last microsecond in UTC (a bare date would be a UTC day on the server).
 */
export function toServerFilters(values: AuditFilters): AuditFilters {
  const end = (day: string) => `${new Date(localMidnight(day, 1).getTime() - 1).toISOString().slice(0, -1)}999Z`;
  return {
    ...values,
    from: values.from && localMidnight(values.from).toISOString(),
    to: values.to && end(values.to),
  };
}

/**
 * The admin's view of the audit trail: filter by record, user, action and dates, page through
 * the events, and download the events the filters select as CSV.
 */
export function ActivityLog() {
  const form = useFieldForm({ fields: FIELDS, idPrefix: 'activity', initialValues: NO_AUDIT_FILTERS });
  const { values, problems, inputId, change } = form;
  const [applied, setApplied] = useState<AuditFilters>(NO_AUDIT_FILTERS);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = check(values);
    if (Object.keys(found).length > 0) {
      form.showProblems(found, 'Please correct the filters marked below.');
      return;
    }
    form.clearProblems();
    setApplied(toServerFilters(values));
  }

  function clear() {
    form.clearProblems();
    form.reset(NO_AUDIT_FILTERS, 'patientId');
    setApplied(NO_AUDIT_FILTERS);
  }

  const input = (field: Field, type: 'text' | 'date', hint?: string) => (
    <FormField id={inputId(field)} label={LABELS[field]} error={problems[field]} hint={hint}>
      {(a11y) => (
        <input
          id={inputId(field)}
          name={field}
          type={type}
          autoComplete="off"
          value={values[field]}
          onChange={(event) => change(field, event.target.value)}
          {...a11y}
        />
      )}
    </FormField>
  );

  return (
    <>
      <form className="filters" role="search" aria-label="Filter the events" noValidate onSubmit={submit}>
        {form.error && (
          <p role="alert" className="message message--error">
            {form.error}
          </p>
        )}
        <div className="filters__fields">
          {input('patientId', 'text', "As shown on the patient's record page.")}
          {input('username', 'text')}
          <FormField id={inputId('action')} label={LABELS.action}>
            {(a11y) => (
              <select
                id={inputId('action')}
                name="action"
                value={values.action}
                onChange={(event) => change('action', event.target.value)}
                {...a11y}
              >
                <option value="">Any action</option>
                {AUDIT_ACTIONS.map((action) => (
                  <option key={action} value={action}>
                    {actionLabel(action)}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          {input('from', 'date')}
          {input('to', 'date', 'Both dates included.')}
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary">
            Show events
          </button>
          <button type="button" className="button" onClick={clear}>
            Clear filters
          </button>
          {/* A plain link: the browser saves the file itself, sending the session cookie. */}
          <a className="button" href={auditService.exportUrl(applied)} download>
            Download CSV
          </a>
        </div>
      </form>
      <AuditEvents label="Audit events" filters={applied} detailed />
    </>
  );
}
