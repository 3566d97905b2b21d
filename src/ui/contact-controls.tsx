import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { ContactView } from '../rpc';
import { ErrorNote } from './components';
import { ContactRules } from './contact-rules';
import { t } from './i18n';
import { agent } from './rpc';

/**
 * Rename, block and remove one contact: the `contacts.rename`, `contacts.block` and `contacts.remove`
 * actions (docs/protocol/agent.md CTC1–CTC3).
 */
export function ContactControls({ contact }: { contact: ContactView }) {
  const [name, setName] = useState(contact.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ErrorShape>();

  const run = async (call: () => Promise<unknown>) => {
    try {
      await call();
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  const blocked = contact.status === 'blocked';

  return (
    <details class="safety" data-testid="contact-controls">
      <summary class="muted">{t('contactManage', contact.name)}</summary>
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => agent.call('contacts.rename', { contactId: contact.agentId, name }));
        }}
      >
        <input
          aria-label={t('contactNameLabel')}
          data-testid="contact-name"
          value={name}
          maxLength={60}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="secondary" data-testid="contact-rename" disabled={!name.trim()}>
          {t('contactRename')}
        </button>
      </form>
      <div class="row">
        <button
          class="secondary"
          data-testid="contact-block"
          onClick={() =>
            void run(() => agent.call('contacts.block', { contactId: contact.agentId, blocked: !blocked }))
          }
        >
          {blocked ? t('contactUnblock') : t('contactBlock')}
        </button>
        {confirming ? (
          <button
            class="danger"
            data-testid="contact-remove-confirm"
            onClick={() => void run(() => agent.call('contacts.remove', { contactId: contact.agentId }))}
          >
            {t('contactRemoveConfirm', contact.name)}
          </button>
        ) : (
          <button class="secondary" data-testid="contact-remove" onClick={() => setConfirming(true)}>
            {t('contactRemove')}
          </button>
        )}
      </div>
      <p class="muted">{blocked ? t('contactBlockedNote') : t('contactRemoveNote')}</p>
      <ErrorNote error={error} />
      <ContactRules contact={contact} />
    </details>
  );
}
