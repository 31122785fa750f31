/** What the sign-in page says about why it is shown. */
export const SIGNED_OUT_MESSAGE = 'You signed out.';
export const SESSION_ENDED_MESSAGE = 'Your session has ended. Please sign in again.';

/** "15 minutes", "1 minute", "30 seconds", "2 minutes and 5 seconds". */
export function durationText(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const unit = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? unit(minutes, 'minute') : `${unit(minutes, 'minute')} and ${unit(rest, 'second')}`;
}

export function idleSignOutMessage(idleTimeoutSeconds: number): string {
  return `You were signed out after ${durationText(idleTimeoutSeconds)} without activity.`;
}
