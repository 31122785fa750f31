import { FormField } from '../../components/FormField';
import { FIELD_LABELS, GENDERS, type FieldErrors, type PatientField } from '../../lib/api/types';
import { todayIso, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';

export const fieldId = (prefix: string, field: PatientField) => `${prefix}-${field}`;

interface PatientFieldsProps {
  idPrefix: string;
  values: PatientFormValues;
  errors: FieldErrors;
  onChange: (field: PatientField, value: string) => void;
}

/**
 * The inputs of a patient record, shared by the register and edit forms: the six fields,
 * less those the signed-in role may not see (a receptionist's have no medical condition).
 */
export function PatientFields({ idPrefix, values, errors, onChange }: PatientFieldsProps) {
  const { fields } = usePatientAccess();
  const id = (field: PatientField) => fieldId(idPrefix, field);
  const textInput = (field: PatientField) => (
    <FormField id={id(field)} label={FIELD_LABELS[field]} error={errors[field]}>
      {(a11y) => (
        <input
          id={id(field)}
          name={field}
          type="text"
          value={values[field]}
          autoComplete="off"
          onChange={(event) => onChange(field, event.target.value)}
          {...a11y}
        />
      )}
    </FormField>
  );

  return (
    <div className="patient-fields">
      {textInput('patientID')}
      {textInput('name')}
      <FormField id={id('age')} label={FIELD_LABELS.age} error={errors.age} hint="In years, 1 to 150.">
        {(a11y) => (
          <input
            id={id('age')}
            name="age"
            type="text"
            inputMode="numeric"
            value={values.age}
            onChange={(event) => onChange('age', event.target.value)}
            {...a11y}
          />
        )}
      </FormField>
      <FormField id={id('gender')} label={FIELD_LABELS.gender} error={errors.gender}>
        {(a11y) => (
          <select
            id={id('gender')}
            name="gender"
            value={values.gender}
            onChange={(event) => onChange('gender', event.target.value)}
            {...a11y}
          >
            <option value="">Choose…</option>
            {GENDERS.map((gender) => (
              <option key={gender} value={gender}>
                {gender}
              </option>
            ))}
            {/* Keep a legacy value visible instead of silently changing it. */}
            {values.gender !== '' && !(GENDERS as readonly string[]).includes(values.gender) && (
              <option value={values.gender}>{values.gender}</option>
            )}
          </select>
        )}
      </FormField>
      {fields.includes('medicalCondition') && textInput('medicalCondition')}
      <FormField id={id('lastVisit')} label={FIELD_LABELS.lastVisit} error={errors.lastVisit}>
        {(a11y) => (
          <input
            id={id('lastVisit')}
            name="lastVisit"
            type="date"
            value={values.lastVisit}
            max={todayIso()}
            onChange={(event) => onChange('lastVisit', event.target.value)}
            {...a11y}
          />
        )}
      </FormField>
    </div>
  );
}
