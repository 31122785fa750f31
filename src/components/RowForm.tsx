import type { FormEvent, KeyboardEvent, ReactNode, Ref } from 'react';

interface RowFormProps {
  sending: boolean;
  submitLabel: string;
  sendingLabel: string;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  onKeyDown: (event: KeyboardEvent<HTMLFormElement>) => void;
  onCancel: () => void;
  /** A red submit button: the change cannot be taken back from this row. */
  danger?: boolean;
  /** For the rows that put the focus on Cancel first (the safe choice). */
  cancelRef?: Ref<HTMLButtonElement>;
  children: ReactNode;
}

/** One change made inside a table row: its field, then the submit and Cancel buttons. */
export function RowForm(props: RowFormProps) {
  const { sending, submitLabel, sendingLabel, onSubmit, onKeyDown, onCancel, danger, cancelRef, children } = props;
  return (
    <form className="row-form" noValidate onSubmit={onSubmit} onKeyDown={onKeyDown} aria-busy={sending}>
      {children}
      <div className="row__buttons">
        <button
          type="submit"
          className={`button button--small ${danger ? 'button--danger' : 'button--primary'}`}
          disabled={sending}
        >
          {sending ? sendingLabel : submitLabel}
        </button>
        <button type="button" className="button button--small" ref={cancelRef} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
