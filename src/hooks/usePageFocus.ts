import { useEffect, useRef } from 'react';

/**
 * After a move to another place (`place` changes; not on the first render), puts the focus
 * on the heading of section `sectionId`: a screen reader starts at the new page's title, and
 * the browser scrolls there (the section was not in the page yet when the hash changed).
 */
export function usePageFocus(place: string, sectionId: string) {
  const shown = useRef(place);
  useEffect(() => {
    if (shown.current === place) return;
    shown.current = place;
    document.getElementById(`${sectionId}-title`)?.focus();
  }, [place, sectionId]);
}
