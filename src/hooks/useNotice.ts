import { useRef, useState } from 'react';

/**
 * The notice of the last change made on the page (`text`, shown by Notice, which takes the
 * returned ref), and the rest of the page told of each change (`onChanged`: it reloads).
 */
export function useNotice(onChanged: () => void) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLParagraphElement>(null);

  function changed(said: string) {
    setText(said);
    onChanged();
  }

  const notice = {
    text,
    changed,
    /** A change that removed the focused control (its row is gone): the notice takes the focus instead of <body>. */
    removed(said: string) {
      changed(said);
      ref.current?.focus();
    },
    clear: () => setText(''),
  };
  return [notice, ref] as const;
}
