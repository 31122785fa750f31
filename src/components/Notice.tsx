import type { Ref } from 'react';

interface NoticeProps {
  /** What the last change did (useNotice); empty before any. */
  text: string;
  /** For moving the focus here when the control that made the change is gone. */
  ref: Ref<HTMLParagraphElement>;
}

/** A change's notice: announced when it changes, and able to take the focus. */
export function Notice({ text, ref }: NoticeProps) {
  return (
    <p role="status" className={text ? 'message message--success' : 'message-slot'} ref={ref} tabIndex={-1}>
      {text}
    </p>
  );
}
