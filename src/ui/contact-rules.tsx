import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { ContactView } from '../rpc';
import { ErrorNote } from './components';
import { agent, useAgentQuery } from './rpc';

/** This component's words, together so the i18n helper can move them to `browser.i18n` in one go. */
const T = {
  title: 'Without asking me',
  share: (name: string) => `Share my free times with ${name} without asking`,
  accept: 'Accept a time inside my meeting hours without asking',
  verifyFirst: (name: string) =>
    `Accepting without asking needs a verified contact: compare safety numbers with ${name} first.`,
  save: 'Save these rules',
  saved: 'Saved.',
};

/**
 * [CRL2] The per-contact rules (`negotiations.setContactRule`, ASK2) on the contact: share coarse free times
 * without asking, and accept a time inside the person's meeting hours without asking — the second only for a
 * verified contact, as the agent honours it only then.
 */
export function ContactRules({ contact }: { contact: ContactView }) {
  const { data } = useAgentQuery('negotiations.contactRule', { contactId: contact.agentId }, ['contacts']);
  const [share, setShare] = useState(false);
  const [accept, setAccept] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorShape>();
  useEffect(() => {
    if (!data) return;
    setShare(data.shareWithoutAsking);
    setAccept(data.acceptWithoutAsking);
  }, [data]);
  if (contact.status === 'blocked') return null;

  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await agent.call('negotiations.setContactRule', {
        contactId: contact.agentId,
        shareWithoutAsking: share,
        acceptWithoutAsking: contact.verified && accept,
      });
      setError(undefined);
      setSaved(true);
    } catch (e) {
      setSaved(false);
      setError(e as ErrorShape);
    }
  };
  return (
    <form class="stack" data-testid="contact-rules" onSubmit={save}>
      <span class="muted">{T.title}</span>
      <label class="row">
        <input
          type="checkbox"
          style={{ width: 'auto' }}
          data-testid="rule-share"
          checked={share}
          onChange={(e) => {
            setShare(e.currentTarget.checked);
            setSaved(false);
          }}
        />
        {T.share(contact.name)}
      </label>
      <label class="row">
        <input
          type="checkbox"
          style={{ width: 'auto' }}
          data-testid="rule-accept"
          disabled={!contact.verified}
          checked={contact.verified && accept}
          onChange={(e) => {
            setAccept(e.currentTarget.checked);
            setSaved(false);
          }}
        />
        {T.accept}
      </label>
      {!contact.verified && <p class="muted">{T.verifyFirst(contact.name)}</p>}
      <button type="submit" class="secondary" data-testid="rule-save">
        {T.save}
      </button>
      {saved && (
        <p class="notice" role="status" data-testid="rule-saved">
          {T.saved}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}
