import type { ReactElement } from 'react';

interface FormFieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  /** Receives the ids that describe the control; spread them onto the input. */
  children: (describedBy: { 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactElement;
}

/** A visible label, the control, and its message underneath, wired for screen readers. */
export function FormField({ id, label, error, hint, children }: FormFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true } : {}) })}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}
