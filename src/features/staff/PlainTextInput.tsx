interface PlainTextInputProps {
  id: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * Text typed exactly as meant: a username or a temporary password the admin passes on
 * (visible on purpose), never completed, capitalised or spell-checked by the browser.
 */
export function PlainTextInput({ onChange, ...props }: PlainTextInputProps) {
  return (
    <input
      type="text"
      autoComplete="off"
      autoCapitalize="none"
      spellCheck={false}
      onChange={(event) => onChange(event.target.value)}
      {...props}
    />
  );
}
