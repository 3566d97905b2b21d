// Marks Parley's presence on Google Calendar. Later: an isolated (shadow DOM)
// layer for proposals and "find a time with…".
export default defineContentScript({
  matches: ['https://calendar.google.com/*'],
  runAt: 'document_idle',
  main() {
    document.documentElement.dataset.parley = 'present';
  },
});
