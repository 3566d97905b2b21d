import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { ContactView } from '../rpc';
import { ErrorNote } from './components';
import { t } from './i18n';
import { agent, useAgentQuery } from './rpc';

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
      <span class="muted">{t('contactRuleTitle')}</span>
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
        {t('contactRuleShare', contact.name)}
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
        {t('contactRuleAccept')}
      </label>
      {!contact.verified && <p class="muted">{t('contactRuleVerifyFirst', contact.name)}</p>}
      <button type="submit" class="secondary" data-testid="rule-save">
        {t('contactRuleSave')}
      </button>
      {saved && (
        <p class="notice" role="status" data-testid="rule-saved">
          {t('contactRuleSaved')}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}
