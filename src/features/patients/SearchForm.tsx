import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';

interface SearchFormProps {
  /** Accessible name of the search landmark. */
  name: string;
  inputId: string;
  label: string;
  inputType: 'text' | 'search';
  button: string;
  /** Said under the field when it is submitted empty. */
  emptyMessage: string;
  /** Called with the trimmed text; never with an empty one. */
  onSearch: (text: string) => void;
}

/** One labelled field and a button: the shape of both ways of finding a patient. */
export function SearchForm({ name, inputId, label, inputType, button, emptyMessage, onSearch }: SearchFormProps) {
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState('');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = input.trim();
    setInputError(text ? '' : emptyMessage);
    if (text) onSearch(text);
  }

  return (
    <form className="inline-form" noValidate onSubmit={submit} role="search" aria-label={name}>
      <FormField id={inputId} label={label} error={inputError}>
        {(a11y) => (
          <input
            id={inputId}
            type={inputType}
            autoComplete="off"
            value={input}
            onChange={(event) => setInput(event.target.value)}
            {...a11y}
          />
        )}
      </FormField>
      <button type="submit" className="button button--primary">
        {button}
      </button>
    </form>
  );
}
