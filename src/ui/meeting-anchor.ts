import { useEffect } from 'preact/hooks';

/**
 * [NTF5] The side panel opened from a notification about one meeting (`sidepanel.html?meeting=<id>`, NTF4)
 * brings that meeting into view and puts the keyboard focus on it, marked `aria-current`, as soon as the
 * meetings list shows it. The id only ever selects an element by attribute; nothing of it is rendered.
 */
export function meetingFor(search: string = globalThis.location?.search ?? ''): string | undefined {
  const id = new URLSearchParams(search).get('meeting');
  return id && id.length <= 64 ? id : undefined;
}

/** Waits (while the page lives) for the meeting `meetingFor()` names, then shows and focuses it once. */
export function useMeetingAnchor(): void {
  useEffect(() => {
    const id = meetingFor();
    if (!id) return undefined;
    const find = () =>
      [...document.querySelectorAll<HTMLElement>('[data-testid=negotiation]')].find(
        (el) => el.dataset.negotiation === id,
      );
    const show = (): boolean => {
      const item = find();
      if (!item) return false;
      item.tabIndex = -1;
      item.setAttribute('aria-current', 'true');
      item.scrollIntoView?.({ block: 'center' });
      item.focus({ preventScroll: true });
      return true;
    };
    if (show()) return undefined;
    const observer = new MutationObserver(() => {
      if (show()) observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
}
