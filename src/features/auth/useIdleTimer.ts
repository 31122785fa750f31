import { useEffect, useEffectEvent } from 'react';

/** What counts as the person being there. */
const ACTIVITY_EVENTS = ['keydown', 'pointerdown'] as const;

interface IdleTimerOptions {
  timeoutSeconds: number;
  /** Called once, when `timeoutSeconds` pass without activity. */
  onIdle: () => void;
  /**
   * Called on activity at most once per `keepAliveSeconds`, so the page can tell the server
   * the person is still there (the server's idle clock only sees requests).
   */
  onKeepAlive?: () => void;
  keepAliveSeconds?: number;
}

/**
 * The page's own idle clock, reset by keydown and pointerdown anywhere in the document.
 * It keeps a deadline rather than restarting a timer on every key, and checks the
 * deadline again when the tab comes back into view (background tabs delay timers).
 */
export function useIdleTimer({ timeoutSeconds, onIdle, onKeepAlive, keepAliveSeconds = Infinity }: IdleTimerOptions) {
  const idle = useEffectEvent(onIdle);
  const keepAlive = useEffectEvent(() => onKeepAlive?.());

  useEffect(() => {
    const timeoutMs = timeoutSeconds * 1000;
    let deadline = Date.now() + timeoutMs;
    let lastKeepAlive = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;

    function check() {
      if (done) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        done = true;
        idle();
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(check, left);
    }

    function activity() {
      if (done) return;
      const now = Date.now();
      deadline = now + timeoutMs;
      if (now - lastKeepAlive >= keepAliveSeconds * 1000) {
        lastKeepAlive = now;
        keepAlive();
      }
    }

    function visible() {
      if (document.visibilityState === 'visible') check();
    }

    check();
    for (const name of ACTIVITY_EVENTS) document.addEventListener(name, activity, true);
    document.addEventListener('visibilitychange', visible);
    return () => {
      done = true;
      clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) document.removeEventListener(name, activity, true);
      document.removeEventListener('visibilitychange', visible);
    };
  }, [timeoutSeconds, keepAliveSeconds]);
}
