import { useEffect, useState } from 'react';

export type Problems<F extends string> = Partial<Record<F, string>>;

interface FieldFormOptions<F extends string> {
  /** The fields in screen order: focus goes to the first one at fault. */
  fields: readonly F[];
  /** Each input's id is `${idPrefix}-${field}`. */
  idPrefix: string;
  initialValues: Record<F, string>;
  /** The field that has the focus when the form appears, if any. */
  focusOnMount?: F;
}

/**
 * A form's values, the problem shown at each field, the summary above them, and the focus:
 * it moves to the first field at fault once React has rendered the messages the input
 * points to (aria-describedby), so a screen reader reads them with the field.
 */
export function useFieldForm<F extends string>(options: FieldFormOptions<F>) {
  const { fields, idPrefix } = options;
  const [values, setValues] = useState(options.initialValues);
  const [problems, setProblems] = useState<Problems<F>>({});
  const [error, setError] = useState('');
  const [focusRequest, setFocusRequest] = useState<{ field: F } | null>(
    options.focusOnMount ? { field: options.focusOnMount } : null,
  );

  useEffect(() => {
    if (focusRequest) document.getElementById(`${idPrefix}-${focusRequest.field}`)?.focus();
  }, [focusRequest, idPrefix]);

  return {
    values,
    problems,
    error,
    inputId: (field: F) => `${idPrefix}-${field}`,
    /** A new value for `field`; its problem goes, the user is fixing it. */
    change(field: F, value: string) {
      setValues((previous) => ({ ...previous, [field]: value }));
      setProblems(({ [field]: _fixed, ...rest }) => rest as Problems<F>);
    },
    /** Show `found` at the fields and `message` above, and move to the first at fault. */
    showProblems(found: Problems<F>, message: string) {
      setProblems(found);
      setError(message);
      const first = fields.find((field) => found[field] !== undefined);
      if (first) setFocusRequest({ field: first });
    },
    clearProblems() {
      setProblems({});
      setError('');
    },
    /** Back to `initial` (after a successful submit), the cursor in `field`. */
    reset(initial: Record<F, string>, field: F) {
      setValues(initial);
      setFocusRequest({ field });
    },
  };
}
